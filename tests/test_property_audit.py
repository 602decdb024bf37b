"""The property usage audit on real exports: two months of HubSpot files through the engine.

The fixture is what the CRM hygiene guides describe: a Fax column nobody fills, a single-line
job title typed a dozen ways for a handful of jobs, a country typed as Holland, NL and Nederland,
and a second file in October with columns the first lacks. The report must count all of it and
never show a person's value, even in a personal column with few values.
"""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

import pytest

from hygiene_pipeline.report import monthly_report as report_module
from hygiene_pipeline.report.property_audit import (
    MIN_CONTACTS_PER_VALUE,
    PropertyAudit,
    audit_properties,
)
from hygiene_pipeline.sample_exports import write_sample_exports
from hygiene_pipeline.store import HygieneStore
from tests.engine_month import MonthResult, run_month

SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)
HEADER = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Company Name",
          "Job Title", "Contact owner", "Create Date", "Last Modified Date", "Lifecycle Stage",
          "Lead Status", "Last Activity Date", "Original Source", "Marketing emails bounced",
          "Unsubscribed from all email", "Country/Region", "Fax Number", "Newsletter",
          "Assistant name"]  # fmt: skip
# Twelve ways to write five jobs: what a free-text title field collects over the years.
TITLES = ["CEO", "ceo", "Chief Executive Officer", "Geschäftsführer", "Sales Manager",
          "sales manager", "Head of Sales", "Marketing Manager", "Marketing manager",
          "Marketingmanager", "CFO", "Chief Financial Officer"]  # fmt: skip
COUNTRIES = ["Netherlands", "NL", "Nederland", "Holland", "The Netherlands", "Germany",
             "Deutschland", "DE", "Belgium", "België", "Belgique"]  # fmt: skip
COMPANIES = ["Brouwer Logistiek B.V.", "Kempenaar Groep B.V.", "Rheinblick Verpackung AG"]
FIRST = ["Sanne", "Joost", "Lieke", "Pieter", "Anke", "Ruben", "Femke", "Daan"]
LAST = ["de Graaf", "Visser", "Hoekstra", "Mulder", "Bakker", "Smit", "Meijer", "Bos"]
OWNERS = ["Anna de Vries", "Tom Peeters", ""]
ASSISTANTS = ["Mirjam Zonneveld", "Kees Blom"]  # a personal column with two values


def _rows(month: str, count: int, first_id: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = rng.choice(COMPANIES)
        domain = company.split()[0].lower() + ".nl"
        rows.append({
            "Record ID": str(first_id + i),
            "First Name": first,
            "Last Name": last,
            "Email": f"{first.lower()}.{last.lower().replace(' ', '')}{i}@{domain}",
            "Phone Number": f"+31 6 {rng.randint(10000000, 99999999)}" if i % 3 else "",
            "Company Name": company,
            "Job Title": TITLES[i % len(TITLES)] if i % 5 else "",
            "Contact owner": OWNERS[i % len(OWNERS)],
            "Create Date": f"2025-0{1 + i % 9}-1{i % 10} 09:30",
            "Last Modified Date": f"{month}-2{i % 8} 10:00",
            "Lifecycle Stage": "Customer" if i % 7 == 0 else "Lead",
            "Lead Status": "Unqualified" if i % 11 == 0 else "New",
            "Last Activity Date": f"{month}-1{i % 10} 11:00",
            "Original Source": "Offline Sources" if i % 2 else "Organic Search",
            "Marketing emails bounced": "0",
            "Unsubscribed from all email": "false",
            "Country/Region": COUNTRIES[i % len(COUNTRIES)],
            "Fax Number": "",  # a property nobody ever filled
            "Newsletter": "weekly" if i % 2 else "monthly",
            "Assistant name": ASSISTANTS[(i // 30) % 2] if i % 30 == 0 else "",  # rarely filled
        })  # fmt: skip
    return rows


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _store(result: MonthResult, store: HygieneStore, snapshot: date) -> None:
    store.replace_partition(snapshot, {
        "raw_contacts": result.exports.raw,
        "export_files": result.exports.files_frame(),
        "normalized_contacts": result.contacts,
        "validation_results": result.validation,
        "duplicate_clusters": result.clusters,
        "prune_list": result.prune,
    })  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> HygieneStore:
    """September: one HubSpot file of 120. October: that file grown to 130, and a second,
    shorter HubSpot file of 40 (no Fax, Newsletter or Assistant column; a Mobile column)."""
    root = tmp_path_factory.mktemp("property-audit")
    exports = root / "exports"
    _write(exports / "2026-09" / "hubspot-contacts.csv", HEADER, _rows("2026-09", 120, 5000, 1))
    _write(exports / "2026-10" / "hubspot-contacts.csv", HEADER, _rows("2026-10", 130, 5000, 2))
    short = [h for h in HEADER if h not in ("Fax Number", "Newsletter", "Assistant name")]
    uk = [{**row, "Mobile Phone Number": "+44 7700 900123"}
          for row in _rows("2026-10", 40, 9000, 3)]  # fmt: skip
    _write(exports / "2026-10" / "hubspot-uk.csv", [*short, "Mobile Phone Number"], uk)
    result = HygieneStore(root / "hygiene.duckdb")
    for snapshot in (SEP, OCT):
        _store(run_month(exports, snapshot=snapshot), result, snapshot)
    return result


@pytest.fixture(scope="module")
def october(store: HygieneStore) -> PropertyAudit:
    return audit_properties(store, OCT)


def _column(audit: PropertyAudit, name: str):
    return next(c for c in audit.columns if c.column == name)


def test_every_column_of_the_month_is_counted_over_the_files_that_have_it(october):
    fax = _column(october, "Fax Number")
    assert (fax.rows, fax.filled, fax.distinct) == (130, 0, 0)  # not the 40 rows of the UK file
    mobile = _column(october, "Mobile Phone Number")
    assert (mobile.rows, mobile.filled, mobile.field) == (40, 40, "phone")
    email = _column(october, "Email")
    assert (email.rows, email.filled, email.field) == (170, 170, "email")
    titles = _column(october, "Job Title")
    assert titles.filled == 170 - len([i for i in range(130) if i % 5 == 0]) - 8
    assert titles.distinct == len(TITLES)
    assert _column(october, "Newsletter").field is None  # read by no field
    assert "Lead Status" in {c.column for c in october.columns}
    assert {"snapshot", "contact_id", "source_file", "source_row"}.isdisjoint(
        c.column for c in october.columns
    )


def test_a_column_never_filled_is_junk_and_rare_ones_are_listed(october):
    assert [c.column for c in october.never_filled] == ["Fax Number"]
    assistant = _column(october, "Assistant name")
    assert [c.column for c in october.rarely_filled] == ["Assistant name"]
    assert (assistant.filled, assistant.rows) == (5, 130)


def test_a_free_text_title_typed_many_ways_should_be_a_dropdown(october):
    variants = {v.field: v for v in october.variants}
    title = variants["job_title"]
    assert title.columns == ("Job Title",)
    assert title.texts == len(TITLES)
    # executive/c_level, finance/c_level, sales/head, sales/manager, marketing/manager
    assert title.meanings == 5
    assert title.make_dropdown and "job function and seniority" in title.suggestion
    country = variants["country"]
    assert (country.texts, country.meanings, country.unclassified) == (len(COUNTRIES), 3, 0)
    assert country.make_dropdown and country.suggestion == "make it a dropdown of its 3 countries"
    assert not variants["lifecycle_stage"].make_dropdown  # Lead, Customer: a real dropdown
    assert {v.field for v in october.dropdown_candidates} == {"job_title", "country"}


def test_top_values_only_for_few_valued_columns_that_are_not_personal(october):
    owners = _column(october, "Contact owner")
    assert {value for value, _ in owners.top_values} == {"Anna de Vries", "Tom Peeters"}
    assert owners.withheld is None  # owners are the team's own people
    newsletter = _column(october, "Newsletter")
    assert dict(newsletter.top_values) == {"weekly": 65, "monthly": 65}
    stage = _column(october, "Lifecycle Stage")
    assert all(count >= MIN_CONTACTS_PER_VALUE for _, count in stage.top_values)
    for name in ("Company Name", "Assistant name", "First Name", "Email", "Job Title"):
        column = _column(october, name)  # few values or not, a person's data is never shown
        assert column.top_values == () and column.withheld.startswith("personal data"), name
    assert _column(october, "Record ID").withheld == "record ids and dates"
    assert _column(october, "Fax Number").withheld is None  # nothing to show, nothing withheld


def test_september_is_audited_from_its_own_files(store):
    september = audit_properties(store, SEP)
    assert "Mobile Phone Number" not in {c.column for c in september.columns}  # October's only
    assert _column(september, "Fax Number").rows == 120


def test_the_report_shows_the_audit_and_no_personal_value(store, tmp_path):
    report = report_module.build_report(store, OCT)
    sections = report_module.sections_markdown(report)
    junk, usage = sections["junk_properties"], sections["property_audit"]
    assert "| Fax Number | hubspot | 130 |" in junk
    assert "make it a dropdown of its 3 countries" in junk
    assert "Anna de Vries \\(" in usage and "weekly \\(65\\)" in usage
    html = report_module.write_report(report, tmp_path).read_text(encoding="utf-8")
    assert 'id="junk-properties"' in html and 'id="property-audit"' in html
    assert "Fax Number" in html and "Anna de Vries" in html
    personal = [*FIRST, *LAST[1:], *COMPANIES, *ASSISTANTS, *TITLES[1:], "@brouwer.nl", "+31 6"]
    for text in (html, *sections.values()):
        leaked = [value for value in personal if value in text]
        assert not leaked, leaked


def test_the_sample_exports_have_titles_and_countries_to_turn_into_dropdowns(tmp_path):
    """The generated sample (two months) exercises the section as the shipped data does."""
    write_sample_exports(tmp_path / "exports", ["2026-09", "2026-10"], people=200, seed=5)
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    for snapshot in (SEP, OCT):
        _store(run_month(tmp_path / "exports", snapshot=snapshot), store, snapshot)
    audit = audit_properties(store, OCT)
    assert {v.field for v in audit.dropdown_candidates} >= {"job_title", "country"}
    assert len(audit.columns) >= 19 and all(c.rows for c in audit.columns)
