"""Hostile and broken files: one enormous line is rejected, not loaded, with bounded memory."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from hygiene_pipeline.ingest.bounded_read import read_bounded
from hygiene_pipeline.ingest.limits import EXCEL_MAX_ROWS, IngestLimits, LimitsError, load_limits
from hygiene_pipeline.ingest.month_exports import ExportError, read_month
from tests.hostile_files import (
    ENTITY_PROLOGUE,
    contact_rows,
    noted_rows,
    one_cell_rows,
    wide_csv,
    write_workbook,
)

OCT = date(2026, 10, 1)
HEADER = b"Record ID,First Name,Last Name,Email\n"
ROWS = [b"1001,Anouk,Visser,anouk.visser@ziggo.nl\n", b"1002,Sven,de Graaf,sven@ziggo.nl\n"]


def test_overlong_lines_become_placeholders_and_the_rest_is_kept_byte_for_byte(tmp_path):
    path = tmp_path / "x.csv"
    original = HEADER + ROWS[0] + b"9," + b"A" * 500 + b"\n" + ROWS[1] + b"B" * 300
    path.write_bytes(original)
    bounded = read_bounded(path, max_line_bytes=200)
    assert bounded.fingerprint == hashlib.sha256(original).hexdigest()
    lines = bounded.data.split(b"\n")
    assert (
        lines[0] + b"\n" == HEADER and lines[1] + b"\n" == ROWS[0] and lines[3] + b"\n" == ROWS[1]
    )
    assert [(o.line, o.size, o.head[:4]) for o in bounded.overlong] == [
        (3, 502, b"9,AA"),
        (5, 300, b"BBBB"),  # the last line, without a line break
    ]
    assert bounded.overlong_in(lines[2].decode()) == bounded.overlong[0]
    assert bounded.overlong_in("1001,Anouk") is None


def test_an_enormous_line_is_one_rejected_row_and_the_others_load(tmp_path):
    folder = tmp_path / "2026-10"
    folder.mkdir()
    huge = b"1003,Huge," + b"x" * (5 * 1024 * 1024) + b",huge@ziggo.nl\n"
    (folder / "export.csv").write_bytes(HEADER + ROWS[0] + huge + ROWS[1])
    month = read_month(tmp_path, OCT)
    assert month.raw["contact_id"].to_list() == ["1001", "1002"]
    (rejected,) = month.rejected.iter_rows(named=True)
    assert rejected["line"] == 3 and rejected["source_row"] == 3
    assert rejected["reason"].startswith("line of 5,242,904 bytes, longer than the 4,194,304")
    assert rejected["raw_text"].startswith("1003,Huge,xxx") and len(rejected["raw_text"]) < 1100
    (file,) = month.files_frame().iter_rows(named=True)
    assert (file["data_lines"], file["loaded_rows"], file["rejected_rows"]) == (3, 2, 1)


def test_a_header_line_of_megabytes_is_refused_as_not_a_csv(tmp_path):
    folder = tmp_path / "2026-10"
    folder.mkdir()
    (folder / "binary.csv").write_bytes(b"\x89PNG" + b"\x01" * (5 * 1024 * 1024))
    with pytest.raises(ExportError, match="header line is 5,242,884 bytes long"):
        read_month(tmp_path, OCT)


_MEASURE = """
import resource, sys
from datetime import date
from pathlib import Path
from hygiene_pipeline.ingest.month_exports import read_month
month = read_month(Path(sys.argv[1]), date(2026, 10, 1))
peak = max(resource.getrusage(who).ru_maxrss for who in
           (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) // 1024  # the parsing child too
print(month.raw.height, month.rejected.height, peak)
"""


def test_a_two_gigabyte_file_with_one_enormous_line_reads_in_bounded_memory(tmp_path):
    folder = tmp_path / "2026-10"
    folder.mkdir()
    block = b"y" * (1 << 20)
    with (folder / "export.csv").open("wb") as handle:
        handle.write(HEADER + ROWS[0] + b"1003,Huge,")
        for _ in range(2048):  # 2 GiB on one line
            handle.write(block)
        handle.write(b"\n" + ROWS[1])
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(tmp_path)], capture_output=True, text=True, check=True
    )
    loaded, rejected, peak_mib = map(int, done.stdout.split())
    assert (loaded, rejected) == (2, 1)
    assert peak_mib < 512, f"peak {peak_mib} MiB for a 2 GiB file"  # 70-190 MiB measured
    print(f"2 GiB file with one enormous line: peak {peak_mib} MiB")


# ---- Limits checked before the expensive work (issue 21) ----


def _month(tmp_path: Path) -> Path:
    folder = tmp_path / "exports" / "2026-10"
    folder.mkdir(parents=True)
    (folder / "a-good.csv").write_bytes(HEADER + ROWS[0] + ROWS[1])  # the month's sound file
    return folder


def _refusal(tmp_path: Path, limits: IngestLimits | None = None) -> str:
    """Read the month: the sound file loads, the hostile one is refused; its reason."""
    month = read_month(tmp_path / "exports", OCT, limits=limits)
    assert month.raw["contact_id"].to_list() == ["1001", "1002"]
    [refused] = month.refused
    files = month.files_frame().filter(pl.col("status") == "refused")
    assert files["source_file"].to_list() == [refused.name]
    assert files["refusal"].to_list() == [refused.reason]
    return refused.reason


def test_a_zip_bomb_is_refused_from_its_directory_before_any_xml_is_parsed(tmp_path):
    folder = _month(tmp_path)
    # 60 MiB of one-cell rows that deflate to well under 1 MiB: a ratio no export has.
    write_workbook(folder / "b-bomb.xlsx", one_cell_rows(1_500_000), level=9, numbered=False)
    reason = _refusal(tmp_path)
    assert reason.startswith("b-bomb.xlsx: its part xl/worksheets/sheet1.xml inflates")
    assert "over the limit of 200 times (xlsx_max_ratio)" in reason and "zip bomb" in reason
    lower = IngestLimits(xlsx_max_part_mib=16, xlsx_max_ratio=100_000)
    assert "over the limit of 16 MiB (xlsx_max_part_mib)" in _refusal(tmp_path, lower)


def test_a_sheet_past_excels_own_row_limit_is_refused(tmp_path):
    folder = _month(tmp_path)
    write_workbook(folder / "b-rows.xlsx", contact_rows(EXCEL_MAX_ROWS), level=1)
    reason = _refusal(tmp_path, IngestLimits(xlsx_max_ratio=100_000))
    assert "more than 1,048,576 rows, over the limit of Excel's own 1,048,576 rows" in reason


def test_a_workbook_of_many_sheets_is_refused(tmp_path):
    folder = _month(tmp_path)
    write_workbook(folder / "b-sheets.xlsx", contact_rows(3), extra_sheets=60)
    assert "the workbook has 61 sheets, over the limit of 50" in _refusal(tmp_path)


def test_an_entity_expansion_attempt_inside_a_workbook_is_refused(tmp_path):
    folder = _month(tmp_path)
    write_workbook(folder / "b-entities.xlsx", contact_rows(3), prologue=ENTITY_PROLOGUE)
    reason = _refusal(tmp_path)
    assert "b-entities.xlsx: its part xl/worksheets/sheet1.xml declares a DTD" in reason


def test_a_csv_with_hundreds_of_thousands_of_columns_is_refused_before_parsing(tmp_path):
    folder = _month(tmp_path)
    wide_csv(folder / "b-wide.csv", 300_000)
    reason = _refusal(tmp_path)
    assert "the header row has 300,000 columns, over the limit of 5,000 columns" in reason


def test_a_header_cell_of_megabytes_is_refused(tmp_path):
    folder = _month(tmp_path)
    (folder / "b-cell.csv").write_bytes(b"Record ID,Email," + b"N" * 2_000_000 + b"\n1,a@b.nl,x\n")
    assert "column 3 of the header row is a name of 2,000,000 characters" in _refusal(tmp_path)
    workbook = folder / "b-cell.xlsx"
    (folder / "b-cell.csv").unlink()
    write_workbook(workbook, [["Record ID", "Email", "N" * 2_000_000], ["1", "a@b.nl", "x"]])
    assert "column 3 of the header row is a name of 2,000,000 characters" in _refusal(tmp_path)


def test_rows_past_the_ceiling_are_refused_while_streaming(tmp_path):
    folder = _month(tmp_path)
    (folder / "b-long.csv").write_bytes(HEADER + b"".join(
        b"%d,A,B,a%d@ziggo.nl\n" % (n, n) for n in range(2000, 2100)))  # fmt: skip
    reason = _refusal(tmp_path, IngestLimits(max_rows=50))
    assert "it has more than 50 lines, over the limit of 50 rows (max_rows)" in reason


def test_a_file_that_needs_more_memory_than_allowed_ends_as_a_refusal_not_an_oom_kill(tmp_path):
    folder = _month(tmp_path)
    # 230 MiB of notes: more than a 1 GiB parser can hold (calamine, then polars, copy them).
    write_workbook(folder / "b-heavy.xlsx", noted_rows(100_000, 250), level=1)
    reason = _refusal(tmp_path, IngestLimits(max_memory_gib=1.0, xlsx_max_ratio=100_000))
    assert reason.startswith("b-heavy.xlsx: the file needed more than 1 GiB of memory")


def test_a_month_whose_every_file_is_refused_fails_naming_each(tmp_path):
    folder = tmp_path / "exports" / "2026-10"
    folder.mkdir(parents=True)
    wide_csv(folder / "wide.csv", 10_000)
    write_workbook(folder / "sheets.xlsx", contact_rows(3), extra_sheets=60)
    with pytest.raises(ExportError) as error:
        read_month(tmp_path / "exports", OCT)
    assert "sheets.xlsx: the workbook has 61 sheets" in str(error.value)
    assert "wide.csv: the header row has 10,000 columns" in str(error.value)


def test_real_exports_at_the_edges_still_load(tmp_path):
    folder = tmp_path / "exports" / "2026-10"
    folder.mkdir(parents=True)
    wide_csv(folder / "all-properties.csv", 1_500, rows=3)  # HubSpot's all-properties width
    write_workbook(folder / "full-sheet.xlsx", (
        row if n == 0 else [f"X{row[0]}", *row[1:]]
        for n, row in enumerate(contact_rows(EXCEL_MAX_ROWS - 1))
    ), level=1)  # fmt: skip
    month = read_month(tmp_path / "exports", OCT)
    assert month.refused == []
    counts = {f.name: f.loaded_rows for f in month.files}
    assert counts == {"all-properties.csv": 3, "full-sheet.xlsx": EXCEL_MAX_ROWS - 1}


def test_limits_are_a_validated_settings_file(tmp_path):
    assert load_limits(tmp_path) == IngestLimits()
    (tmp_path / "ingest_limits.yaml").write_text("max_columns: 2000\nisolate_parsing: false\n")
    assert load_limits(tmp_path) == IngestLimits(max_columns=2000, isolate_parsing=False)
    (tmp_path / "ingest_limits.yaml").write_text("max_colums: 2000\n")
    with pytest.raises(LimitsError, match=r"unknown settings \['max_colums'\]"):
        load_limits(tmp_path)
    (tmp_path / "ingest_limits.yaml").write_text("max_columns: 3\n")
    with pytest.raises(LimitsError, match="max_columns must be between 10 and 100000"):
        load_limits(tmp_path)


def test_a_refused_file_is_in_export_files_the_metadata_and_a_red_check(tmp_path):
    import dagster as dg

    from assets.raw_contacts import raw_contacts
    from assets.resources import HygieneResource

    folder = _month(tmp_path / "data")
    write_workbook(folder / "b-sheets.xlsx", contact_rows(3), extra_sheets=60)
    result = dg.materialize(
        [raw_contacts],  # its step evaluates its checks
        partition_key="2026-10-01",
        resources={"hygiene": HygieneResource(data_dir=str(tmp_path / "data"))},
        raise_on_error=False,
    )
    assert result.success  # the refusal does not stop the month
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert checks["every_export_row_accounted_for"].passed
    refused = checks["every_export_file_loaded"]
    assert not refused.passed and refused.severity == dg.AssetCheckSeverity.ERROR
    assert "b-sheets.xlsx: the workbook has 61 sheets" in refused.description
    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert "| b-sheets.xlsx | b-sheets.xlsx: the workbook has 61 sheets" in (
        metadata["refused_files"].value
    )
    assert metadata["limits"].value["max_columns"] == 5_000
