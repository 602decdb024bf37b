"""The golden record of each duplicate cluster, as a reviewable, replayable merge plan.

The golden record is the survivor's values, with each blank filled from the other members, newest
record first (last update, then last activity, then creation): what the CRM's merge would keep
if a person merged field by field, as Insycle's and DemandTools' merge rules do.

One `merge_plan` row per field of the golden record per cluster. Rows are keyed by the record the
value comes FROM (`contact_id`), with the cluster's `survivor_id` beside it: the erasure purge
deletes rows by (snapshot, contact_id), so an erased member's values leave the plan with it.
A field no member has is a `blank` row keyed by the survivor.
"""

from __future__ import annotations

import polars as pl

from hygiene_pipeline import schema
from hygiene_pipeline.dedupe.keys import rows_of

# Fields of the golden record, in the order the plan lists them.
MERGE_FIELDS = (
    "first_name", "last_name", "email", "phone", "company", "job_title", "owner", "lead_source",
    "lifecycle_stage", "lead_status", "country",
)  # fmt: skip
MERGE_RULES = ("survivor", "filled_from_newest", "blank")

MERGE_PLAN: dict[str, pl.DataType] = {
    **schema.KEY_COLUMNS,  # contact_id: the record the value comes from (the survivor if blank)
    "cluster_id": pl.String(),
    "survivor_id": pl.String(),  # the record that survives and takes the value
    "field": pl.String(),
    "value": pl.String(),  # null only for rule "blank"
    "rule": pl.String(),  # survivor, filled_from_newest, blank
}


def build_merge_plan(contacts: pl.DataFrame, clusters: pl.DataFrame) -> pl.DataFrame:
    """MERGE_PLAN rows for every cluster in `clusters` (duplicate_clusters rows).

    `contacts` are the month's normalized contacts (one row per contact_id and snapshot).
    Sorted by snapshot, cluster_id, then field in MERGE_FIELDS order.
    """
    if clusters.height == 0:
        return schema.empty(MERGE_PLAN)
    ranked = _ranked_members(contacts, clusters)
    # `slot` numbers a (cluster, field) of the plan, in the plan's order.
    slot = pl.col("cluster").cast(pl.UInt64) * len(MERGE_FIELDS)
    # One row per member and field, field by field, each in cluster then rank order: the first
    # filled value of each slot is the survivor's, else the newest other record's.
    long = pl.concat(
        ranked.select(
            "contact_id",
            "is_survivor",
            slot=slot + position,
            value=pl.col(name).str.strip_chars(),
        )
        for position, name in enumerate(MERGE_FIELDS)
    )
    filled = long.filter(pl.col("value").str.len_chars() > 0)
    first_of_slot = (pl.col("slot") != pl.col("slot").shift()).fill_null(True)
    chosen = filled.filter(first_of_slot).select(
        "slot",
        "contact_id",
        "value",
        rule=pl.when("is_survivor")
        .then(pl.lit("survivor"))
        .otherwise(pl.lit("filled_from_newest")),
    )
    survivors = ranked.filter("is_survivor").select(
        "snapshot", "cluster_id", "cluster", survivor_id="contact_id"
    )
    fields = pl.DataFrame(
        {"position": range(len(MERGE_FIELDS)), "field": list(MERGE_FIELDS)},
        schema={"position": pl.UInt64, "field": pl.String},
    )
    # Survivors are in (snapshot, cluster_id) order and fields in MERGE_FIELDS order: the grid
    # is already in the plan's order, and the left join keeps it.
    grid = survivors.join(fields, how="cross", maintain_order="left_right")
    grid = grid.with_columns(slot=slot + pl.col("position"))
    # Each slot's chosen value, by lookup: chosen holds at most one row per slot.
    picked = chosen.drop("slot")[rows_of(chosen.get_column("slot"), grid.get_column("slot"))]
    plan = pl.concat([grid, picked], how="horizontal").with_columns(
        contact_id=pl.coalesce("contact_id", "survivor_id"),
        rule=pl.col("rule").fill_null("blank"),
    )
    return schema.conform(plan, MERGE_PLAN)


def _ranked_members(contacts: pl.DataFrame, clusters: pl.DataFrame) -> pl.DataFrame:
    """Cluster members with their MERGE_FIELDS values (as strings), sorted by snapshot,
    cluster_id, then survivor first and newest first (contact_id breaks the last ties);
    `cluster` numbers the (snapshot, cluster_id) runs in that order.

    Only the members' contact rows (by contact_id: the join below matches the snapshot) are
    projected and de-duplicated, not the whole month.
    """
    keys = ["snapshot", "contact_id"]
    member_ids = clusters.get_column("contact_id").implode()
    values = (
        contacts.filter(pl.col("contact_id").is_in(member_ids))
        .select(
            *keys,
            "updated_at",
            "last_activity_at",
            "created_at",
            *[pl.col(name).cast(pl.String) for name in MERGE_FIELDS],
        )
        .unique(keys, keep="first", maintain_order=True)
    )
    members = clusters.select(*keys, "cluster_id", "is_survivor").join(values, on=keys, how="left")
    order = ["is_survivor", "updated_at", "last_activity_at", "created_at", "contact_id"]
    return members.sort(
        ["snapshot", "cluster_id", *order],
        descending=[False, False, True, True, True, True, False],
        nulls_last=True,
    ).with_columns(cluster=pl.struct("snapshot", "cluster_id").rle_id())


def golden_records(plan: pl.DataFrame) -> pl.DataFrame:
    """One row per cluster: survivor_id and the golden value of every MERGE_FIELDS field."""
    wide = plan.pivot(on="field", index=["snapshot", "cluster_id", "survivor_id"], values="value")
    missing = [name for name in MERGE_FIELDS if name not in wide.columns]
    wide = wide.with_columns(pl.lit(None, dtype=pl.String).alias(name) for name in missing)
    return wide.select("snapshot", "cluster_id", "survivor_id", *MERGE_FIELDS)
