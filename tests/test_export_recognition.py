"""Every real export is understood, or refused with a reason: never misread.

The fixtures in tests/fixtures/exports/ (invented people) were written independently of the
header dictionaries, from what HubSpot (en, nl, de, fr, internal names), Salesforce (Data Loader
with relationship and custom columns, a German report), Pipedrive (typed, untyped, Dutch) and
hand-kept spreadsheets (nl, fr, el) write; expected.yaml says where each field is.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl
import pytest
import yaml

from hygiene_pipeline.ingest.export_table import ExportError
from hygiene_pipeline.ingest.header_dictionary import (
    HeaderDictionaryError,
    fold,
    system_dictionary,
)
from hygiene_pipeline.ingest.month_exports import read_export
from hygiene_pipeline.ingest.read_report import main as read_report_main
from hygiene_pipeline.ingest.recognition import recognise
from hygiene_pipeline.prune.policy import PrunePolicy
from tests.engine_month import MONTH, acted_on_protected, run_month

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))
FILES = sorted(EXPECTED)
PROTECTED = {"customer", "evangelist", "opportunity"}


def _listed(value) -> list[str]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("name", FILES)
def test_every_field_of_every_fixture_is_read_from_the_right_column(name: str):
    expected = EXPECTED[name]
    reading = read_export(FIXTURES / name).reading
    assert reading.fmt.system == expected["system"]
    assert reading.record_id == expected["record_id"]
    read = {field: list(columns) for field, columns in reading.fmt.fields.items()}
    assert read == {field: _listed(columns) for field, columns in expected["fields"].items()}


@pytest.mark.parametrize("name", FILES)
def test_protected_contacts_of_every_fixture_are_read_as_protected(tmp_path: Path, name: str):
    month = tmp_path / "exports" / "2026-10"
    month.mkdir(parents=True)
    shutil.copy(FIXTURES / name, month / name)
    result = run_month(tmp_path / "exports")
    stages = dict(result.contacts.select("contact_id", "lifecycle_stage").iter_rows())
    protected = {cid for cid, stage in stages.items() if stage in PROTECTED}
    assert protected == set(EXPECTED[name]["protected_ids"])
    assert acted_on_protected(result, protected) == []
    if "lifecycle_stage" not in EXPECTED[name]["fields"]:
        # A hand-kept sheet says nothing about customers: nobody is deleted or re-engaged.
        assert result.prune.filter(pl.col("action").is_in(["delete", "re_engage"])).height == 0
        held = result.prune.filter(pl.col("action") == "quarantine")
        assert held.height and all(
            any(r.startswith("protection_unknown: ") for r in reasons)
            for reasons in held.get_column("reasons").to_list()
            if "duplicate_of" not in " ".join(reasons)
        )


@pytest.mark.parametrize(
    ("headers", "header", "field"),
    [
        (["Record ID", "Contact owner"], "E-mail", "email"),
        (["Record ID", "Contact owner"], "e_mail", "email"),
        (["Record ID", "Contact owner"], "EMAIL", "email"),
        (["Person - ID", "Person - Name"], "Person - Email - Work", "email"),
        (["Persoon - ID", "Persoon - Naam"], "Persoon - E-mail - Werk", "email"),
        (["Personne - ID", "Personne - Nom", "Personne - E-mail"], "Personne - Téléphone - Mobile",
         "phone"),
        (["Id", "LastName", "AccountId", "Email"], "Lifecycle_Stage__c", "lifecycle_stage"),
        (["Id", "LastName", "AccountId", "Email"], "ACCOUNT.NAME", "company"),
        (["Id", "LastName", "AccountId", "Email"], "Account.Name", "company"),
    ],
)  # fmt: skip
def test_headers_are_compared_folded_with_their_prefixes(headers, header, field):
    reading = recognise([*headers, header], None, "x.csv")
    assert header in reading.fmt.source_columns(field)


def test_a_dutch_spreadsheet_column_of_addresses_is_read_when_header_and_values_agree():
    rows = pl.DataFrame(
        {
            "Klantnummer": ["K1", "K2", "K3"],
            "Naam": ["Sanne Bakker", "Wouter Visser", "Eva de Wit"],
            "Correspondentie-mail": ["sanne@bakkerij.nl", "w.visser@visser.nl", "eva@dewit.nl"],
            "Contactgegevens": ["sanne@bakkerij.nl", "w.visser@visser.nl", "eva@dewit.nl"],
            "Ingevoerd": ["03-02-2025", "11-01-2025", "01-09-2026"],
        }
    )
    reading = recognise(rows.columns, rows, "klanten.csv")
    assert reading.fmt.source_columns("email") == ("Correspondentie-mail",)
    sources = {(s.field, s.column): s.how for s in reading.sources}
    assert sources[("email", "Correspondentie-mail")] == "content"
    # "Ingevoerd" (entered) hints at nothing the dictionary knows: its dates are not guessed.
    assert "Ingevoerd" in reading.unread and "Contactgegevens" in reading.unread
    alone = rows.drop("Correspondentie-mail")
    with pytest.raises(ExportError, match="I could not find an email column or a phone column"):
        recognise(alone.columns, alone, "klanten.csv")
    with pytest.raises(ExportError, match="'Contactgegevens' holds email addresses"):
        recognise(alone.columns, alone, "klanten.csv")


def test_values_never_decide_the_protection_field():
    rows = pl.DataFrame(
        {"ID": ["1", "2"], "Email": ["a@b.nl", "c@d.nl"], "Fase": ["Klant", "Lead"]}
    )
    reading = recognise(rows.columns, rows, "sheet.csv")
    assert reading.fmt.source_columns("lifecycle_stage") == ()
    assert "lifecycle_stage" in reading.missing


def test_no_email_and_no_phone_column_refuses_the_file_naming_headers_and_fix():
    with pytest.raises(ExportError) as error:
        recognise(["Person - ID", "Person - Name", "Person - Labels"], None, "people.csv")
    message = str(error.value)
    assert "people.csv" in message and "'Person - Labels'" in message
    assert "column mapping" in message


def test_a_mapping_wins_over_the_dictionary(tmp_path: Path):
    from hygiene_pipeline.ingest.column_mapping import mapping_from_document

    mapping = mapping_from_document(
        {"base": "hubspot", "fields": {"email": "Work email"}}, "hubspot-custom.yaml"
    )
    headers = ["Record ID", "Email", "Work email", "Lifecycle Stage"]
    reading = recognise(headers, None, "x.csv", [mapping])
    assert reading.fmt.source_columns("email") == ("Work email",)
    assert {(s.column, s.how) for s in reading.sources if s.field == "email"} == {
        ("Work email", "mapping")
    }
    assert "Email" in reading.unread


def test_a_file_without_lifecycle_stage_quarantines_instead_of_deleting(tmp_path: Path):
    month = tmp_path / "exports" / "2026-10"
    month.mkdir(parents=True)
    source = FIXTURES / "salesforce-contact-dataloader.csv"
    frame = pl.read_csv(source, infer_schema=False).drop("Lifecycle_Stage__c")
    frame.write_csv(month / "contacts.csv")
    careful = run_month(tmp_path / "exports")
    assert careful.exports.files[0].reading.missing == ("lifecycle_stage",)
    assert careful.prune.filter(pl.col("action").is_in(["delete", "re_engage"])).height == 0
    reasons = [r for rs in careful.prune.get_column("reasons").to_list() for r in rs]
    assert "protection_unknown: contacts.csv has no lifecycle stage column" in reasons
    accepting = run_month(
        tmp_path / "exports", policy=PrunePolicy(accept_unknown=("lifecycle_stage",))
    )
    assert accepting.prune.filter(pl.col("action") == "delete").height > 0
    assert not any(
        r.startswith("protection_unknown")
        for rs in accepting.prune.get_column("reasons").to_list()
        for r in rs
    )


def test_a_file_without_an_opt_out_column_is_never_re_engaged_by_email(tmp_path: Path):
    month = tmp_path / "exports" / "2026-10"
    month.mkdir(parents=True)
    shutil.copy(FIXTURES / "pipedrive-untyped.csv", month / "people.csv")
    result = run_month(tmp_path / "exports")
    assert "unsubscribed" in result.exports.files[0].reading.missing
    assert result.contacts.get_column("unsubscribed").null_count() == result.contacts.height
    assert result.prune.filter(pl.col("action") == "re_engage").height == 0
    reasons = [r for rs in result.prune.get_column("reasons").to_list() for r in rs]
    assert "unsubscribe_unknown: people.csv has no unsubscribe column" in reasons


def test_the_read_report_prints_read_and_unread_columns_for_every_fixture(capsys):
    assert read_report_main([str(FIXTURES / name) for name in FILES]) == 0
    printed = capsys.readouterr().out
    for name in FILES:
        assert f"**{name}**: read as" in printed
    assert "Columns not read: `Civilité`, `Remarques`" in printed  # the French sheet
    assert "| lifecycle_stage | `Lifecycle_Stage__c` | its header |" in printed
    assert "no column tells `lifecycle_stage`" in printed  # the spreadsheets
    assert re.search(r"[\w.+-]+@[\w-]+\.\w+", printed) is None  # column names, never values


def test_the_read_report_says_why_a_file_is_refused(tmp_path: Path, capsys):
    path = tmp_path / "people.csv"
    path.write_text("Person - ID,Person - Name\n1,Eva de Wit\n", encoding="utf-8")
    assert read_report_main([str(path)]) == 2
    assert "REFUSED" in capsys.readouterr().out


def test_a_dictionary_with_one_header_under_two_fields_is_refused():
    document = {
        "system": "x",
        "formats": [{"name": "x", "record_id": ["ID"]}],
        "fields": {"email": {"en": ["Mail"]}, "phone": {"de": ["MAIL"]}},
    }
    with pytest.raises(HeaderDictionaryError, match="listed under both email and phone"):
        system_dictionary(document, "x.yaml")
    with pytest.raises(HeaderDictionaryError, match="unknown key"):
        system_dictionary({**document, "fields": {"emial": ["Mail"]}}, "x.yaml")


def test_fold_ignores_case_accents_punctuation_spacing_and_the_custom_suffix():
    assert fold("E-mail") == fold("e_mail") == fold("EMAIL") == fold(" Email ") == "email"
    assert fold("Téléphone") == "telephone"
    assert fold("Lifecycle_Stage__c") == fold("Lifecycle Stage") == "lifecyclestage"
    assert fold("Ηλεκτρονικό ταχυδρομείο") == "ηλεκτρονικοταχυδρομειο"
    assert MONTH.year == 2026


def test_the_run_records_how_each_file_was_read_and_warns_about_missing_columns(tmp_path: Path):
    import dagster as dg

    from assets.raw_contacts import raw_contacts
    from assets.resources import HygieneResource
    from hygiene_pipeline.store import HygieneStore

    month = tmp_path / "exports" / "2026-10"
    month.mkdir(parents=True)
    shutil.copy(FIXTURES / "hubspot-nl.csv", month / "hubspot-nl.csv")
    shutil.copy(FIXTURES / "spreadsheet-fr.csv", month / "klanten.csv")
    result = dg.materialize(
        [raw_contacts],  # its step evaluates its checks
        partition_key="2026-10-01",
        resources={"hygiene": HygieneResource(data_dir=str(tmp_path), nameservers="off")},
    )
    [materialization] = result.get_asset_materialization_events()
    metadata = materialization.materialization.metadata
    read = metadata["columns_read"].value
    assert "**hubspot-nl.csv**: read as `hubspot`" in read
    assert "| lifecycle_stage | `Levenscyclusfase` | its header |" in read
    assert "Columns not read: `Civilité`, `Remarques`" in read
    assert metadata["files_missing_decision_columns"].value == 1
    evaluations = result.get_asset_check_evaluations()
    [check] = [e for e in evaluations if e.check_name == "decision_columns_present"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert "klanten.csv has no lifecycle_stage column" in check.description
    assert "hubspot-nl.csv" not in check.description
    files = HygieneStore(tmp_path / "hygiene.duckdb").read_partition("export_files", MONTH)
    by_name = {row["source_file"]: row for row in files.iter_rows(named=True)}
    assert by_name["klanten.csv"]["missing_fields"] == ["lifecycle_stage", "unsubscribed", "bounce"]
    assert by_name["klanten.csv"]["unread_columns"] == ["Civilité", "Remarques"]
    sources = yaml.safe_load(by_name["hubspot-nl.csv"]["field_sources"])
    assert sources["email"] == [{"column": "E-mail", "how": "header"}]
