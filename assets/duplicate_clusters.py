"""duplicate_clusters: groups of records that are one person, each with its survivor."""

import dagster as dg
import polars as pl

from assets.normalized_contacts import normalized_contacts
from assets.partitions import monthly_partitions, snapshot_of
from assets.resources import HygieneResource
from hygiene_pipeline.dedupe import find_duplicate_clusters_with_stats


@dg.asset(
    partitions_def=monthly_partitions,
    deps=[normalized_contacts],
    group_name="hygiene",
    kinds={"duckdb", "polars"},
    owners=["team:marketing-ops"],
    description=(
        "One row per contact in a duplicate cluster of two or more: `cluster_id`, `is_survivor` "
        "(exactly one per cluster), `score` and the `match_evidence` that decided it."
    ),
)
def duplicate_clusters(
    context: dg.AssetExecutionContext, hygiene: HygieneResource
) -> dg.MaterializeResult:
    snapshot = snapshot_of(context)
    store = hygiene.store()
    contacts = store.read_partition("normalized_contacts", snapshot)
    clusters, stats = find_duplicate_clusters_with_stats(contacts)
    store.replace_partition(snapshot, {"duplicate_clusters": clusters})
    sizes = clusters.group_by("cluster_id").len()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": clusters.height,
            "clusters": sizes.height,
            "records_to_merge": clusters.filter(~pl.col("is_survivor")).height,
            "largest_cluster": int(sizes.get_column("len").max() or 0),
            "candidate_pairs": stats["candidate_pairs"],
            "matched_pairs": stats["matched_pairs"],
            "matches_by_rule": dg.MetadataValue.json(stats["matches_by_rule"]),
            # Blocks over the size cap (a placeholder phone shared by hundreds) are not compared.
            "skipped_blocks": stats["skipped_blocks"],
            "refused_weak_links": stats["refused_weak_links"],
            "refused_oversized_clusters": stats["refused_oversized"],
        }
    )
