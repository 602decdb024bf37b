"""The monthly partitions every asset shares, and the month's dates for a run."""

from datetime import date

import dagster as dg

from hygiene_pipeline.months import month_end, parse_snapshot

monthly_partitions = dg.MonthlyPartitionsDefinition(start_date="2024-01-01")


def snapshot_of(context: dg.AssetExecutionContext) -> date:
    """The partition's first day: the `snapshot` value of every row the run writes."""
    return parse_snapshot(context.partition_key)


def today_of(context: dg.AssetExecutionContext) -> date:
    """Every rule's "today": the end of the partition window, so backfills match scheduled runs."""
    return month_end(snapshot_of(context))
