"""prune_list: the contacts not kept this month, each with its action and every reason."""

import dagster as dg

from assets.duplicate_clusters import duplicate_clusters
from assets.metadata import counts_table, list_counts_table
from assets.partitions import monthly_partitions, snapshot_of, today_of
from assets.resources import HygieneResource
from assets.validation_results import validation_results
from hygiene_pipeline.prune import build_prune_list


@dg.asset(
    partitions_def=monthly_partitions,
    deps=[duplicate_clusters, validation_results],
    group_name="hygiene",
    kinds={"duckdb", "polars"},
    owners=["team:marketing-ops"],
    description=(
        "Only contacts not kept: `action` (delete, merge, quarantine, re_engage), `reasons` with "
        "evidence, `merge_into` for merges. Customers, evangelists and opportunities are never "
        "deleted (quarantine instead) and never re-engaged. Rules use the month's end as today."
    ),
)
def prune_list(context: dg.AssetExecutionContext, hygiene: HygieneResource) -> dg.MaterializeResult:
    snapshot = snapshot_of(context)
    store = hygiene.store()
    prune = build_prune_list(
        store.read_partition("normalized_contacts", snapshot),
        store.read_partition("duplicate_clusters", snapshot),
        store.read_partition("validation_results", snapshot),
        today=today_of(context),
    )
    store.replace_partition(snapshot, {"prune_list": prune})
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": prune.height,
            "actions": counts_table(prune, "action"),
            "reasons": list_counts_table(prune, "reasons", heading="reason"),
        }
    )
