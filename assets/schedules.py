"""The monthly job and its two cadences: monthly (on) and quarterly (off until a team wants it)."""

import dagster as dg

from hygiene_pipeline.months import month_just_ended

monthly_hygiene_job = dg.define_asset_job(
    "monthly_hygiene_job",
    selection=dg.AssetSelection.groups("hygiene"),
    description="Raw export to prune list for one month.",
)

monthly_schedule = dg.build_schedule_from_partitioned_job(
    monthly_hygiene_job,
    name="monthly_hygiene_schedule",
    description="On the 1st at 03:00, clean the month that just ended.",
    hour_of_day=3,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


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
    month = month_just_ended(context.scheduled_execution_time.date())
    key = month.strftime("%Y-%m-%d")
    return dg.RunRequest(run_key=f"quarterly-{key}", partition_key=key)
