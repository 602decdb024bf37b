"""new_exports_sensor: dropping a month's export into `exports/YYYY-MM/` is enough to clean it.

Every interval (an hour by default, `HYGIENE_SENSOR_INTERVAL_SECONDS` to change) the sensor
fingerprints each month folder (file names and contents) and requests a run of the monthly job
for a month whose files are new or changed. The cursor remembers the fingerprints; the run key
carries the fingerprint, so the same files never run twice from here. A month whose files are the
ones `export_files` recorded when it was materialized (by the CLI, `run-sample.sh`, the UI) is not
new either, even to an empty cursor; when the database cannot be read (absent, or a run holds
DuckDB's write lock), the cursor alone decides. The comparison is the engine's
(`hygiene_pipeline.ingest.watch.months_to_run`).
"""

import json
import os
from datetime import date

import dagster as dg

from assets.partitions import monthly_partitions
from assets.resources import HygieneResource
from assets.schedules import monthly_hygiene_job
from hygiene_pipeline.ingest.watch import months_to_run, scan_exports
from hygiene_pipeline.months import month_end, parse_snapshot
from hygiene_pipeline.store import HygieneStore

INTERVAL_ENV = "HYGIENE_SENSOR_INTERVAL_SECONDS"
DEFAULT_INTERVAL_SECONDS = 3600
# How long a tick waits for a run's DuckDB write lock before trusting its cursor alone: well
# inside the daemon's 60 s sensor timeout, and the next tick asks again.
STORE_WAIT_SECONDS = 5.0


def interval_seconds(variable: str = INTERVAL_ENV, default: int = DEFAULT_INTERVAL_SECONDS) -> int:
    """A sensor's minimum interval from the environment `variable` (this one's: an hour)."""
    configured = os.environ.get(variable, "").strip()
    if not configured:
        return default
    seconds = int(configured)
    if seconds < 30:
        raise ValueError(f"{variable} must be at least 30 seconds, got {seconds}")
    return seconds


@dg.sensor(
    job=monthly_hygiene_job,
    minimum_interval_seconds=interval_seconds(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Requests a run for a month whose export files in exports/YYYY-MM/ are new or changed, "
        "and not the files already materialized for that month (export_files) "
        f"(checked every {interval_seconds()} s; set {INTERVAL_ENV} to change)."
    ),
)
def new_exports_sensor(
    context: dg.SensorEvaluationContext, hygiene: HygieneResource
) -> dg.SensorResult:
    known = json.loads(context.cursor) if context.cursor else {}
    states, odd_folders = scan_exports(hygiene.exports_dir, known)
    for name in odd_folders:
        context.log.info(f"skipping exports/{name}: month folders are named YYYY-MM")
    first = monthly_partitions.start.date()
    today = date.today()
    eligible: dict[str, dict] = {}
    for month, state in states.items():
        snapshot = parse_snapshot(month)
        if snapshot < first:
            context.log.info(f"skipping exports/{month}: partitions start at {first:%Y-%m}")
        elif month_end(snapshot) > today:
            context.log.info(f"skipping exports/{month}: the month is not over yet")
        else:
            eligible[month] = state
    store = HygieneStore(hygiene.store().path, lock_timeout_s=STORE_WAIT_SECONDS)
    decision = months_to_run(eligible, known, store)
    if decision.unknown:
        context.log.info(f"export_files not consulted ({decision.unknown}): the cursor decides")
    for month in decision.already_stored:
        context.log.info(f"exports/{month}: these files are already materialized (export_files)")
    requests = [
        dg.RunRequest(
            partition_key=parse_snapshot(month).isoformat(),
            run_key=f"{month}:{eligible[month]['fingerprint'][:16]}",
            tags={"hygiene/trigger": "new_exports"},
        )
        for month in decision.run
    ]
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(eligible, sort_keys=True))
