"""duplicate_clusters: records that are one person, with survivors and a merge plan."""

from datetime import date

import dagster as dg
import polars as pl

from assets.check_helpers import AssetChecks, ids_within_contacts, schema_problems, values_result
from assets.metadata import StepTimer, preview
from assets.normalized_contacts import normalized_contacts
from assets.partitions import monthly_partitions, snapshot_of
from assets.resources import HygieneResource, in_one_session
from hygiene_pipeline import schema
from hygiene_pipeline.dedupe.config import load_dedupe_config
from hygiene_pipeline.dedupe.find import find_duplicate_clusters_with_stats, input_columns
from hygiene_pipeline.dedupe.merge_plan import build_merge_plan

# ---- Checks: evaluated in the asset's own step, after its write ----
_checks = AssetChecks("duplicate_clusters")


@_checks.add(
    additional_deps=[normalized_contacts],
    blocking=True,
    description="Blocking: every clustered record is one of the month's contacts, once.",
)
def duplicate_ids_within_contacts(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    return ids_within_contacts(hygiene.store(), "duplicate_clusters", snapshot)


@_checks.add(
    blocking=True,
    description="Blocking: the contract columns; exactly one survivor per cluster; score 0..1.",
)
def duplicate_clusters_schema(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    store = hygiene.store()
    problems = schema_problems(store, "duplicate_clusters", schema.DUPLICATE_CLUSTERS)
    if not problems:
        bad = store.query(
            "SELECT count(*) FILTER (WHERE survivors <> 1) AS clusters, "
            "coalesce(sum(out_of_range), 0) AS scores FROM (SELECT cluster_id, "
            "count(*) FILTER (WHERE is_survivor) AS survivors, "
            "count(*) FILTER (WHERE score IS NULL OR score < 0 OR score > 1) AS out_of_range "
            "FROM duplicate_clusters WHERE snapshot = $1 GROUP BY cluster_id)",
            [snapshot],
        ).row(0, named=True)
        if bad["clusters"]:
            problems.append(f"{bad['clusters']} clusters without exactly one survivor")
        if bad["scores"]:
            problems.append(f"{bad['scores']} scores outside 0..1")
    return values_result(problems, "duplicate_clusters")


@dg.asset(
    check_specs=_checks.specs,
    partitions_def=monthly_partitions,
    deps=[normalized_contacts],
    group_name="hygiene",
    kinds={"duckdb", "polars"},
    owners=["team:marketing-ops"],
    description=(
        "One row per contact in a duplicate cluster of two or more: `cluster_id`, `is_survivor` "
        "(exactly one per cluster), `score` and the `match_evidence` that decided it. Writes the "
        "`merge_plan` table in the same transaction: per cluster and field of the golden record, "
        "the value and the record it comes from. Settings: $HYGIENE_DATA_DIR/dedupe.yaml."
    ),
)
@in_one_session
def duplicate_clusters(
    context: dg.AssetExecutionContext, hygiene: HygieneResource
) -> dg.MaterializeResult:
    snapshot = snapshot_of(context)
    store = hygiene.store()
    config = load_dedupe_config(hygiene.root / "dedupe.yaml")
    timer = StepTimer()
    with timer.step("read"):
        stored = set(store.columns("normalized_contacts"))
        wanted = [name for name in input_columns(config) if name in stored]
        contacts = store.read_partition("normalized_contacts", snapshot, columns=wanted or None)
    with timer.step("find_clusters"):
        clusters, stats = find_duplicate_clusters_with_stats(contacts, config)
    with timer.step("merge_plan"):
        plan = build_merge_plan(contacts, clusters)
    with timer.step("write"):
        store.replace_partition(snapshot, {"duplicate_clusters": clusters, "merge_plan": plan})
    sizes = clusters.group_by("cluster_id").len()
    filled = plan.filter(pl.col("rule") == "filled_from_newest").height
    return dg.MaterializeResult(
        check_results=_checks.results(hygiene, snapshot),
        metadata={
            "dagster/row_count": clusters.height,
            "preview": preview(
                clusters, ["contact_id", "cluster_id", "is_survivor", "score", "match_evidence"]
            ),
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
            "survivor_rules": ", ".join(config.survivor.order),
            "matching_keys_from": stats["matching_keys_from"],
            "merge_plan_rows": plan.height,
            "merge_plan_filled_fields": filled,
            **timer.metadata(),
        },
    )
