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
    members = clusters.select("snapshot", "contact_id", "cluster_id", "is_survivor").join(
        contacts.select(
            "snapshot",
            "contact_id",
            "updated_at",
            "last_activity_at",
            "created_at",
            *[pl.col(name).cast(pl.String) for name in MERGE_FIELDS],
        ).unique(["snapshot", "contact_id"], keep="first", maintain_order=True),
        on=["snapshot", "contact_id"],
        how="left",
    )
    survivors = members.filter("is_survivor").select(
        "snapshot", "cluster_id", survivor_id="contact_id"
    )
    long = members.unpivot(
        index=["snapshot", "contact_id", "cluster_id", "is_survivor", "updated_at",
               "last_activity_at", "created_at"],
        on=list(MERGE_FIELDS), variable_name="field", value_name="value",
    ).with_columns(value=pl.col("value").str.strip_chars())  # fmt: skip
    filled = long.filter(pl.col("value").str.len_chars() > 0)
    # The survivor first, then the newest other record; contact_id breaks the last ties.
    chosen = (
        filled.sort(
            ["is_survivor", "updated_at", "last_activity_at", "created_at", "contact_id"],
            descending=[True, True, True, True, False],
            nulls_last=True,
        )
        .group_by("snapshot", "cluster_id", "field", maintain_order=True)
        .first()
        .select(
            "snapshot",
            "cluster_id",
            "field",
            "contact_id",
            "value",
            rule=pl.when("is_survivor")
            .then(pl.lit("survivor"))
            .otherwise(pl.lit("filled_from_newest")),
        )
    )
    grid = survivors.join(pl.DataFrame({"field": list(MERGE_FIELDS)}), how="cross")
    plan = grid.join(chosen, on=["snapshot", "cluster_id", "field"], how="left").with_columns(
        contact_id=pl.coalesce("contact_id", "survivor_id"),
        rule=pl.col("rule").fill_null("blank"),
    )
    order = pl.col("field").replace_strict(
        {name: index for index, name in enumerate(MERGE_FIELDS)}, return_dtype=pl.Int32
    )
    return schema.conform(plan.sort("snapshot", "cluster_id", order), MERGE_PLAN)


def golden_records(plan: pl.DataFrame) -> pl.DataFrame:
    """One row per cluster: survivor_id and the golden value of every MERGE_FIELDS field."""
    wide = plan.pivot(on="field", index=["snapshot", "cluster_id", "survivor_id"], values="value")
    missing = [name for name in MERGE_FIELDS if name not in wide.columns]
    wide = wide.with_columns(pl.lit(None, dtype=pl.String).alias(name) for name in missing)
    return wide.select("snapshot", "cluster_id", "survivor_id", *MERGE_FIELDS)
