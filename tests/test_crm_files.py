"""CSV files handed back to the CRM: import shape, plain text in a spreadsheet, replaced whole."""

from __future__ import annotations

import csv
import io
import stat
from dataclasses import replace
from datetime import date

import polars as pl
import pytest

from hygiene_pipeline import schema
from hygiene_pipeline.crm_files.action_files import neutralize, write_crm_files, write_file_set
from hygiene_pipeline.crm_files.month_files import MonthFiles, write_files
from hygiene_pipeline.crm_files.updates import CELLS, Corrections
from hygiene_pipeline.ingest.recognition import recognise
from hygiene_pipeline.store import HygieneStore
from tests.builders import contacts_frame, prune_frame
from tests.export_fixtures import HUBSPOT_ALL
from tests.export_fixtures import SALESFORCE_LEAD as SALESFORCE_LEAD_HEADERS

OCT = date(2026, 10, 1)
HUBSPOT = recognise(HUBSPOT_ALL, None, "export.csv").fmt
SALESFORCE_LEAD = recognise(SALESFORCE_LEAD_HEADERS, None, "leads.csv").fmt


def _files(*pairs: tuple[str, object]) -> pl.DataFrame:
    """export_files rows: which format each source file was read with."""
    return pl.DataFrame(
        {
            "source_file": [name for name, _ in pairs],
            "column_mapping": [f.to_json() for _, f in pairs],
        }
    )


HUBSPOT_FILE = _files(("export.csv", HUBSPOT))


def _prune(rows: list[tuple[str, str, list[str], str | None]]) -> pl.DataFrame:
    return prune_frame(OCT, rows)


def _read(path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def test_files_per_action_in_hubspot_import_shape(tmp_path):
    contacts = contacts_frame(
        OCT,
        [
            {"contact_id": "101", "email": "anouk.visser@ziggo.nl"},
            {"contact_id": "102", "email": "a.visser@ziggo.nl"},
            {"contact_id": "103", "email": '=HYPERLINK("http://x")@evil.nl'},
            {"contact_id": "104", "email": "info@kaasmakerij-vlasbloem.nl"},
            {"contact_id": "105", "email": "rik.vos@brouwer-logistiek.nl"},
        ],
    )
    prune = _prune(
        [
            ("102", "merge", ["duplicate_of: 101"], "101"),
            ("103", "delete", ["email_invalid: syntax: bad", "-1+1"], None),
            ("104", "quarantine", ["email_risky: role_account"], None),
            ("105", "re_engage", ["no_engagement_since: 2026-01-10"], None),
            ("106", "delete", ["erasure_request"], None),
        ]
    )
    erased = pl.DataFrame({"snapshot": [OCT], "contact_id": ["106"], "source_file": ["export.csv"]})
    out = tmp_path / "out" / "2026-10"
    counts = write_crm_files(prune, contacts, erased, HUBSPOT_FILE, out)
    assert counts == {"hubspot-deletions.csv": 2, "hubspot-merges.csv": 1,
                      "hubspot-quarantine.csv": 1, "hubspot-re-engage.csv": 1}  # fmt: skip
    assert _read(out / "hubspot-merges.csv") == [
        ["Survivor Record ID", "Survivor Email", "Merged Record ID", "Merged Email", "Reasons"],
        ["101", "anouk.visser@ziggo.nl", "102", "a.visser@ziggo.nl", "duplicate_of: 101"],
    ]
    deletions = _read(out / "hubspot-deletions.csv")
    assert deletions[0] == ["Record ID", "Email", "Reasons"]
    assert deletions[1] == ["103", "'=HYPERLINK(\"http://x\")@evil.nl",
                            "email_invalid: syntax: bad; -1+1"]  # fmt: skip
    assert deletions[2] == ["106", "", "erasure_request"]  # erased: the record id only
    assert _read(out / "hubspot-re-engage.csv")[1][:2] == ["105", "rik.vos@brouwer-logistiek.nl"]


def test_no_cell_can_run_as_a_formula():
    for dangerous in ("=1+1", "+31 6 1234", "-2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralize(dangerous).startswith("'")
    assert neutralize("anouk.visser@ziggo.nl") == "anouk.visser@ziggo.nl"
    assert neutralize(None) == ""


def test_files_are_what_a_spreadsheet_reads_whatever_the_cells_hold(tmp_path):
    # The files are written by polars; the bytes must be those of Python's csv module (minimal
    # quoting, CRLF, BOM), which spreadsheets and CRM importers read, for every hostile cell.
    hostile = ["=1+1", "+31 6 1234", "-2", "@SUM(A1)", "\tx", "\rx", "a,b", 'say "hi"',
               "line\nbreak", "cr\rin", "ünïcödé", "'quoted", " padded ", "a;b", ""]  # fmt: skip
    ids = [str(200 + number) for number in range(len(hostile))]
    contacts = contacts_frame(
        OCT, [{"contact_id": i, "email": e} for i, e in zip(ids, hostile, strict=True)]
    )
    prune = _prune([(i, "delete", [e or "erasure_request", "x"], None)
                    for i, e in zip(ids, hostile, strict=True)])  # fmt: skip
    erased = pl.DataFrame(schema={"snapshot": pl.Date, "contact_id": pl.String,
                                  "source_file": pl.String})  # fmt: skip
    out = tmp_path / "out"
    write_crm_files(prune, contacts, erased, HUBSPOT_FILE, out)
    expected = io.StringIO()
    writer = csv.writer(expected)  # QUOTE_MINIMAL, "\r\n"
    writer.writerow(["Record ID", "Email", "Reasons"])
    for record, email in zip(ids, hostile, strict=True):
        writer.writerow([neutralize(record), neutralize(email),
                         neutralize(f"{email or 'erasure_request'}; x")])  # fmt: skip
    written = (out / "hubspot-deletions.csv").read_bytes()
    assert written == b"\xef\xbb\xbf" + expected.getvalue().encode("utf-8")


def test_a_rerun_replaces_the_folder_and_files_are_owner_only(tmp_path):
    contacts = contacts_frame(OCT, [{"contact_id": "1", "email": "a@kaasmakerij-vlasbloem.nl"}])
    out = tmp_path / "out" / "2026-10"
    no_erasures = contacts.head(0).select("snapshot", "contact_id", "source_file")
    prune = _prune([("1", "delete", ["unsubscribed"], None)])
    write_crm_files(prune, contacts, no_erasures, HUBSPOT_FILE, out)
    (out / "stale-extra.csv").write_text("left over")
    empty = schema.empty(schema.PRUNE_LIST)
    counts = write_crm_files(empty, contacts, no_erasures, HUBSPOT_FILE, out)
    assert set(counts.values()) == {0}
    assert sorted(p.name for p in out.iterdir()) == sorted(counts)  # no leftovers
    assert _read(out / "hubspot-deletions.csv") == [["Record ID", "Email", "Reasons"]]
    assert stat.S_IMODE((out / "hubspot-deletions.csv").stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert [p.name for p in out.parent.iterdir()] == ["2026-10"]  # no staging folders left


def test_files_built_as_they_are_written_leave_last_months_set_whole_when_one_fails(tmp_path):
    # The month's files are built one set at a time while they are written (a million
    # contacts' files are half a gigabyte): a set that fails to build must not leave a mix.
    out = tmp_path / "out" / "2026-10"
    shown = pl.DataFrame({"Record ID": ["101"], "Email": ["anouk.visser@ziggo.nl"]})
    write_file_set({"hubspot-deletions.csv": shown}, out)
    before = (out / "hubspot-deletions.csv").read_bytes()

    def failing_files():
        yield "hubspot-deletions.csv", shown.head(0)
        raise ValueError("the status files could not be built")

    with pytest.raises(ValueError, match="status files"):
        write_file_set(failing_files(), out)
    assert [p.name for p in out.iterdir()] == ["hubspot-deletions.csv"]
    assert (out / "hubspot-deletions.csv").read_bytes() == before
    assert [p.name for p in out.parent.iterdir()] == ["2026-10"]  # no staging folder left

    pairs = iter([("hubspot-deletions.csv", shown.head(0)), ("hubspot-status.csv", shown)])
    assert write_file_set(pairs, out) == {"hubspot-deletions.csv": 0, "hubspot-status.csv": 1}
    assert _read(out / "hubspot-status.csv")[1] == ["101", "anouk.visser@ziggo.nl"]


def test_a_months_files_are_written_once_per_build(tmp_path):
    # The files are a generator, built as they are written: writing them again must not swap an
    # empty folder over the month's files.
    shown = pl.DataFrame({"Record ID": ["101"], "Email": ["anouk.visser@ziggo.nl"]})
    cells = pl.DataFrame(schema=CELLS)
    built = MonthFiles(Corrections(cells, pl.Series(dtype=pl.UInt32), 0),
                       _generated([("hubspot-status.csv", shown)]), frozenset())  # fmt: skip
    out = tmp_path / "out" / "2026-10"
    assert write_file_set(built.files, out) == {"hubspot-status.csv": 1}
    with pytest.raises(ValueError, match="written already"):
        write_files(HygieneStore(tmp_path / "hygiene.duckdb"), OCT, built, out)
    assert [p.name for p in out.iterdir()] == ["hubspot-status.csv"]
    assert not (tmp_path / "hygiene.duckdb").exists()


def _generated(pairs):
    yield from pairs


def test_each_export_format_gets_its_own_files_with_ids_as_the_crm_knows_them(tmp_path):
    prefixed = replace(SALESFORCE_LEAD, id_prefix="sf-")
    contacts = contacts_frame(
        OCT,
        [
            {"contact_id": "9001", "email": "k.peeters@telenet.be", "source_file": "hubspot.csv"},
            {"contact_id": "sf-00Q5g00000AbCdE", "email": "k.peeters@skynet.be",
             "source_file": "leads.csv", "source_system": "salesforce"},
        ],
    )  # fmt: skip
    prune = _prune([("sf-00Q5g00000AbCdE", "delete", ["unsubscribed"], None),
                    ("9001", "quarantine", ["soft_bounce"], None)])  # fmt: skip
    files = _files(("hubspot.csv", HUBSPOT), ("leads.csv", prefixed))
    out = tmp_path / "out"
    no_erasures = contacts.head(0).select("snapshot", "contact_id", "source_file")
    counts = write_crm_files(prune, contacts, no_erasures, files, out)
    assert counts["salesforce-lead-deletions.csv"] == 1
    assert counts["hubspot-quarantine.csv"] == 1
    assert _read(out / "salesforce-lead-deletions.csv") == [
        ["Id", "Email", "Reasons"],
        ["00Q5g00000AbCdE", "k.peeters@skynet.be", "unsubscribed"],
    ]
