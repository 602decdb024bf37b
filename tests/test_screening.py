"""Screen a new list before it enters the CRM: each person lands in the right file, with reasons.

A real month is stored first (generated exports through the whole graph, so the suppression
list holds the month's unsubscribed and hard-bounced addresses); then a trade-fair list is
screened against it.
"""

from __future__ import annotations

import csv
import unicodedata
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from assets.definitions import defs
from assets.resources import HygieneResource
from hygiene_pipeline.ingest.export_table import ExportError
from hygiene_pipeline.prune.suppression import suppression_key
from hygiene_pipeline.sample_exports import write_sample_exports
from hygiene_pipeline.screening.screen import latest_month, screen_list
from hygiene_pipeline.store import HygieneStore
from hygiene_pipeline.validate.dns_check import DomainChecker

KEY = "screening-test-key-0123456789abcdef"
MONTH = date(2026, 10, 1)


@pytest.fixture(scope="module")
def stored_month(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("screening")
    write_sample_exports(root / "exports", ["2026-10"], people=150, seed=11)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HYGIENE_SUPPRESSION_KEY", KEY)
        result = dg.materialize(
            [*(defs.assets or [])],
            partition_key="2026-10-01",
            resources={"hygiene": HygieneResource(data_dir=str(root), nameservers="off")},
        )
    assert result.success
    return root


def _contact(store: HygieneStore, sql: str, *parameters: object) -> dict:
    return store.query(sql, [MONTH, *parameters]).row(0, named=True)


def _plain(text: str) -> str:
    """`text` without its accents, as a badge scanner or an English keyboard writes it."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _write_list(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_trade_fair_list_is_sorted_into_accept_already_in_crm_and_reject(
    stored_month: Path, monkeypatch
):
    monkeypatch.setenv("HYGIENE_SUPPRESSION_KEY", KEY)
    store = HygieneStore(stored_month / "hygiene.duckdb")
    assert latest_month(store) == MONTH
    known = _contact(
        store,
        "SELECT c.contact_id, c.first_name, c.last_name, c.email, c.company FROM "
        "normalized_contacts c LEFT JOIN prune_list p USING (snapshot, contact_id) WHERE "
        "c.snapshot = $1 AND p.action IS NULL AND c.email IS NOT NULL AND c.company IS NOT NULL "
        "AND c.first_name IS NOT NULL ORDER BY c.contact_id LIMIT 1",
    )
    gone = _contact(
        store,
        "SELECT c.email FROM normalized_contacts c JOIN prune_list p USING (snapshot, contact_id) "
        "WHERE c.snapshot = $1 AND list_contains(p.reasons, 'unsubscribed') AND p.action = "
        "'delete' ORDER BY c.contact_id LIMIT 1",
    )
    called = _contact(  # someone reached by phone: found again without an email
        store,
        "SELECT c.contact_id, c.first_name, c.last_name, c.company, c.phone FROM "
        "normalized_contacts c LEFT JOIN prune_list p USING (snapshot, contact_id) WHERE "
        "c.snapshot = $1 AND p.action IS NULL AND c.company IS NOT NULL AND c.first_name IS NOT "
        "NULL AND c.contact_id <> $2 AND regexp_matches(c.phone, '^\\+3[12]') "
        "ORDER BY c.contact_id LIMIT 1",
        known["contact_id"],
    )
    people = [  # Dutch headings, as a trade-fair scanner writes them
        {"Voornaam": known["first_name"].upper(), "Achternaam": known["last_name"],
         "E-mailadres": known["email"].upper(), "Bedrijf": known["company"], "Telefoon": ""},
        {"Voornaam": "Hidde", "Achternaam": "Gosselink", "E-mailadres": gone["email"].upper(),
         "Bedrijf": "Gosselink Tuinbouw", "Telefoon": ""},
        {"Voornaam": "Jan", "Achternaam": "de Vries", "E-mailadres": "jan.devries@@tulpenhof.nl",
         "Bedrijf": "Tulpenhof", "Telefoon": ""},
        {"Voornaam": "Wegwerp", "Achternaam": "Adres", "E-mailadres": "beurs2026@mailinator.com",
         "Bedrijf": "", "Telefoon": ""},
        {"Voornaam": "Marloes", "Achternaam": "Tiemersma", "E-mailadres":
         "m.tiemersma@friese-zuivel-coop.nl", "Bedrijf": "Friese Zuivel Coöperatie",
         "Telefoon": "06 41234567"},
        {"Voornaam": "Marloes", "Achternaam": "Tiemersma", "E-mailadres":
         "m.tiemersma@friese-zuivel-coop.nl", "Bedrijf": "Friese Zuivel Coöperatie",
         "Telefoon": ""},
        {"Voornaam": "Test", "Achternaam": "Test", "E-mailadres": "test@test.com", "Bedrijf": "",
         "Telefoon": ""},
        {"Voornaam": _plain(called["first_name"]).lower(), "Achternaam": called["last_name"],
         "E-mailadres": "", "Bedrijf": called["company"],
         "Telefoon": "0" + called["phone"][3:]},  # national form, as people write it
    ]  # fmt: skip
    path = _write_list(stored_month / "beurs-utrecht.csv", people)
    screening = screen_list(
        path, store=store, snapshot=MONTH, today=date(2026, 10, 31),
        domain_checker=DomainChecker.from_env("off"), suppression_key=suppression_key(),
    )  # fmt: skip
    assert screening.target_system == "hubspot"
    accepted = screening.accept.to_dicts()
    assert [row["Email"] for row in accepted] == ["m.tiemersma@friese-zuivel-coop.nl"]
    assert accepted[0]["Phone Number"] == "+31641234567"  # cleaned like the month
    already = dict(
        zip(
            screening.already_in_crm["List row"], screening.already_in_crm["Record ID"], strict=True
        )
    )
    assert already == {"2": known["contact_id"], "9": called["contact_id"]}
    reasons = dict(zip(screening.reject["List row"], screening.reject["Reasons"], strict=True))
    assert reasons["3"] == "suppressed"  # never why
    assert "invalid_email" in reasons["4"]
    assert "disposable" in reasons["5"]
    assert reasons["7"] == "duplicate_in_list: same person as row 6"
    assert "test_record" in reasons["8"]
    assert screening.counts() == {"accept.csv": 1, "already-in-crm.csv": 2, "reject.csv": 5}


def test_the_screening_job_writes_the_three_files_owner_only(stored_month: Path, monkeypatch):
    from assets.screening import screening_job

    monkeypatch.setenv("HYGIENE_SUPPRESSION_KEY", KEY)
    folder = stored_month / "screening"
    folder.mkdir(exist_ok=True)
    _write_list(folder / "webinar.csv", [
        {"Email": "anna.bakker@bakkerij-bakker.nl", "Naam": "Anna Bakker"},
        {"Email": "not-an-address", "Naam": "Nobody"},
    ])  # fmt: skip
    result = screening_job.execute_in_process(
        run_config={"ops": {"screen_list_file": {"config": {"file": "webinar.csv"}}}},
        resources={"hygiene": HygieneResource(data_dir=str(stored_month), nameservers="off")},
    )
    assert result.success
    out = stored_month / "out" / "screening" / "webinar"
    assert sorted(p.name for p in out.iterdir()) == [
        "accept.csv", "already-in-crm.csv", "reject.csv"]  # fmt: skip
    assert all((p.stat().st_mode & 0o077) == 0 for p in out.iterdir())
    accept = pl.read_csv(out / "accept.csv", infer_schema=False)
    assert accept["Email"].to_list() == ["anna.bakker@bakkerij-bakker.nl"]


def test_a_namesake_at_another_company_is_new_not_already_in_crm(stored_month: Path, monkeypatch):
    monkeypatch.setenv("HYGIENE_SUPPRESSION_KEY", KEY)
    store = HygieneStore(stored_month / "hygiene.duckdb")
    known = _contact(
        store,
        "SELECT first_name, last_name FROM normalized_contacts WHERE snapshot = $1 AND "
        "first_name IS NOT NULL AND last_name IS NOT NULL ORDER BY contact_id LIMIT 1",
    )
    path = _write_list(stored_month / "namesake.csv", [
        {"First Name": known["first_name"], "Last Name": known["last_name"],
         "Email": "info.namesake@zuidas-advocaten.nl", "Company": "Zuidas Advocaten"},
    ])  # fmt: skip
    screening = screen_list(
        path, store=store, snapshot=MONTH, today=date(2026, 10, 31),
        domain_checker=DomainChecker.from_env("off"), suppression_key=suppression_key(),
    )  # fmt: skip
    assert screening.counts() == {"accept.csv": 1, "already-in-crm.csv": 0, "reject.csv": 0}


def test_a_list_without_a_way_to_reach_anyone_is_refused_with_what_to_fix(
    stored_month: Path, monkeypatch
):
    monkeypatch.setenv("HYGIENE_SUPPRESSION_KEY", KEY)
    path = _write_list(stored_month / "notes-only.csv", [
        {"Notities": "bezocht de stand", "Datum": "2026-10-12"},
    ])  # fmt: skip
    with pytest.raises(ExportError) as refused:
        screen_list(
            path, store=HygieneStore(stored_month / "hygiene.duckdb"), snapshot=MONTH,
            today=date(2026, 10, 31), domain_checker=DomainChecker.from_env("off"),
            suppression_key=suppression_key(),
        )  # fmt: skip
    assert "email" in str(refused.value).lower()


def test_the_sensor_asks_one_run_per_list_and_the_same_content_once(stored_month: Path):
    from assets.screening import new_screening_files_sensor

    hygiene = HygieneResource(data_dir=str(stored_month), nameservers="off")
    (stored_month / "screening").mkdir(exist_ok=True)
    for name in ("a.csv", "b.xlsx.tmp", "~$b.xlsx"):
        (stored_month / "screening" / name).write_text("Email\nx@example.org\n", encoding="utf-8")

    def keys() -> list[str]:
        context = dg.build_sensor_context(resources={"hygiene": hygiene})
        result = new_screening_files_sensor(context)
        return [request.run_key for request in result.run_requests]

    first = keys()
    assert [key.split(":")[0] for key in first if key.startswith("a.csv")] == ["a.csv"]
    assert not any(key.startswith(("b.xlsx.tmp", "~$")) for key in first)
    assert keys() == first  # unchanged content: the same run keys, so no second run
    (stored_month / "screening" / "a.csv").write_text("Email\ny@example.org\n", encoding="utf-8")
    assert keys() != first  # changed content: screened again
