"""new_exports_sensor: a run for a new or changed month, none for an unchanged one.

Unchanged means unchanged since the sensor's last tick (its cursor) or since the month was
materialized (export_files), so a sensor switched on after `run-sample.sh` runs nothing again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import dagster as dg
import polars as pl
import pytest

from assets import sensors
from assets.definitions import defs
from assets.raw_contacts import raw_contacts
from assets.resources import HygieneResource
from assets.sensors import INTERVAL_ENV, interval_seconds, new_exports_sensor
from hygiene_pipeline.ingest.watch import matches_stored, scan_exports, stored_export_files
from hygiene_pipeline.sample_exports import write_sample_exports
from hygiene_pipeline.store import HygieneStore
from tests.export_fixtures import HUBSPOT_ALL, HUBSPOT_ALL_ROWS, write_csv


def _tick(data_dir, cursor: str | None = None) -> dg.SensorResult:
    context = dg.build_sensor_context(
        cursor=cursor, resources={"hygiene": HygieneResource(data_dir=str(data_dir))}
    )
    return new_exports_sensor(context)


def _keys(result: dg.SensorResult) -> list[str]:
    return [request.partition_key for request in result.run_requests or []]


def test_a_new_month_requests_a_run_an_unchanged_one_does_not_a_changed_one_does(tmp_path):
    exports = tmp_path / "exports"
    path = write_csv(exports / "2026-09" / "hubspot.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    first = _tick(tmp_path)
    assert _keys(first) == ["2026-09-01"]
    assert first.run_requests[0].run_key.startswith("2026-09:")

    unchanged = _tick(tmp_path, first.cursor)
    assert _keys(unchanged) == []

    os.utime(path, ns=(1, 1))  # touched, same bytes: nothing to do
    assert _keys(_tick(tmp_path, unchanged.cursor)) == []

    write_csv(exports / "2026-10" / "hubspot.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    new_month = _tick(tmp_path, unchanged.cursor)
    assert _keys(new_month) == ["2026-10-01"]  # only the new month, not September again

    path.write_bytes(path.read_bytes() + b"1004,Anke,de Jong" + b"," * 17 + b"\n")
    changed = _tick(tmp_path, new_month.cursor)
    assert _keys(changed) == ["2026-09-01"]
    assert changed.run_requests[0].run_key != first.run_requests[0].run_key

    write_csv(exports / "2026-09" / "leads.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)  # a second file
    assert _keys(_tick(tmp_path, changed.cursor)) == ["2026-09-01"]


def test_months_before_the_partitions_or_not_over_are_skipped_until_they_count(tmp_path):
    exports = tmp_path / "exports"
    write_csv(exports / "2023-12" / "old.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    write_csv(exports / "2099-01" / "future.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    write_csv(exports / "scratch" / "notes.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    (exports / "2026-08").mkdir()  # an empty month folder: nothing to run
    result = _tick(tmp_path)
    assert _keys(result) == []
    assert json.loads(result.cursor) == {}  # a month not yet over is new again once it is


def test_the_sensor_runs_the_monthly_job_every_hour_unless_configured(monkeypatch):
    sensor = defs.resolve_sensor_def("new_exports_sensor")
    assert sensor.job_name == "monthly_hygiene_job"
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.minimum_interval_seconds == 3600
    monkeypatch.delenv(INTERVAL_ENV, raising=False)
    assert interval_seconds() == 3600
    monkeypatch.setenv(INTERVAL_ENV, "300")
    assert interval_seconds() == 300
    monkeypatch.setenv(INTERVAL_ENV, "5")
    with pytest.raises(ValueError, match=INTERVAL_ENV):
        interval_seconds()


def _ingest(data_dir, month: str) -> None:
    """Materialize a month's raw_contacts (and so its export_files rows), as a CLI run would."""
    result = dg.materialize(
        [raw_contacts],
        partition_key=f"{month}-01",
        resources={"hygiene": HygieneResource(data_dir=str(data_dir), nameservers="off")},
    )
    assert result.success


def test_months_materialized_before_the_first_tick_request_no_run_until_a_file_changes(tmp_path):
    months = ["2026-08", "2026-09", "2026-10"]
    write_sample_exports(tmp_path / "exports", months, people=50, seed=5)
    for month in months[:2]:  # what run-sample.sh did, for two of the three months
        _ingest(tmp_path, month)

    first = _tick(tmp_path)  # empty cursor, as when `scripts/ui.sh` starts the daemon
    assert _keys(first) == ["2026-10-01"]  # only the month never materialized
    assert set(json.loads(first.cursor)) == set(months)  # the stored months are remembered

    (september,) = (tmp_path / "exports" / "2026-09").glob("*.csv")
    september.write_bytes(september.read_bytes() + b"\r\n")  # a blank line more: other bytes
    assert _keys(_tick(tmp_path, first.cursor)) == ["2026-09-01"]
    assert _keys(_tick(tmp_path)) == ["2026-09-01", "2026-10-01"]  # a new cursor agrees

    _ingest(tmp_path, "2026-09")  # materialized again outside the sensor (CLI, UI)
    # The cursor still holds September's old files, but export_files has the new ones: no run
    # (and October was requested by the first tick already).
    assert _keys(_tick(tmp_path, first.cursor)) == []


def test_a_file_added_or_removed_since_the_month_was_materialized_requests_a_run(tmp_path):
    write_sample_exports(tmp_path / "exports", ["2026-09"], people=50, seed=5)
    _ingest(tmp_path, "2026-09")
    extra = write_csv(tmp_path / "exports" / "2026-09" / "leads.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    assert _keys(_tick(tmp_path)) == ["2026-09-01"]
    extra.unlink()
    assert _keys(_tick(tmp_path)) == []
    (export,) = (tmp_path / "exports" / "2026-09").glob("*.csv")
    export.unlink()
    write_csv(tmp_path / "exports" / "2026-09" / "renamed.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    assert _keys(_tick(tmp_path)) == ["2026-09-01"]


def test_a_refused_file_stored_without_fingerprint_never_counts_as_unchanged(tmp_path):
    folder = tmp_path / "exports" / "2026-09"
    write_csv(folder / "hubspot.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 not an export")
    _ingest(tmp_path, "2026-09")
    stored = stored_export_files(HygieneStore(tmp_path / "hygiene.duckdb"), ["2026-09"])
    assert stored.unknown is None
    assert stored.months["2026-09"]["notes.pdf"] is None  # refused: no fingerprint recorded
    states, _ = scan_exports(tmp_path / "exports", {})
    assert not matches_stored(states["2026-09"], stored.months["2026-09"])
    assert _keys(_tick(tmp_path)) == ["2026-09-01"]  # it may have been fixed in place
    (folder / "notes.pdf").unlink()
    assert _keys(_tick(tmp_path)) == ["2026-09-01"]  # one file fewer than stored: run


def test_without_a_database_or_its_table_the_cursor_decides(tmp_path):
    write_csv(tmp_path / "exports" / "2026-09" / "hubspot.csv", HUBSPOT_ALL, HUBSPOT_ALL_ROWS)
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    assert stored_export_files(store, ["2026-09"]).unknown == "no pipeline database yet"
    assert _keys(_tick(tmp_path)) == ["2026-09-01"]
    other = pl.DataFrame({"domain": ["example.org"], "status": ["ok"]})
    store.upsert("dns_cache", other, key=["domain"])  # a database without export_files
    assert "no export_files table" in stored_export_files(store, ["2026-09"]).unknown
    assert _keys(_tick(tmp_path)) == ["2026-09-01"]


def test_a_database_locked_by_a_writer_falls_back_to_the_cursor_without_failing(
    tmp_path, monkeypatch
):
    write_sample_exports(tmp_path / "exports", ["2026-09"], people=50, seed=5)
    _ingest(tmp_path, "2026-09")
    assert _keys(_tick(tmp_path)) == []
    monkeypatch.setattr(sensors, "STORE_WAIT_SECONDS", 0.5)
    holder = subprocess.Popen(  # another process holds DuckDB's single-writer lock, as a run does
        [sys.executable, "-c",
         "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True);"
         " time.sleep(60)", str(tmp_path / "hygiene.duckdb")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        locked = _tick(tmp_path)  # empty cursor and no database: the cursor says "new"
        assert time.monotonic() - started < 10
        assert _keys(locked) == ["2026-09-01"]
        assert _keys(_tick(tmp_path, locked.cursor)) == []  # and remembers it, as before
    finally:
        holder.kill()
        holder.wait(timeout=30)
