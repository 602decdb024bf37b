"""new_exports_sensor: dropping a month's export into `exports/YYYY-MM/` is enough to clean it.

Every interval (an hour by default, `HYGIENE_SENSOR_INTERVAL_SECONDS` to change) the sensor
fingerprints each month folder (file names and contents) and requests a run of the monthly job
for a month whose files are new or changed. The cursor remembers the fingerprints; the run key
carries the fingerprint, so the same files never run twice from here.
"""

import json
import os
from datetime import date

import dagster as dg

from assets.partitions import monthly_partitions
from assets.resources import HygieneResource
from assets.schedules import monthly_hygiene_job
from hygiene_pipeline.ingest.watch import scan_exports
from hygiene_pipeline.months import month_end, parse_snapshot

INTERVAL_ENV = "HYGIENE_SENSOR_INTERVAL_SECONDS"
DEFAULT_INTERVAL_SECONDS = 3600


def interval_seconds() -> int:
    """The sensor's minimum interval from the environment, an hour when unset."""
    configured = os.environ.get(INTERVAL_ENV, "").strip()
    if not configured:
        return DEFAULT_INTERVAL_SECONDS
    seconds = int(configured)
    if seconds < 30:
        raise ValueError(f"{INTERVAL_ENV} must be at least 30 seconds, got {seconds}")
    return seconds


@dg.sensor(
    job=monthly_hygiene_job,
    minimum_interval_seconds=interval_seconds(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Requests a run for a month whose export files in exports/YYYY-MM/ are new or changed "
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
    requests: list[dg.RunRequest] = []
    cursor: dict[str, dict] = {}
    for month, state in states.items():
        snapshot = parse_snapshot(month)
        if snapshot < first:
            context.log.info(f"skipping exports/{month}: partitions start at {first:%Y-%m}")
            continue
        if month_end(snapshot) > today:
            context.log.info(f"skipping exports/{month}: the month is not over yet")
            continue
        cursor[month] = state
        if known.get(month, {}).get("fingerprint") == state["fingerprint"]:
            continue
        requests.append(
            dg.RunRequest(
                partition_key=snapshot.isoformat(),
                run_key=f"{month}:{state['fingerprint'][:16]}",
                tags={"hygiene/trigger": "new_exports"},
            )
        )
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor, sort_keys=True))
