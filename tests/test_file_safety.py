"""Files on disk: exports read only inside the exports folder, data written owner-only."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import pytest

from hygiene_pipeline import schema
from hygiene_pipeline.ingest.month_exports import ExportError, read_month
from hygiene_pipeline.store import HygieneStore

OCT = date(2026, 10, 1)
HEADER = "Record ID,First Name,Last Name,Email\n"


def _export(path: Path, rows: str = "1001,Anouk,Visser,anouk.visser@ziggo.nl\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "name",
    ["contacts oktober 2026.csv", "contactpersonen-België-é.csv", "export..final..csv",
     "Επαφές 2026.csv"],
)  # fmt: skip
def test_file_names_with_spaces_unicode_and_dots_are_read(tmp_path, name):
    _export(tmp_path / "exports" / "2026-10" / name)
    month = read_month(tmp_path / "exports", OCT)
    assert month.raw["source_file"].to_list() == [name]


def test_a_link_to_a_file_outside_the_exports_folder_is_refused(tmp_path):
    secret = _export(tmp_path / "elsewhere" / "private.csv", "9,Not,Mine,x@y.nl\n")
    folder = tmp_path / "exports" / "2026-10"
    _export(folder / "contacts.csv")
    (folder / "also-contacts.csv").symlink_to(secret)
    month = read_month(tmp_path / "exports", OCT)  # the link is refused, the real file loads
    assert month.raw["source_file"].to_list() == ["contacts.csv"]
    [refused] = month.refused
    assert refused.name == "also-contacts.csv"
    assert "points outside the exports folder" in refused.reason


def test_a_month_folder_that_links_outside_is_refused(tmp_path):
    outside = tmp_path / "somewhere-else" / "2026-10"
    _export(outside / "contacts.csv")
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "2026-10").symlink_to(outside, target_is_directory=True)
    with pytest.raises(ExportError, match="points outside the exports folder"):
        read_month(tmp_path / "exports", OCT)


def test_a_link_inside_the_month_folder_is_followed(tmp_path):
    folder = tmp_path / "exports" / "2026-10"
    _export(folder / "archive" / "hubspot.csv")
    (folder / "hubspot.csv").symlink_to(folder / "archive" / "hubspot.csv")
    assert read_month(tmp_path / "exports", OCT).raw.height == 1


def test_the_database_and_its_wal_are_owner_only_even_under_a_loose_umask(tmp_path):
    previous = os.umask(0o022)
    try:
        store = HygieneStore(tmp_path / "hygiene.duckdb")
        store.replace_partition(OCT, {"prune_list": schema.empty(schema.PRUNE_LIST)})
    finally:
        os.umask(previous)
    for path in tmp_path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
