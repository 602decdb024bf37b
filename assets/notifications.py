"""Notifications: a summary after each monthly run, an alert at once when a run fails.

Dagster's own run status sensors decide when: `monthly_summary_notification` reacts to every
successful run of this code location that materialized `prune_list` or `hygiene_report` (the
monthly job, the schedules, the exports sensor, a backfill or Materialize in the UI), and
`run_failure_notification` (a run failure sensor) to every failed one; a failed blocking check
fails its run, so it alerts too. Each run is seen once: Dagster keeps the sensors' cursors.
Runs started from the command line (`dg launch`, `dagster asset materialize`, run-sample.sh)
execute in the CLI's process and record no code location, so these sensors never see them: with
one code location per tenant (docs/scaling.md) nothing could tell whose they are. They print their
own output to whoever started them.

The engine (`hygiene_pipeline.report.notify`) decides what is said and sends it: counts, months,
check and file names only, never an error text, a check's description or a value from an export.
Dagster's `make_email_on_run_failure_sensor` was not used: it binds its SMTP settings when the
code location loads, always logs in, sends HTML built from unescaped text and knows no webhook.

Without settings both sensors are off by default and, if switched on, skip with a reason that
names the variables; with an SMTP host or a webhook set where the code location runs, both start
on their own.
"""

from __future__ import annotations

import dagster as dg

from assets.resources import HygieneResource
from hygiene_pipeline.months import parse_snapshot
from hygiene_pipeline.report import notify
from hygiene_pipeline.report.health_settings import load_health_settings
from hygiene_pipeline.store import HygieneStore

SUMMARY_ASSETS = frozenset({"prune_list", "hygiene_report"})
# How long a sensor waits for another run's DuckDB write lock before it sends the summary without
# its counts: the daemon gives a sensor evaluation 60 s, and mail and webhook need their share.
STORE_WAIT_SECONDS = 15.0


def default_status() -> dg.DefaultSensorStatus:
    """On when a channel is configured where the code location loads; the UI toggle overrides."""
    return dg.DefaultSensorStatus.RUNNING if notify.configured() else dg.DefaultSensorStatus.STOPPED


def failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[notify.CheckOutcome]:
    """The checks of the run that failed (ERROR) or warned (WARN), from the instance's events."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    outcomes = []
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is None:
            continue
        evaluation = event.asset_check_evaluation_data
        if evaluation.passed:
            continue
        outcomes.append(
            notify.CheckOutcome(
                asset=evaluation.asset_key.to_user_string(),
                check=evaluation.check_name,
                severity=evaluation.severity.value,
                blocking=bool(evaluation.blocking),
            )
        )
    return sorted(set(outcomes), key=lambda c: (c.severity != "ERROR", c.asset, c.check))


def materialized_assets(instance: dg.DagsterInstance, run_id: str) -> set[str]:
    """Names of the assets the run materialized."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
    ).records
    events = (record.event_log_entry.dagster_event for record in records)
    return {event.asset_key.path[-1] for event in events if event and event.asset_key}


def _month(context: dg.RunStatusSensorContext) -> str | None:
    """The run's partition (`dagster/partition`), a monthly key such as 2026-10-01."""
    return context.partition_key or context.dagster_run.tags.get("dagster/partition")


def _reader(hygiene: HygieneResource) -> HygieneStore:
    return HygieneStore(hygiene.store().path, lock_timeout_s=STORE_WAIT_SECONDS)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="monthly_summary_notification",
    default_status=default_status(),
    description=(
        "After a successful run that wrote a month's prune list or report: a summary (counts "
        "per action, health score and its change, failed or warning checks, refused files, the "
        f"link to the run) by email ({notify.SMTP_HOST}, {notify.NOTIFY_TO}) and/or a webhook "
        f"({notify.NOTIFY_WEBHOOK}). Counts and names only, never personal data."
    ),
)
def monthly_summary_notification(
    context: dg.RunStatusSensorContext, hygiene: HygieneResource
) -> dg.SkipReason | None:
    settings = notify.NotifySettings.from_env()
    run = context.dagster_run
    if not settings.any_channel:
        return dg.SkipReason(f"run {run.run_id}: {notify.NOT_CONFIGURED}")
    month = _month(context)
    if month is None:
        return dg.SkipReason(f"run {run.run_id} has no month (no dagster/partition tag)")
    touched = materialized_assets(context.instance, run.run_id)
    if not touched & SUMMARY_ASSETS:
        return dg.SkipReason(
            f"run {run.run_id} ({month}) wrote neither prune_list nor hygiene_report: no summary"
        )
    message = notify.summary_message(
        _reader(hygiene),
        parse_snapshot(month),
        run_url=settings.run_url(run.run_id),
        checks=failed_checks(context.instance, run.run_id),
        health=load_health_settings(hygiene.root),  # the report's score, not the defaults
    )
    sent = notify.deliver(settings, message)
    context.log.info(f"summary of {month[:7]} (run {run.run_id}) sent: {', '.join(sent)}")
    return None  # Dagster records on the run that this sensor acted on it


@dg.run_failure_sensor(
    name="run_failure_notification",
    default_status=default_status(),
    description=(
        "At once when a run fails (a failed blocking check fails its run): the month, failed "
        "steps and checks by name, refused files and the link to the run, by email and/or "
        "webhook. Never the error text, which can quote an export's data."
    ),
)
def run_failure_notification(
    context: dg.RunFailureSensorContext, hygiene: HygieneResource
) -> dg.SkipReason | None:
    settings = notify.NotifySettings.from_env()
    run = context.dagster_run
    if not settings.any_channel:
        return dg.SkipReason(f"run {run.run_id}: {notify.NOT_CONFIGURED}")
    month = _month(context)
    snapshot = parse_snapshot(month) if month else None
    refused = None
    # The month's refused files are this run's only if it read the exports again.
    if snapshot and "raw_contacts" in materialized_assets(context.instance, run.run_id):
        try:
            refused = notify.refused_files(_reader(hygiene), snapshot)
        except notify.UNREADABLE:
            refused = None
    steps = sorted(
        {event.step_key for event in context.get_step_failure_events() if event.step_key}
    )
    message = notify.failure_message(
        snapshot=snapshot,
        job=run.job_name,
        run_url=settings.run_url(run.run_id),
        failed_steps=steps,
        checks=failed_checks(context.instance, run.run_id),
        refused=refused,
    )
    sent = notify.deliver(settings, message)
    context.log.info(f"failure of run {run.run_id} sent: {', '.join(sent)}")
    return None


NOTIFICATION_SENSORS = [monthly_summary_notification, run_failure_notification]
