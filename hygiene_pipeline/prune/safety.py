"""Invariants a prune list must hold before anyone acts on it; each returns what breaks it.

These back the blocking asset checks: a broken invariant stops the CRM files from being written.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from hygiene_pipeline.prune.policy import PrunePolicy

_EXAMPLES = 5


@dataclass(frozen=True)
class Violation:
    """How many rows break an invariant, with a few record ids to look at."""

    count: int
    examples: tuple[str, ...]
    message: str

    @property
    def ok(self) -> bool:
        return self.count == 0


def _violation(ids: pl.Series, what: str) -> Violation:
    examples = tuple(ids.head(_EXAMPLES).to_list())
    message = f"{ids.len()} {what}" + (f", e.g. {', '.join(examples)}" if examples else "")
    return Violation(ids.len(), examples, message)


def protected_deleted(
    prune: pl.DataFrame, contacts: pl.DataFrame, policy: PrunePolicy
) -> Violation:
    """Protected contacts (customers, ...) must only ever be deleted on an erasure request."""
    bad = (
        prune.filter(pl.col("action") == "delete")
        .join(contacts.select("contact_id", "lifecycle_stage"), on="contact_id", how="inner")
        .filter(
            pl.col("lifecycle_stage").is_in(list(policy.protected_lifecycle_stages))
            & ~pl.col("reasons").list.contains("erasure_request")
        )
    )
    return _violation(bad["contact_id"], "protected contacts deleted without an erasure request")


def unknown_protection_acted(
    prune: pl.DataFrame, contacts: pl.DataFrame, policy: PrunePolicy
) -> Violation:
    """A contact whose file has no lifecycle stage may be a customer: never deleted (but on an
    erasure request) nor re-engaged, unless the policy accepts not knowing."""
    if "lifecycle_stage" in policy.accept_unknown:
        return _violation(pl.Series([], dtype=pl.String), "")
    unknown = contacts.filter(pl.col("unknown_fields").list.contains("lifecycle_stage"))
    bad = (
        prune.filter(pl.col("action").is_in(["delete", "re_engage"]))
        .join(unknown.select("contact_id"), on="contact_id", how="inner")
        .filter(~pl.col("reasons").list.contains("erasure_request"))
    )
    return _violation(
        bad["contact_id"],
        "contacts deleted or re-engaged although their file has no lifecycle stage column",
    )


def survivors_merged(prune: pl.DataFrame, clusters: pl.DataFrame) -> Violation:
    """A cluster's survivor is what the others merge into: it must never be merged away."""
    survivors = clusters.filter(pl.col("is_survivor")).select("contact_id")
    bad = prune.filter(pl.col("action") == "merge").join(survivors, on="contact_id", how="inner")
    return _violation(bad["contact_id"], "survivors marked for merge")


def merges_off_target(prune: pl.DataFrame, clusters: pl.DataFrame) -> Violation:
    """Every merge points to the survivor of the merged record's own cluster."""
    merges = prune.filter(pl.col("action") == "merge").join(
        clusters.select("contact_id", "cluster_id"), on="contact_id", how="left"
    )
    survivors = clusters.filter(pl.col("is_survivor")).select(
        "cluster_id", pl.col("contact_id").alias("merge_into"), pl.lit(True).alias("_ok")
    )
    bad = merges.join(survivors, on=["cluster_id", "merge_into"], how="left").filter(
        pl.col("_ok").is_null()
    )
    return _violation(bad["contact_id"], "merges not pointing to their cluster's survivor")


def delete_share(prune: pl.DataFrame, contacts: pl.DataFrame) -> float:
    """Deleted contacts as a share of the month's contacts (0 for an empty month)."""
    if contacts.height == 0:
        return 0.0
    return prune.filter(pl.col("action") == "delete").height / contacts.height
