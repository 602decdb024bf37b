"""new_exports_sensor: a run for a new or changed month, none for an unchanged one."""

from __future__ import annotations

import json
import os

import dagster as dg
import pytest

from assets.definitions import defs
from assets.resources import HygieneResource
from assets.sensors import INTERVAL_ENV, interval_seconds, new_exports_sensor
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
