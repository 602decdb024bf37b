"""The cleaned data goes back to the CRM: update files, undo files, a status for every contact.

The round trip is what a user does: import the update file into the CRM (by record id, a cell
written where the file has a value), export again next month, run it. Cleaning cleaned data must
change nothing in the written-back fields; importing the undo file must give back the export.
"""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from hygiene_pipeline.crm_files.action_files import action_tables, crm_records, write_file_set
from hygiene_pipeline.crm_files.update_files import STATUS_COLUMNS, status_tables, update_tables
from hygiene_pipeline.crm_files.updates import corrections, in_contact_order
from hygiene_pipeline.crm_files.writeback_settings import (
    WritebackSettings,
    WritebackSettingsError,
    load_writeback_settings,
)
from hygiene_pipeline.ingest.formats import formats_from_export_files
from hygiene_pipeline.ingest.month_exports import RECORD_INDEX, read_export
from tests.engine_month import MonthResult, run_month

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
# One fixture per export format: HubSpot labels (Dutch), Salesforce Data Loader, Pipedrive typed,
# a French spreadsheet; each has local phone formats, odd casing and spacing to correct.
ROUND_TRIPS = ["hubspot-nl.csv", "hubspot-en.csv", "salesforce-contact-dataloader.csv",
               "pipedrive-typed.csv", "spreadsheet-fr.csv"]  # fmt: skip
NEXT = date(2026, 11, 1)


def _month(root: Path, name: str, frame: pl.DataFrame, snapshot: date) -> MonthResult:
    folder = root / "exports" / snapshot.strftime("%Y-%m")
    folder.mkdir(parents=True, exist_ok=True)
    frame.write_csv(folder / f"{Path(name).stem}.csv")
    return run_month(root / "exports", snapshot=snapshot)


def _files(result: MonthResult, settings: WritebackSettings | None = None):
    settings = settings or WritebackSettings()
    exports = result.exports
    found = corrections(
        exports.raw, result.contacts, result.changes, result.merge_plan, result.validation,
        result.prune, formats_from_export_files(exports.files_frame()), settings,
    )  # fmt: skip
    empty = result.contacts.head(0).select("contact_id", "source_file")
    records = crm_records(result.contacts, empty, exports.files_frame())
    raw = in_contact_order(exports.raw, result.contacts)
    return found, update_tables(found, raw, records, exports.raw.columns), records


def _apply(export: pl.DataFrame, id_column: str, table: pl.DataFrame, *, blanks: bool):
    """What a CRM importer does with an update file: find each record by its id, write the
    cells the file holds (with `blanks`, also write its empty cells: the undo's setting)."""
    updated = export
    for row in table.iter_rows(named=True):
        record = row.pop(id_column)
        for column, value in row.items():
            if value or blanks:
                updated = updated.with_columns(
                    pl.when(pl.col(id_column) == record)
                    .then(pl.lit(value or "", dtype=pl.String))
                    .otherwise(pl.col(column))
                    .alias(column)
                )
    return updated


@pytest.mark.parametrize("name", ROUND_TRIPS)
def test_importing_the_updates_leaves_nothing_to_clean_and_the_undo_restores_the_export(
    tmp_path: Path, name: str
):
    original = read_export(FIXTURES / name).table.rows.drop(RECORD_INDEX)
    first = _month(tmp_path / "a", name, original, date(2026, 10, 1))
    found, tables, _ = _files(first)
    fmt = first.exports.files[0].format
    id_column = fmt.id_columns[0]
    [updates_name] = [n for n in tables if n.endswith("-updates.csv")]
    updates = tables[updates_name]
    undo = tables[updates_name.replace("-updates", "-undo")]
    assert updates.height > 0 and updates.columns == undo.columns
    corrected = found.cells.select("contact_id", "field").unique()
    assert {"phone"} <= set(corrected.get_column("field"))

    imported = _apply(original, id_column, updates, blanks=False)
    second = _month(tmp_path / "b", name, imported, NEXT)
    again = second.changes.join(corrected, on=["contact_id", "field"], how="inner")
    assert again.height == 0, again.select("contact_id", "field", "rule").to_dicts()[:5]
    nothing_new = _files(second)[0].cells.filter(pl.col("rule") != "golden_record")
    assert nothing_new.height == 0  # next month's update file has no correction left

    restored = _apply(imported, id_column, undo, blanks=True)
    columns = [c for c in undo.columns if c != id_column]
    assert restored.select(columns).equals(original.select(columns))


def test_an_uncorrectable_value_is_never_overwritten(tmp_path: Path):
    rows = pl.DataFrame(
        {
            "Record ID": ["1", "2", "3", "4"],
            "First Name": ["Dr. Anna", "JAN", "Eva", "Piet"],
            "Last Name": ["de Vries", "JANSEN", "Bakker", "Smit"],
            "Email": ["anna@vries.nl", "jan@jansen.nl", "eva@bakker.nl", "piet@smit.nl"],
            "Phone Number": ["06 1234", "06 41234567", "020 5551234 toestel 12", "+31 20 5551234"],
            "Lifecycle Stage": ["customer", "lead", "lead", "lead"],
            "Contact owner": ["Jan Peeters"] * 4,
        }
    )
    result = _month(tmp_path, "hubspot.csv", rows, date(2026, 10, 1))
    cells = _files(result)[0].cells
    by_contact = {(r["contact_id"], r["field"]): r for r in cells.iter_rows(named=True)}
    assert ("1", "phone") not in by_contact  # 06 1234 is no number: left as typed
    assert ("1", "first_name") not in by_contact  # "Dr." moved out: the CRM would lose it
    assert by_contact[("2", "first_name")]["after"] == "Jan"
    assert by_contact[("2", "phone")]["after"] == "+31641234567"
    assert ("3", "phone") not in by_contact  # an extension E.164 cannot hold
    assert by_contact[("4", "phone")]["after"] == "+31205551234"


def test_a_field_the_settings_leave_out_is_never_written(tmp_path: Path):
    rows = pl.DataFrame(
        {
            "Record ID": ["1"], "First Name": ["ANNA"], "Last Name": ["de Vries"],
            "Email": ["anna@vries.nl"], "Job Title": ["HEAD OF SALES"],
            "Lifecycle Stage": ["lead"], "Contact owner": ["Jan Peeters"],
        }
    )  # fmt: skip
    result = _month(tmp_path, "hubspot.csv", rows, date(2026, 10, 1))
    assert {"first_name", "job_title"} <= set(_files(result)[0].cells.get_column("field"))
    settings = WritebackSettings(fields=("first_name", "last_name", "email", "phone"))
    assert "job_title" not in _files(result, settings)[0].cells.get_column("field").to_list()


def test_email_typo_fixes_appear_only_when_switched_on(tmp_path: Path):
    rows = pl.DataFrame(
        {
            "Record ID": ["1"], "First Name": ["Anna"], "Last Name": ["de Vries"],
            "Email": ["anna.devries@gmial.com"], "Lifecycle Stage": ["lead"],
            "Contact owner": ["Jan Peeters"],
        }
    )  # fmt: skip
    result = _month(tmp_path, "hubspot.csv", rows, date(2026, 10, 1))
    assert _files(result)[0].cells.filter(pl.col("field") == "email").height == 0
    fixed = _files(result, WritebackSettings(email_suggestions=True))[0].cells
    [cell] = fixed.filter(pl.col("field") == "email").iter_rows(named=True)
    assert (cell["column"], cell["after"], cell["rule"]) == (
        "Email", "anna.devries@gmail.com", "email_typo",
    )  # fmt: skip


def test_a_second_address_goes_to_the_other_field_when_empty_else_the_cell_stays(tmp_path):
    rows = pl.DataFrame(
        {
            "Person - ID": ["1", "2"],
            "Person - Name": ["Anna de Vries", "Eva Bakker"],
            "Person - Email - Work": ["anna@vries.nl; anna.devries@gmail.com",
                                      "eva@bakker.nl, e.bakker@ziggo.nl"],
            "Person - Email - Home": ["", "eva.thuis@ziggo.nl"],
            "Person - Labels": ["Customer", "Hot lead"],
        }
    )  # fmt: skip
    result = _month(tmp_path, "pipedrive.csv", rows, date(2026, 10, 1))
    cells = _files(result)[0].cells.filter(pl.col("field") == "email")
    written = {(r["contact_id"], r["column"]): r["after"] for r in cells.iter_rows(named=True)}
    assert written == {
        ("1", "Person - Email - Work"): "anna@vries.nl",
        ("1", "Person - Email - Home"): "anna.devries@gmail.com",
    }  # contact 2's other field is taken: both addresses stay in the cell as typed


def test_a_survivor_without_a_raw_row_gets_no_golden_record(tmp_path: Path):
    """Its CRM fields are unknown (raw_contacts re-read without it): a fill could overwrite one."""
    header = [
        "Record ID",
        "First Name",
        "Last Name",
        "Email",
        "Phone Number",
        "Company Name",
        "Job Title",
        "Create Date",
        "Last Modified Date",
        "Lifecycle Stage",
    ]
    email = "chloe.lambert@lambert-design.fr"
    rows = [
        ["301", "Chloé", "Lambert", email, "", "Lambert Design", "", "2024-03-01 09:00",
         "2026-02-01 10:00", "Lead"],
        ["302", "Chloé", "Lambert", email, "", "", "", "2025-01-10 09:00", "2026-06-01 10:00",
         "Customer"],
        ["303", "Chloe", "Lambert", email, "+33 6 12 87 34 02", "", "Directrice artistique",
         "2025-06-01 09:00", "2026-09-01 10:00", "Lead"],
        ["304", "Jan", "de Vries", "jan.devries@vries-bouw.nl", "+31 20 123 4567",
         "Vries Bouw BV", "Projectleider", "2024-01-01 09:00", "2026-09-15 10:00", "Lead"],
    ]  # fmt: skip
    result = _month(tmp_path, "hubspot.csv", pl.DataFrame(rows, schema=header, orient="row"),
                    date(2026, 10, 1))  # fmt: skip
    found = _files(result)[0]
    golden = found.cells.filter(pl.col("rule") == "golden_record")
    assert set(golden.select("contact_id", "column").iter_rows()) == {
        ("302", "Company Name"),
        ("302", "Job Title"),
        ("302", "Phone Number"),
    }  # the survivor's blanks, filled from the records merged into it

    raw = result.exports.raw.filter(pl.col("contact_id") != "302")
    formats = formats_from_export_files(result.exports.files_frame())
    without = corrections(raw, result.contacts, result.changes, result.merge_plan,
                          result.validation, result.prune, formats,
                          WritebackSettings())  # fmt: skip
    assert "302" not in without.cells.get_column("contact_id").to_list()
    others = found.cells.filter(pl.col("contact_id") != "302")
    assert without.cells.sort("contact_id", "column").equals(others.sort("contact_id", "column"))


def test_a_formula_in_a_name_keeps_the_contact_out_of_the_update_files_and_neutralized_elsewhere(
    tmp_path: Path,
):
    rows = pl.DataFrame(
        {
            "Record ID": ["1", "2"],
            "First Name": ['=HYPERLINK("http://x.example","click")', "JAN"],
            "Last Name": ["Visser", "JANSEN"],
            "Email": ["anna@visser-bouw.nl", "jan@jansen.nl"],
            "Phone Number": ["06 41234567", "06 41234568"],
            "Lifecycle Stage": ["lead", "lead"],
            "Contact owner": ["Jan Peeters"] * 2,
        }
    )
    result = _month(tmp_path, "hubspot.csv", rows, date(2026, 10, 1))
    found, tables, records = _files(result)
    assert found.held_back == 1
    assert set(found.cells.get_column("contact_id")) == {"2"}
    out = tmp_path / "out"
    files = {**tables, **action_tables(result.prune, records)}
    write_file_set(files, out, verbatim=frozenset(tables))
    with (out / "hubspot-updates.csv").open(encoding="utf-8-sig", newline="") as handle:
        [header, row] = list(csv.reader(handle))
    assert row[header.index("Phone Number")] == "+31641234568"  # stored as written, no apostrophe
    # The same value in a file meant for people is neutralized: write_file_set, not verbatim.
    shown = pl.DataFrame({"Record ID": ["1"], "Name": ['=HYPERLINK("http://x.example","click")']})
    write_file_set({"review.csv": shown, "updates.csv": tables["hubspot-updates.csv"]}, out,
                   verbatim=frozenset({"updates.csv"}))  # fmt: skip
    with (out / "review.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert list(csv.reader(handle))[1][1] == '\'=HYPERLINK("http://x.example","click")'


def test_a_status_for_every_contact_with_its_action(tmp_path: Path):
    shutil.copy(FIXTURES / "hubspot-en.csv", tmp_path / "x.csv")
    original = read_export(tmp_path / "x.csv").table.rows.drop(RECORD_INDEX)
    result = _month(tmp_path, "hubspot-en.csv", original, date(2026, 10, 1))
    records = crm_records(result.contacts, result.contacts.head(0), result.exports.files_frame())
    [(name, status)] = status_tables(
        result.contacts, result.validation, result.prune, records, date(2026, 10, 1)
    ).items()
    assert name == "hubspot-status.csv"
    assert status.columns == ["Record ID", *STATUS_COLUMNS]
    assert status.height == result.contacts.height
    actions = dict(zip(status["Record ID"], status["hygiene_action"], strict=True))
    for row in result.prune.iter_rows(named=True):
        assert actions[row["contact_id"]] == row["action"]
    assert set(actions.values()) - {"delete", "merge", "quarantine", "re_engage"} == {"keep"}
    assert set(status["hygiene_month"]) == {"2026-10"}
    assert not status["hygiene_main_issue"].str.contains("@").any()  # rule names, no evidence


def test_the_settings_file_is_validated(tmp_path: Path):
    assert load_writeback_settings(tmp_path) == WritebackSettings()
    (tmp_path / "writeback.yaml").write_text(
        "fields: [first_name, email]\nemail_suggestions: true\n"
    )
    loaded = load_writeback_settings(tmp_path)
    assert loaded.fields == ("first_name", "email") and loaded.email_suggestions
    for text, message in [
        ("field: [email]\n", r"unknown settings \['field'\]"),
        ("fields: [lifecycle_stage]\n", "cannot be written back"),
        ("email_suggestions: yes please\n", "must be true or false"),
    ]:
        (tmp_path / "writeback.yaml").write_text(text)
        with pytest.raises(WritebackSettingsError, match=message):
            load_writeback_settings(tmp_path)
