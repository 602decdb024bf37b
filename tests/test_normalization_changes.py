"""normalization_changes: every field normalization changed, before and after, nothing else."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from assets.normalized_contacts import normalized_contacts
from assets.raw_contacts import raw_contacts
from assets.resources import HygieneResource
from hygiene_pipeline import schema
from hygiene_pipeline.normalize.contacts import CHANGE_FIELDS, normalize_with_changes
from hygiene_pipeline.normalize.vocabularies import VocabularyError, load_vocabularies
from hygiene_pipeline.store import HygieneStore, Purge
from tests.export_fixtures import write_csv

OCT = date(2026, 10, 1)
HEADERS = ("Record ID", "First Name", "Last Name", "Email", "Phone Number", "Company Name",
           "Job Title", "Contact owner", "Original Source", "Lifecycle Stage", "Lead Status",
           "Country/Region")  # fmt: skip
# One row already clean (no change expected), one with something to fix in every field.
CLEAN = ("2001", "Sanne", "de Vries", "sanne@brouwer-logistiek.nl", "+31612345678",
         "Brouwer Logistiek B.V.", "Hoofd Inkoop", "Jan Peeters", "organic_search", "lead",
         "Open", "NL")  # fmt: skip
MESSY = ("2002", "DR. PIET", "VAN DER BERG jr", "mailto:Piet@Berg-Bouw.NL.", "06-12345678",
         "Berg  Bouw 🏗️ B.V.", "HEAD OF SALES", "Jan  Peeters", "Beurs", "Klant",
         "In  progress", "Nederland")  # fmt: skip


def _raw(rows: list[tuple[str, ...]]) -> pl.DataFrame:
    frame = pl.DataFrame([dict(zip(HEADERS, row, strict=True)) for row in rows])
    return frame.with_columns(
        pl.lit(OCT).alias("snapshot"),
        pl.col("Record ID").alias("contact_id"),
        pl.lit("hubspot-contacts.csv").alias("source_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("source_row"),
        pl.lit("hubspot").alias("source_system"),
    )


def test_every_changed_field_is_on_record_and_unchanged_fields_are_not():
    raw = _raw([CLEAN, MESSY])
    untouched = raw.clone()
    contacts, changes = normalize_with_changes(raw)
    assert changes.schema == pl.Schema(schema.NORMALIZATION_CHANGES)
    assert raw.equals(untouched)  # the raw value is never overwritten
    assert set(changes["contact_id"]) == {"2002"}
    by_field = {row["field"]: row for row in changes.iter_rows(named=True)}
    # "Klant" is HubSpot's Dutch label of `customer`: reading a label as its stage is reading,
    # not a change, so lifecycle_stage has no change row (as for "Customer").
    assert set(by_field) == set(CHANGE_FIELDS) - {"lifecycle_stage"}
    assert contacts.filter(pl.col("contact_id") == "2002")["lifecycle_stage"].item() == "customer"
    expected = {
        "first_name": ("DR. PIET", "Piet", "salutation_moved+suffix_moved+recased"),
        "last_name": ("VAN DER BERG jr", "van der Berg", "salutation_moved+suffix_moved+recased"),
        "email": ("mailto:Piet@Berg-Bouw.NL.", "piet@berg-bouw.nl", "email_cleaned"),
        "phone": ("06-12345678", "+31612345678", "phone_e164"),
        "company": ("Berg  Bouw 🏗️ B.V.", "Berg Bouw B.V.", "company_cleaned"),
        "job_title": ("HEAD OF SALES", "Head of Sales", "job_title_recased"),
        "owner": ("Jan  Peeters", "Jan Peeters", "spaces"),
        "lead_source": ("Beurs", "event", "lead_source_vocabulary"),
        "lead_status": ("In  progress", "In Progress", "lead_status_vocabulary"),
        "country": ("Nederland", "NL", "iso_3166"),
    }
    for field, (before, after, rule) in expected.items():
        row = by_field[field]
        assert (row["before"], row["after"], row["rule"]) == (before, after, rule), field
    # Every change row's after is the value normalized_contacts holds.
    messy = contacts.filter(pl.col("contact_id") == "2002").row(0, named=True)
    assert all(messy[field] == row["after"] for field, row in by_field.items())
    assert (messy["salutation"], messy["name_suffix"]) == ("Dr.", "Jr.")


def test_a_value_normalization_cannot_read_is_on_record_as_removed():
    row = ("2003", "Eleni", "Alexiou", "", "12345", "", "", "", "", "", "", "Atlantis")
    _, changes = normalize_with_changes(_raw([row]))
    rules = {
        r["field"]: (r["before"], r["after"], r["rule"]) for r in changes.iter_rows(named=True)
    }
    assert rules == {
        "phone": ("12345", None, "phone_not_valid"),
        "country": ("Atlantis", None, "country_unknown"),
    }


def test_an_empty_month_has_a_typed_empty_change_log():
    contacts, changes = normalize_with_changes(_raw([CLEAN]).head(0))
    assert contacts.height == changes.height == 0
    assert changes.schema == pl.Schema(schema.NORMALIZATION_CHANGES)


def test_the_erasure_purge_removes_a_persons_changes_from_every_month(tmp_path):
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    contacts, changes = normalize_with_changes(_raw([CLEAN, MESSY]))
    store.replace_partition(
        OCT, {"normalized_contacts": contacts, "normalization_changes": changes}
    )
    assert store.read_partition("normalization_changes", OCT).height == changes.height > 0
    erased = pl.DataFrame({"snapshot": [OCT], "contact_id": ["2002"]})
    purged = store.replace_partition(
        OCT, {"prune_list": schema.empty(schema.PRUNE_LIST)}, purge=Purge(contacts=erased)
    )
    assert purged["normalization_changes"] == changes.height
    assert store.read_partition("normalization_changes", OCT).height == 0


def _materialize(data_dir: Path) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_contacts, normalized_contacts],
        partition_key="2026-10-01",
        resources={"hygiene": HygieneResource(data_dir=str(data_dir), nameservers="off")},
        raise_on_error=False,
    )


def test_the_asset_writes_both_tables_with_the_configured_region_and_vocabulary(
    tmp_path, monkeypatch
):
    row = ("3001", "Klaus", "Weber", "", "030 1234567", "", "", "", "Hausmesse", "", "", "")
    write_csv(tmp_path / "exports" / "2026-10" / "hubspot.csv", HEADERS, [row])
    (tmp_path / "vocabularies.yaml").write_text(
        "lead_sources:\n  unknown: other\n  values:\n    event: [hausmesse]\n", encoding="utf-8"
    )
    monkeypatch.setenv("HYGIENE_DEFAULT_REGION", "de")
    assert _materialize(tmp_path).success
    with duckdb.connect(str(tmp_path / "hygiene.duckdb"), read_only=True) as con:
        contact = con.execute("SELECT phone, lead_source FROM normalized_contacts").fetchall()
        fields = con.execute("SELECT field FROM normalization_changes ORDER BY 1").fetchall()
    assert contact == [("+49301234567", "event")]  # no country, no email: the default region DE
    assert fields == [("lead_source",), ("phone",)]


def test_an_unknown_default_region_fails_the_run_naming_it(tmp_path, monkeypatch):
    row = ("3001", "Klaus", "Weber", "", "030 1234567", "", "", "", "", "", "", "")
    write_csv(tmp_path / "exports" / "2026-10" / "hubspot.csv", HEADERS, [row])
    monkeypatch.setenv("HYGIENE_DEFAULT_REGION", "Germany")
    result = _materialize(tmp_path)
    assert not result.success
    assert "'Germany' is not a region" in str(
        result.get_step_failure_events()[0].event_specific_data
    )


def test_a_broken_vocabulary_override_names_the_file_and_section(tmp_path):
    (tmp_path / "vocabularies.yaml").write_text("lead_source: {}\n", encoding="utf-8")
    with pytest.raises(VocabularyError, match=r"vocabularies\.yaml: unknown section"):
        load_vocabularies(tmp_path)
