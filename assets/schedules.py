"""The monthly job and its two cadences: monthly (on) and quarterly (off until a team wants it).

Both request the month that just ended, as a plain RunRequest with its partition key (the
Dagster 2.0 idiom; `build_schedule_from_partitioned_job` still calls the deprecated
`run_request_for_partition`).
"""

import dagster as dg

from hygiene_pipeline.months import month_just_ended

monthly_hygiene_job = dg.define_asset_job(
    "monthly_hygiene_job",
    selection=dg.AssetSelection.groups("hygiene"),
    description="Raw export to prune list for one month.",
)


def _month_just_ended(context: dg.ScheduleEvaluationContext) -> str:
    """The partition key of the month before the tick: a tick on Nov 1 cleans October."""
    return month_just_ended(context.scheduled_execution_time.date()).strftime("%Y-%m-%d")


@dg.schedule(
    name="monthly_hygiene_schedule",
    cron_schedule="0 3 1 * *",
    job=monthly_hygiene_job,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="On the 1st at 03:00, clean the month that just ended.",
)
def monthly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    key = _month_just_ended(context)
    return dg.RunRequest(run_key=key, partition_key=key)


@dg.schedule(
    name="quarterly_hygiene_schedule",
    cron_schedule="0 3 1 1,4,7,10 *",
    job=monthly_hygiene_job,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description=(
        "For teams that clean quarterly: on Jan/Apr/Jul/Oct 1, clean the quarter's last month. "
        "Put the quarter's export in that month's folder (e.g. exports/2026-09/ for Q3)."
    ),
)
def quarterly_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    key = _month_just_ended(context)
    return dg.RunRequest(run_key=f"quarterly-{key}", partition_key=key)
