"""Backfills from the UI and the CLI at once, with the daemon: no DuckDB lock error.

The instance (dagster_home/dagster.yaml) runs one run of the code location at a time and the
Definitions use the in-process executor, so both backfills queue instead of fighting over DuckDB's
single writer. Reruns of two months launched together leave both months as they were.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from hygiene_pipeline.sample_exports import write_sample_exports
from tests.dagster_server import dagster_dev

# A year from each side, as the issue asks. The asset backfill advances prune_list one month per
# daemon tick (30 s; its self-dependency orders the months), so this test takes minutes.
MONTHS = [f"2025-{m:02d}" for m in (11, 12)] + [f"2026-{m:02d}" for m in range(1, 11)]
ASSETS = ["raw_contacts", "normalized_contacts", "duplicate_clusters", "validation_results",
          "prune_list", "crm_import_files", "hygiene_report"]  # fmt: skip
LAUNCH = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message }
    ... on InvalidSubsetError { message }
  }
}
"""
BACKFILLS = "{ partitionBackfillsOrError { ... on PartitionBackfills { results { id status } } } }"


def _month_tables(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in ("normalized_contacts", "prune_list")
        }


def _wait_for_backfills(server, count: int, timeout: float = 1800) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        backfills = server.graphql(BACKFILLS)["partitionBackfillsOrError"]["results"]
        if len(backfills) >= count and all(b["status"] not in ("REQUESTED",) for b in backfills):
            return backfills
        time.sleep(3)
    raise TimeoutError("backfills did not finish")


def test_backfills_from_ui_and_cli_at_once_finish_without_lock_errors(tmp_path):
    write_sample_exports(tmp_path / "exports", MONTHS, people=50, seed=12)
    # The generated months never apply their own prune lists, so deletions pile up past the 30%
    # ceiling; that check has its own tests, this one is about concurrency.
    (tmp_path / "prune_policy.yaml").write_text("max_delete_share: 1.0\n")
    env = {"HYGIENE_NAMESERVERS": "off", "HYGIENE_SUPPRESSION_KEY": "backfill-test-key-0123456"}
    with dagster_dev(tmp_path, tmp_path / "dagster_home", env) as server:
        launched = server.graphql(
            LAUNCH,
            {"params": {"partitionNames": [f"{m}-01" for m in MONTHS],
                        "assetSelection": [{"path": [name]} for name in ASSETS]}},
        )["launchPartitionBackfill"]  # fmt: skip
        assert launched["__typename"] == "LaunchBackfillSuccess", launched
        server.job_backfill("--from", f"{MONTHS[0]}-01", "--to", f"{MONTHS[-1]}-01")
        backfills = _wait_for_backfills(server, 2)
        runs = server.wait_for_runs(2 * len(MONTHS), timeout=1800)
        statuses = sorted({run["status"] for run in runs})
        assert statuses == ["SUCCESS"], [r for r in runs if r["status"] != "SUCCESS"]
        assert {b["status"] for b in backfills} <= {"COMPLETED", "COMPLETED_SUCCESS"}
        log = (server.home / "dagster-dev.log").read_text(errors="replace")
        assert "Could not set lock" not in log and "is locked" not in log

        db = tmp_path / "hygiene.duckdb"
        with duckdb.connect(str(db), read_only=True) as con:
            stored = [str(r[0])[:7] for r in con.execute(
                "SELECT DISTINCT snapshot FROM prune_list ORDER BY 1").fetchall()]  # fmt: skip
        assert stored == MONTHS

        # Reruns of two months launched together: queued one after the other, same results.
        before = _month_tables(db)
        for month in ("2026-08", "2026-10"):
            server.job_backfill("--partitions", f"{month}-01")
        runs = server.wait_for_runs(len(runs) + 2, timeout=600)
        assert {run["status"] for run in runs} == {"SUCCESS"}
        assert _month_tables(db) == before
