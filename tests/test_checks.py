"""The asset checks (beside each asset in assets/) in real runs over generated exports and DuckDB.

Each check is shown to pass on honest data and to catch the break it exists for: a broken export
(emails emptied) blocks the prune list, a lost row or an unknown status fails its stage, a
partial export warns.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets import check_helpers as checks
from assets.definitions import defs
from assets.prune_list import prune_values
from assets.resources import HygieneResource
from assets.validation_results import validation_values
from hygiene_pipeline.sample_exports import write_sample_exports
from hygiene_pipeline.store import HygieneStore

MONTHS = ["2026-09", "2026-10"]


@pytest.fixture(autouse=True)
def suppression_key(monkeypatch):
    monkeypatch.setenv("HYGIENE_SUPPRESSION_KEY", "checks-module-test-key-0123456789")


def _run(data_dir: Path, month: str) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [*(defs.assets or []), *(defs.asset_checks or [])],
        partition_key=f"{month}-01",
        resources={"hygiene": HygieneResource(data_dir=str(data_dir), nameservers="off")},
        raise_on_error=False,
    )


def _evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def _materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}


@pytest.fixture(scope="module")
def two_months(tmp_path_factory) -> Path:
    """Two honest months, every check run; returned for tests that then break something."""
    root = tmp_path_factory.mktemp("checks")
    write_sample_exports(root / "exports", MONTHS, people=150, seed=7)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HYGIENE_SUPPRESSION_KEY", "checks-module-test-key-0123456789")
        for month in MONTHS:
            result = _run(root, month)
            assert result.success
            evaluations = _evaluations(result)
            names = {key.name for check in defs.asset_checks or [] for key in check.check_keys}
            assert names <= set(evaluations)
            failed = {name: e.description for name, e in evaluations.items() if not e.passed}
            assert failed == {}
    return root


def test_every_asset_has_a_check():
    checked = {key.asset_key.path[-1] for key in defs.resolve_asset_graph().asset_check_keys}
    assets = {key.path[-1] for key in defs.resolve_asset_graph().get_all_asset_keys()}
    assert checked == assets


def test_the_first_month_has_nothing_to_compare_with(tmp_path):
    write_sample_exports(tmp_path / "exports", ["2026-10"], people=60, seed=3)
    evaluations = _evaluations(_run(tmp_path, "2026-10"))
    steady = evaluations["missing_emails_steady"]
    assert steady.passed and "nothing to compare with" in steady.description


def test_an_export_with_its_emails_emptied_fails_red_and_blocks_the_prune_list(tmp_path):
    write_sample_exports(tmp_path / "exports", MONTHS, people=150, seed=7)
    assert _run(tmp_path, MONTHS[0]).success
    (export,) = (tmp_path / "exports" / MONTHS[1]).glob("*.csv")
    with export.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    email = rows[0].index("Email")
    for row in rows[1:]:
        row[email] = ""
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)

    result = _run(tmp_path, MONTHS[1])
    assert not result.success
    check = _evaluations(result)["missing_emails_steady"]
    assert not check.passed
    assert check.severity == dg.AssetCheckSeverity.ERROR
    assert "Emails are missing for 100.0% of contacts" in check.description
    assert "The export is the likely cause" in check.description
    assert f"in {MONTHS[0]}" in check.description
    assert check.metadata["missing_share"].value == 1.0
    assert {"raw_contacts", "validation_results"} <= _materialized(result)
    assert not {"prune_list", "crm_import_files", "hygiene_report"} & _materialized(result)


def test_a_partial_export_warns_without_blocking(tmp_path):
    write_sample_exports(tmp_path / "exports", [MONTHS[0]], people=200, seed=9)
    assert _run(tmp_path, MONTHS[0]).success
    write_sample_exports(tmp_path / "partial", [MONTHS[1]], people=60, seed=9)
    (tmp_path / "partial" / MONTHS[1]).rename(tmp_path / "exports" / MONTHS[1])
    result = _run(tmp_path, MONTHS[1])
    assert result.success  # a warning never stops the month
    check = _evaluations(result)["row_count_steady"]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert "A partial export is the usual cause" in check.description
    assert "hygiene_report" in _materialized(result)


def _tamper(data_dir: Path, sql: str) -> None:
    with duckdb.connect(str(data_dir / "hygiene.duckdb")) as con:
        con.execute(sql)


def test_a_lost_row_fails_conservation_and_a_foreign_id_fails_the_subset(two_months):
    store, snapshot = HygieneStore(two_months / "hygiene.duckdb"), date(2026, 10, 1)
    assert checks.rows_match(store, "validation_results", "normalized_contacts", snapshot).passed
    _tamper(two_months, "DELETE FROM validation_results WHERE contact_id = (SELECT min(contact_id)"
                        f" FROM validation_results WHERE snapshot = '{snapshot}')")  # fmt: skip
    lost = checks.rows_match(store, "validation_results", "normalized_contacts", snapshot)
    assert not lost.passed and lost.severity == dg.AssetCheckSeverity.ERROR
    assert "1 records missing, 0 extra" in lost.description
    assert checks.ids_within_contacts(store, "duplicate_clusters", snapshot).passed
    columns = "snapshot, contact_id, cluster_id, is_survivor, score"
    _tamper(two_months, f"INSERT INTO duplicate_clusters ({columns}) "
                        f"VALUES ('{snapshot}', 'nobody', 'x', true, 1)")  # fmt: skip
    foreign = checks.ids_within_contacts(store, "duplicate_clusters", snapshot)
    assert not foreign.passed
    assert "1 duplicate_clusters rows name a record that is not among" in foreign.description


def test_an_unknown_status_or_action_fails_the_allowed_values(two_months):
    store, snapshot = HygieneStore(two_months / "hygiene.duckdb"), date(2026, 9, 1)
    assert validation_values(store, snapshot).passed
    assert prune_values(store, snapshot).passed
    _tamper(two_months, "UPDATE validation_results SET email_status = 'maybe' WHERE contact_id = "
                        f"(SELECT min(contact_id) FROM validation_results WHERE snapshot = "
                        f"'{snapshot}') AND snapshot = '{snapshot}'")  # fmt: skip
    status = validation_values(store, snapshot)
    assert not status.passed
    assert "email_status = 'maybe' on 1 rows" in status.description
    _tamper(two_months, f"UPDATE prune_list SET action = 'shred' WHERE snapshot = '{snapshot}'")
    action = prune_values(store, snapshot)
    assert not action.passed and "action = 'shred'" in action.description


def test_id_difference_counts_ids_as_multisets_within_the_month(tmp_path: Path) -> None:
    """An id twice in the later table is one extra; an id the later table lacks is missing;
    other months and other tables' ids do not count."""
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    october, november = date(2026, 10, 1), date(2026, 11, 1)
    with duckdb.connect(str(store.path)) as con:
        con.execute("CREATE TABLE earlier (snapshot DATE, contact_id VARCHAR)")
        con.execute("CREATE TABLE later (snapshot DATE, contact_id VARCHAR)")
        con.executemany(
            "INSERT INTO earlier VALUES (?, ?)",
            [(october, "101"), (october, "102"), (october, "103"), (november, "104")],
        )
        con.executemany(
            "INSERT INTO later VALUES (?, ?)",
            [(october, "101"), (october, "101"), (october, "102"), (october, "104")],
        )
    counts = checks.id_difference(store, "later", "earlier", october)
    assert counts == {"rows": 4, "within_rows": 3, "extra": 2, "lacking": 1}
    assert checks.id_difference(store, "later", "earlier", date(2026, 9, 1)) == {
        "rows": 0,
        "within_rows": 0,
        "extra": 0,
        "lacking": 0,
    }
