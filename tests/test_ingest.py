"""Ingest: every CRM export as it comes, kept verbatim, every data record accounted for."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets.normalized_contacts import normalized_contacts
from assets.raw_contacts import raw_contacts
from assets.resources import HygieneResource
from hygiene_pipeline.ingest.column_mapping import (
    ColumnMappingError,
    load_mapping,
    mapping_from_document,
)
from hygiene_pipeline.ingest.month_exports import ExportError, MonthExports, read_month
from hygiene_pipeline.ingest.row_accounting import row_accounting
from hygiene_pipeline.normalize.contacts import normalize_contacts
from hygiene_pipeline.store import HygieneStore
from tests.export_fixtures import (
    EXAMPLE_MAPPING,
    HUBSPOT_ALL,
    HUBSPOT_ALL_ROWS,
    HUBSPOT_DEFAULT_ROWS,
    HUBSPOT_DEFAULT_VIEW,
    PIPEDRIVE,
    PIPEDRIVE_ROWS,
    SALESFORCE_CONTACT,
    SALESFORCE_CONTACT_REPORT,
    SALESFORCE_CONTACT_REPORT_ROWS,
    SALESFORCE_CONTACT_ROWS,
    SALESFORCE_LEAD,
    SALESFORCE_LEAD_REPORT,
    SALESFORCE_LEAD_REPORT_ROWS,
    SALESFORCE_LEAD_ROWS,
    SPREADSHEET,
    SPREADSHEET_ROWS,
    csv_bytes,
    write_csv,
    write_xlsx,
)

OCT = date(2026, 10, 1)
MONTH = "2026-10"


def _accounted(month: MonthExports) -> None:
    """Per file: loaded + rejected = data lines, and the frames agree with the facts."""
    for fact in month.files:
        loaded = month.raw.filter(pl.col("source_file") == fact.name).height
        rejected = month.rejected.filter(pl.col("source_file") == fact.name).height
        assert (loaded, rejected) == (fact.loaded_rows, fact.rejected_rows), fact.name
        assert loaded + rejected == fact.data_lines, fact.name


@pytest.mark.parametrize(
    ("file_name", "sep", "encoding", "newline", "detected"),
    [
        ("contacts.csv", ",", "utf-8", "\n", "utf-8"),
        ("contacts.csv", ";", "utf-8-sig", "\r\n", "utf-8-sig"),
        ("contacts.csv", ";", "cp1252", "\r\n", "cp1252"),
        ("contacts.tsv", "\t", "utf-8", "\n", "utf-8"),
        ("contacts.csv", ";", "latin-1", "\r\n", "cp1252"),  # é, ö, ü: the same bytes as cp1252
    ],
)
def test_hubspot_exports_in_every_dialect_load_verbatim(
    tmp_path, file_name, sep, encoding, newline, detected
):
    write_csv(tmp_path / MONTH / file_name, HUBSPOT_ALL, HUBSPOT_ALL_ROWS, sep=sep,
              encoding=encoding, newline=newline)  # fmt: skip
    month = read_month(tmp_path, OCT)
    fact = month.files[0]
    assert (fact.delimiter, fact.encoding, fact.format.name, fact.reader) == (
        sep, detected, "hubspot", "fast")  # fmt: skip
    raw = month.raw
    assert raw["First Name"].to_list() == ["  Hélène ", "joost", "Dörte"]  # not trimmed
    assert raw["Email"][0] == "Helene.Lefevre@atelier-lumiere.fr "
    assert raw["Contact owner"][1] == ""  # blank stays blank, not invented
    assert raw["contact_id"].to_list() == ["1001", "1002", "1003"]
    assert raw["source_row"].to_list() == [2, 3, 4]  # spreadsheet rows under the header
    assert set(raw["source_system"]) == {"hubspot"}
    assert set(raw["snapshot"]) == {OCT}
    assert raw.columns[:5] == ["snapshot", "contact_id", "source_file", "source_row",
                               "source_system"]  # fmt: skip
    assert raw.columns[5:] == list(HUBSPOT_ALL)  # every source column, in file order
    assert month.rejected.height == 0
    _accounted(month)


def test_a_byte_cp1252_never_defines_is_read_as_latin_1(tmp_path):
    rows = [list(HUBSPOT_ALL_ROWS[0])]
    rows[0][6] = "Atelier Lumi\u00e8re \u0081"  # U+0081: latin-1 only
    write_csv(tmp_path / MONTH / "a.csv", HUBSPOT_ALL, rows, sep=";", encoding="latin-1")
    month = read_month(tmp_path, OCT)
    assert month.files[0].encoding == "latin-1"
    assert month.raw["Company Name"][0] == "Atelier Lumière \u0081"


def test_every_crm_format_is_recognised_from_its_header_alone(tmp_path):
    folder = tmp_path / MONTH
    write_csv(folder / "a-hubspot-all.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    write_csv(folder / "b-hubspot-view.csv", HUBSPOT_DEFAULT_VIEW, HUBSPOT_DEFAULT_ROWS, sep=";",
              encoding="utf-8-sig", newline="\r\n")  # fmt: skip
    write_csv(folder / "c-sf-contacts.csv", SALESFORCE_CONTACT, SALESFORCE_CONTACT_ROWS)
    write_csv(folder / "d-sf-leads.csv", SALESFORCE_LEAD, SALESFORCE_LEAD_ROWS)
    write_csv(folder / "e-sf-contact-report.csv", SALESFORCE_CONTACT_REPORT,
              SALESFORCE_CONTACT_REPORT_ROWS, sep=";", encoding="cp1252")  # fmt: skip
    write_csv(folder / "f-sf-lead-report.csv", SALESFORCE_LEAD_REPORT, SALESFORCE_LEAD_REPORT_ROWS,
              encoding="utf-8-sig")  # fmt: skip
    write_csv(folder / "g-pipedrive.csv", PIPEDRIVE, PIPEDRIVE_ROWS)
    write_xlsx(folder / "h-klanten.xlsx", SPREADSHEET, SPREADSHEET_ROWS)
    month = read_month(tmp_path, OCT, mappings=[load_mapping(EXAMPLE_MAPPING)])
    formats = {fact.name: (fact.format.name, fact.system) for fact in month.files}
    assert formats == {
        "a-hubspot-all.csv": ("hubspot", "hubspot"),
        "b-hubspot-view.csv": ("hubspot", "hubspot"),
        "c-sf-contacts.csv": ("salesforce-contact", "salesforce"),
        "d-sf-leads.csv": ("salesforce-lead", "salesforce"),
        "e-sf-contact-report.csv": ("salesforce-contact-report", "salesforce"),
        "f-sf-lead-report.csv": ("salesforce-lead-report", "salesforce"),
        "g-pipedrive.csv": ("pipedrive", "pipedrive"),
        "h-klanten.xlsx": ("mapping:example-spreadsheet", "spreadsheet"),
    }
    _accounted(month)
    assert month.raw.height == 14
    raw = month.raw
    assert raw.filter(pl.col("source_file") == "h-klanten.xlsx")["contact_id"].to_list() == [
        "XL-K-0001", "XL-K-0002"]  # fmt: skip
    assert raw.filter(pl.col("source_system") == "pipedrive")["contact_id"].to_list() == [
        "17", "18"]  # fmt: skip
    report = raw.filter(pl.col("source_file") == "e-sf-contact-report.csv")
    assert report["First Name"].to_list() == ["Søren", "Aino"]  # cp1252 has ø
    # Columns a file lacks are null on its rows; its own blanks are "".
    pipedrive = raw.filter(pl.col("source_system") == "pipedrive")
    assert pipedrive["Email"].to_list() == [None, None]
    assert pipedrive["Person - Email - Work"].to_list() == ["", "bram@peeters-bouw.be"]

    contacts = normalize_contacts(raw, export_files=month.files_frame())
    by_id = {row["contact_id"]: row for row in contacts.iter_rows(named=True)}
    assert by_id["0035g00000AbCdEAA1"]["bounce"] == "hard"  # 550 5.1.1
    assert by_id["0035g00000AbCdFAA1"]["bounce"] == "soft"  # 452 4.2.2 mailbox full
    assert by_id["0035g00000AbCdFAA1"]["unsubscribed"] is True
    assert by_id["0035g00000AbCdFAA1"]["bounce_reason"] == "452 4.2.2 Mailbox full"
    assert by_id["00Q5g00000LeAdAAA1"]["company"] == "Nordlys Design AB"
    assert by_id["00Q5g00000LeAdAAA1"]["lifecycle_stage"] == "lead"  # a Salesforce Lead
    assert by_id["0035g00000RePoRAA1"]["unsubscribed"] is True  # Email Opt Out = 1
    assert by_id["0035g00000RePoRAA1"]["created_at"] == datetime(2025, 3, 14)  # 14/03: day-first
    assert by_id["00Q5g00000RePoLAA1"]["created_at"] == datetime(2026, 10, 30)  # 10/30: US order
    assert by_id["17"]["lifecycle_stage"] == "customer"  # "Customer, Hot lead"
    assert by_id["17"]["unsubscribed"] is True
    assert by_id["17"]["email"] == "lotte.dewit@ziggo.nl"  # the home address, work is blank
    assert (by_id["18"]["first_name"], by_id["18"]["last_name"]) == ("Bram", "Peeters")
    assert by_id["XL-K-0002"]["bounce"] == "hard"
    assert by_id["XL-K-0002"]["unsubscribed"] is True  # Afgemeld = Ja
    assert by_id["XL-K-0001"]["created_at"] == datetime(2025, 2, 3)  # 03-02-2025, day-first
    assert by_id["XL-K-0001"]["lead_source"] == "event"  # the mapping's constant "Beurs", mapped
    assert by_id["2001"]["company"] == "Nikolaou Shipping"


def test_xlsx_cells_are_text_and_real_dates_become_iso_text(tmp_path):
    rows = [list(SPREADSHEET_ROWS[0])]
    rows[0][10] = datetime(2025, 2, 3, 9, 30)  # a real date cell, shown dd-mm-yyyy in Excel
    write_xlsx(tmp_path / MONTH / "klanten.xlsx", SPREADSHEET, rows)
    month = read_month(tmp_path, OCT, mappings=[load_mapping(EXAMPLE_MAPPING)])
    assert month.raw["Aangemaakt op"].to_list() == ["2025-02-03 09:30:00"]
    assert month.raw["Telefoon"].to_list() == [""]  # an empty cell is empty text, as in a CSV
    assert (month.files[0].encoding, month.files[0].delimiter) == ("xlsx", None)
    contacts = normalize_contacts(month.raw, export_files=month.files_frame())
    assert contacts["created_at"].to_list() == [datetime(2025, 2, 3, 9, 30)]


def test_a_quoted_field_may_hold_the_delimiter_and_a_line_break(tmp_path):
    rows = [list(row) for row in HUBSPOT_ALL_ROWS]
    rows[0][6] = "Smit, Jansen & Partners B.V."
    rows[1][7] = 'Inkoper\n"senior"'
    write_csv(tmp_path / MONTH / "c.csv", HUBSPOT_ALL, rows)
    month = read_month(tmp_path, OCT)
    assert month.raw["Company Name"][0] == "Smit, Jansen & Partners B.V."
    assert month.raw["Job Title"][1] == 'Inkoper\n"senior"'
    assert month.raw["source_row"].to_list() == [2, 3, 4]  # one record over two lines is one row
    assert month.files[0].data_lines == 3


def _lines(*rows: tuple[str, ...]) -> list[str]:
    return [",".join(row) for row in rows]


def test_malformed_rows_are_rejected_with_line_text_and_reason_the_rest_loads(tmp_path):
    good = _lines(*HUBSPOT_ALL_ROWS)
    text = "\n".join(
        [
            ",".join(HUBSPOT_ALL),
            good[0],
            '1004,"Anke,de Jong,anke@dejong.nl' + "," * 16,  # a quote that never closes
            good[1],
            "1005,Piet,Jansen,piet@jansen.nl,extra" + "," * 16,  # one field too many
            "1006,Kees,Smit",  # too few
            good[2],
            '1007,"Ans"x,Bos' + "," * 17,  # text after a closing quote
        ]
    )
    folder = tmp_path / MONTH
    folder.mkdir()
    undecodable = b"1008,Ren\xe9,Dubois,rene@dubois.fr" + b"," * 16 + b"\n"  # cp1252 in UTF-8
    (folder / "broken.csv").write_bytes(
        text.encode("utf-8").replace(b"\n1006", b"\n" + undecodable + b"1006") + b"\n"
    )
    month = read_month(tmp_path, OCT)
    _accounted(month)
    fact = month.files[0]
    assert fact.encoding == "utf-8"  # Hélène, Dörte decode: the file is UTF-8 with one bad row
    assert (fact.data_lines, fact.loaded_rows, fact.rejected_rows) == (8, 3, 5)
    assert fact.reader == "filtered"
    assert month.raw["contact_id"].to_list() == ["1001", "1002", "1003"]
    assert month.raw["source_row"].to_list() == [2, 4, 8]  # spreadsheet rows, gaps where rejected
    assert month.raw["First Name"].to_list() == ["  Hélène ", "joost", "Dörte"]
    rejected = month.rejected.sort("line")
    assert rejected["line"].to_list() == [3, 5, 6, 7, 9]
    assert rejected["source_row"].to_list() == [3, 5, 6, 7, 9]
    reasons = rejected["reason"].to_list()
    assert reasons[0].startswith("broken quoting")
    assert reasons[1] == "wrong number of fields: 21, the header has 20"
    assert reasons[2].startswith("undecodable bytes")
    assert reasons[3] == "wrong number of fields: 3, the header has 20"
    assert reasons[4].startswith("broken quoting")
    assert rejected["raw_text"][0].startswith('1004,"Anke,de Jong')
    assert rejected["raw_text"][2].startswith("1008,Ren\\xe9,Dubois")  # the byte, recoverable
    assert rejected["contact_id"].to_list() == [None] * 5


def test_a_stray_quote_costs_one_line_not_the_rest_of_the_file(tmp_path):
    good = _lines(*HUBSPOT_ALL_ROWS)
    lines = [",".join(HUBSPOT_ALL), good[0], '1009,"Eva,Mertens' + "," * 17, good[1], good[2]]
    (tmp_path / MONTH).mkdir()
    (tmp_path / MONTH / "stray.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    month = read_month(tmp_path, OCT)
    assert month.raw["contact_id"].to_list() == ["1001", "1002", "1003"]
    assert month.rejected["line"].to_list() == [3]
    assert month.files[0].data_lines == 4
    _accounted(month)


def test_a_record_id_seen_before_is_rejected_with_where_it_was_first_seen(tmp_path):
    write_csv(tmp_path / MONTH / "a.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    later = [list(HUBSPOT_ALL_ROWS[0]), list(HUBSPOT_ALL_ROWS[1])]
    later[1][0] = "1004"
    write_csv(tmp_path / MONTH / "b.csv", HUBSPOT_ALL, [*later, later[0]])
    month = read_month(tmp_path, OCT)
    _accounted(month)
    assert month.raw["contact_id"].to_list() == ["1001", "1002", "1003", "1004"]
    rejected = month.rejected
    assert rejected["reason"].to_list() == [
        "duplicate record id 1001: first seen in a.csv row 2",
        "duplicate record id 1001: first seen in a.csv row 2",
    ]
    assert rejected["source_row"].to_list() == [2, 4]
    assert rejected["contact_id"].to_list() == ["1001", "1001"]
    assert rejected["raw_text"][0] == ",".join(HUBSPOT_ALL_ROWS[0]) + "\n"  # kept whole


def test_an_id_prefix_keeps_two_crms_with_overlapping_ids_apart(tmp_path):
    write_csv(tmp_path / MONTH / "hubspot.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    clash = [list(PIPEDRIVE_ROWS[0])]
    clash[0][0] = "1001"
    write_csv(tmp_path / MONTH / "pipedrive.csv", PIPEDRIVE, clash)
    assert read_month(tmp_path, OCT).rejected.height == 1  # the clash, reported
    prefix = mapping_from_document({"base": "pipedrive", "id_prefix": "PD-"}, "pipedrive.yaml")
    month = read_month(tmp_path, OCT, mappings=[prefix])
    assert month.rejected.height == 0
    assert month.raw["contact_id"].to_list() == ["1001", "1002", "1003", "PD-1001"]
    assert month.raw["Person - ID"][3] == "1001"  # the raw column stays verbatim
    assert month.files[1].system == "pipedrive"


def test_rows_without_a_record_id_are_rejected(tmp_path):
    blank = list(HUBSPOT_ALL_ROWS[0])
    blank[0] = " "
    empty_row = [""] * len(HUBSPOT_ALL)  # Excel writes `;;;;` for an empty row in the range
    write_csv(tmp_path / MONTH / "noid.csv", HUBSPOT_ALL, [blank, HUBSPOT_ALL_ROWS[1], empty_row],
              sep=";")  # fmt: skip
    month = read_month(tmp_path, OCT)
    assert month.raw["contact_id"].to_list() == ["1002"]
    assert month.rejected["reason"].to_list() == ["no record id in column 'Record ID'"] * 2
    assert month.rejected["raw_text"][1] == ";" * (len(HUBSPOT_ALL) - 1) + "\n"
    _accounted(month)


def test_empty_lines_are_not_records(tmp_path):
    text = csv_bytes(HUBSPOT_ALL, HUBSPOT_ALL_ROWS).replace(b"\n1002", b"\n\n1002") + b"\n\n"
    (tmp_path / MONTH).mkdir()
    (tmp_path / MONTH / "gaps.csv").write_bytes(text)
    month = read_month(tmp_path, OCT)
    assert month.raw["source_row"].to_list() == [2, 3, 4]
    assert (month.files[0].data_lines, month.rejected.height) == (3, 0)


def test_missing_month_names_the_folder_it_looked_in(tmp_path):
    with pytest.raises(ExportError, match=r"2026-10.*looked in .*2026-10"):
        read_month(tmp_path, OCT)


def test_unknown_header_lists_what_it_saw_and_how_to_write_a_mapping(tmp_path):
    write_csv(tmp_path / MONTH / "odd.csv", ["Naam", "E-mailadres"], [["x", "y"]])
    with pytest.raises(ExportError, match=r"no export of 2026-10 could be read: odd\.csv") as error:
        read_month(tmp_path, OCT)
    message = str(error.value)
    assert "Headers seen: ['Naam', 'E-mailadres']" in message
    assert "column mapping" in message and "example-spreadsheet.yaml" in message


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        ([*HUBSPOT_ALL, "Email"], [[*HUBSPOT_ALL_ROWS[0], "x"]], "two columns share one name"),
        ([*HUBSPOT_ALL, ""], [[*HUBSPOT_ALL_ROWS[0], "x"]], "column 21 of the header row has no"),
        (
            HUBSPOT_ALL[1:],
            [HUBSPOT_ALL_ROWS[0][1:]],
            "recognised as a hubspot export but it has no",
        ),
        (["Lead ID", "First Name", "Last Name", "snapshot"], [["1", "a", "b", "c"]], "clash"),
    ],
)
def test_file_level_problems_fail_naming_the_file_and_the_fix(tmp_path, header, rows, message):
    write_csv(tmp_path / MONTH / "export.csv", header, rows)
    with pytest.raises(ExportError, match=rf"export.csv.*{message}"):
        read_month(tmp_path, OCT)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"\xef\xbb\xbf\r\n", "is empty"),
     (",".join(HUBSPOT_ALL).encode() + b"\n", "no contacts")],
)  # fmt: skip
def test_empty_and_header_only_files_fail_with_the_file_name(tmp_path, content, message):
    (tmp_path / MONTH).mkdir()
    (tmp_path / MONTH / "export.csv").write_bytes(content)
    with pytest.raises(ExportError, match=rf"export.csv.*{message}"):
        read_month(tmp_path, OCT)


def test_a_workbook_with_data_on_a_second_sheet_is_refused(tmp_path):
    import xlsxwriter

    (tmp_path / MONTH).mkdir()
    workbook = xlsxwriter.Workbook(str(tmp_path / MONTH / "two.xlsx"))
    workbook.add_worksheet("Contacts").write_row(0, 0, ["Record ID", "Email", "Contact owner"])
    workbook.worksheets()[0].write_row(1, 0, ["1", "a@b.nl", "x"])
    workbook.add_worksheet("Notes").write(0, 0, "call back")
    workbook.close()
    with pytest.raises(ExportError, match=r"two.xlsx.*\['Notes'\] hold data"):
        read_month(tmp_path, OCT)


def test_excel_lock_files_are_ignored_and_other_files_explained(tmp_path):
    write_csv(tmp_path / MONTH / "contacts.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    (tmp_path / MONTH / "~$contacts.xlsx").write_bytes(b"lock")
    assert read_month(tmp_path, OCT).raw.height == 3
    (tmp_path / MONTH / "contacts.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    month = read_month(tmp_path, OCT)  # the other file still loads
    assert month.raw.height == 3
    [refused] = month.refused
    assert refused.name == "contacts.xls" and "cannot read .xls files" in refused.reason
    files = month.files_frame()
    assert files.filter(pl.col("status") == "refused")["source_file"].to_list() == ["contacts.xls"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"match": {"headers": ["Naam"]}, "fields": {"email": "Mail"}}, "`id_column` is required"),
        ({"id_column": "Nr", "fields": {"mail": "Mail"}}, r"unknown field under `fields`"),
        ({"base": "zoho", "id_prefix": "Z-"}, "unknown `base` 'zoho'"),
        ({"id_column": "Nr", "fields": {"email": "Mail"}, "date_order": "ymd"}, "date_order"),
    ],
)
def test_a_wrong_mapping_names_its_file_and_key(document, message):
    with pytest.raises(ColumnMappingError, match=rf"klanten.yaml.*{message}"):
        mapping_from_document(document, "klanten.yaml")


# -- The Dagster layer: one transaction, and the blocking check that nothing was lost ----------


def _materialize(data_dir: Path, *extra) -> dg.ExecuteInProcessResult:
    """The assets' own steps evaluate their checks: raw_contacts' come with it."""
    return dg.materialize(
        [raw_contacts, *extra],
        partition_key="2026-10-01",
        resources={"hygiene": HygieneResource(data_dir=str(data_dir), nameservers="off")},
        raise_on_error=False,
    )


def _evaluation(result: dg.ExecuteInProcessResult, name: str) -> dg.AssetCheckEvaluation:
    [evaluation] = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    return evaluation


def test_raw_rejected_and_export_files_are_written_together_and_the_check_passes(tmp_path):
    exports = tmp_path / "exports"
    write_csv(exports / MONTH / "a.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS, sep=";", encoding="cp1252")
    write_csv(exports / MONTH / "b.csv", HUBSPOT_ALL, [HUBSPOT_ALL_ROWS[0], ("1010", "x")])
    mappings = tmp_path / "column_mappings"
    mappings.mkdir()
    (mappings / "klanten.yaml").write_text(EXAMPLE_MAPPING.read_text(encoding="utf-8"))
    write_xlsx(exports / MONTH / "c.xlsx", SPREADSHEET, SPREADSHEET_ROWS)
    result = _materialize(tmp_path, normalized_contacts)
    assert result.success
    assert _evaluation(result, "every_export_row_accounted_for").passed
    with duckdb.connect(str(tmp_path / "hygiene.duckdb"), read_only=True) as con:
        files = con.execute(
            "SELECT source_file, format, encoding, data_lines, loaded_rows, rejected_rows "
            "FROM export_files ORDER BY 1"
        ).fetchall()
        reasons = con.execute("SELECT source_file, reason FROM rejected_rows").fetchall()
        systems = con.execute(
            "SELECT source_system, count(*) FROM normalized_contacts GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert files == [
        ("a.csv", "hubspot", "cp1252", 3, 3, 0),
        ("b.csv", "hubspot", "utf-8", 2, 0, 2),
        ("c.xlsx", "mapping:klanten", "xlsx", 2, 2, 0),
    ]
    assert sorted(reasons) == [
        ("b.csv", "duplicate record id 1001: first seen in a.csv row 2"),
        ("b.csv", "wrong number of fields: 2, the header has 20"),
    ]
    assert systems == [("hubspot", 3), ("spreadsheet", 2)]  # the mapping reached normalize


def test_a_month_without_rejections_still_leaves_a_typed_rejected_rows_table(tmp_path):
    write_csv(tmp_path / "exports" / MONTH / "a.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    assert _materialize(tmp_path).success
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    rejected = store.read_partition("rejected_rows", OCT)
    assert rejected.height == 0
    assert rejected.schema["line"] == pl.Int64 and rejected.schema["snapshot"] == pl.Date


def test_a_lost_row_fails_the_blocking_check_and_stops_the_month(tmp_path, monkeypatch):
    write_csv(tmp_path / "exports" / MONTH / "a.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    import assets.raw_contacts as module

    def losing_read_month(*args, **kwargs) -> MonthExports:
        month = read_month(*args, **kwargs)
        return MonthExports(month.snapshot, month.raw.head(2), month.rejected, month.files)

    monkeypatch.setattr(module, "read_month", losing_read_month)
    result = _materialize(tmp_path, normalized_contacts)
    assert not result.success
    evaluation = _evaluation(result, "every_export_row_accounted_for")
    assert not evaluation.passed
    assert "a.csv" in evaluation.description
    materialized = {event.asset_key.path[-1] for event in result.get_asset_materialization_events()}
    assert materialized == {"raw_contacts"}  # normalized_contacts never ran
    accounting = row_accounting(HygieneStore(tmp_path / "hygiene.duckdb"), OCT)
    assert accounting.select("source_file", "data_lines", "raw_rows", "accounted").rows() == [
        ("a.csv", 3, 2, False)
    ]


def test_a_quote_inside_an_unquoted_field_is_kept_even_where_polars_would_refuse_it(tmp_path):
    lines = _lines(*HUBSPOT_ALL_ROWS)
    lines[1] = lines[1].replace("Brouwer Logistiek B.V.", 'Brouwer 12" Logistiek')
    (tmp_path / MONTH).mkdir()
    (tmp_path / MONTH / "q.csv").write_text(
        "\n".join([",".join(HUBSPOT_ALL), *lines, "1004,short"]) + "\n", encoding="utf-8"
    )
    month = read_month(tmp_path, OCT)
    assert month.files[0].reader == "row-by-row"  # polars refuses the quote; csv keeps it
    assert month.raw["Company Name"][1] == 'Brouwer 12" Logistiek'
    assert month.raw["source_row"].to_list() == [2, 3, 4]
    assert month.rejected["source_row"].to_list() == [5]
    _accounted(month)
