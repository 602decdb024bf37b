"""The prune list: which contacts to delete, merge, quarantine or re-engage, and every reason why.

Rules are evaluated in order; the first that matches sets the action, and `reasons` lists every
rule that matched with its evidence, so each row can be explained to the person who acts on it.
Protected contacts (customers, ...) are never deleted (quarantine instead) and never re-engaged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from hygiene_pipeline import schema
from hygiene_pipeline.months import months_before


@dataclass(frozen=True)
class PrunePolicy:
    """The thresholds users tune; defaults are the `balanced` policy."""

    inactive_months: int = 6
    protected_lifecycle_stages: tuple[str, ...] = ("customer", "evangelist", "opportunity")


# (rule name, action) in evaluation order; the evidence expression for each is built below.
RULE_ORDER: tuple[tuple[str, str], ...] = (
    ("duplicate", "merge"),
    ("unsubscribed", "delete"),
    ("hard_bounce", "delete"),
    ("email_invalid", "delete"),
    ("unreachable", "delete"),
    ("soft_bounce", "quarantine"),
    ("email_risky", "quarantine"),
    ("inactive", "re_engage"),
)


def build_prune_list(
    contacts: pl.DataFrame,
    clusters: pl.DataFrame,
    validation: pl.DataFrame,
    *,
    today: date,
    policy: PrunePolicy | None = None,
) -> pl.DataFrame:
    """Contacts not kept (schema.PRUNE_LIST), ordered by contact_id; `today` is the month's end."""
    policy = policy or PrunePolicy()
    _require_one_row_each(contacts, validation)
    survivors = clusters.filter(pl.col("is_survivor")).select(
        "cluster_id", pl.col("contact_id").alias("survivor_id")
    )
    merge_targets = (
        clusters.filter(~pl.col("is_survivor"))
        .join(survivors, on="cluster_id", how="left")
        .select("contact_id", pl.col("survivor_id").alias("merge_into"))
    )
    frame = contacts.join(
        validation.select("contact_id", "email_status", "email_reasons", "phone_status"),
        on="contact_id",
        how="left",
    ).join(merge_targets, on="contact_id", how="left")

    evidence = _rule_evidence(policy, today)
    protected = pl.col("lifecycle_stage").is_in(list(policy.protected_lifecycle_stages))
    reasons = pl.concat_list(
        [pl.when(evidence[name].is_not_null()).then(evidence[name]) for name, _ in RULE_ORDER]
    ).list.drop_nulls()

    first_action: pl.Expr = pl.lit(None, dtype=pl.String)
    for name, action in reversed(RULE_ORDER):
        first_action = (
            pl.when(evidence[name].is_not_null()).then(pl.lit(action)).otherwise(first_action)
        )
    action = (
        pl.when(protected & (first_action == "delete"))
        .then(pl.lit("quarantine"))
        .when(protected & (first_action == "re_engage"))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(first_action)
    )
    protected_note = pl.format("protected: lifecycle {}", pl.col("lifecycle_stage"))
    result = (
        frame.with_columns(action.alias("action"), reasons.alias("reasons"))
        .filter(pl.col("action").is_not_null())
        .with_columns(
            pl.when(protected)
            .then(pl.concat_list([pl.col("reasons"), pl.concat_list([protected_note])]))
            .otherwise(pl.col("reasons"))
            .alias("reasons"),
            pl.when(pl.col("action") == "merge").then(pl.col("merge_into")).alias("merge_into"),
        )
        .sort("contact_id")
    )
    return schema.conform(result, schema.PRUNE_LIST)


def _rule_evidence(policy: PrunePolicy, today: date) -> dict[str, pl.Expr]:
    """Per rule, a String expression that is the evidence when the rule matches, else null."""
    cutoff = datetime.combine(months_before(today, policy.inactive_months), datetime.min.time())
    no_activity = pl.col("last_activity_at").is_null()
    inactive = (pl.col("last_activity_at") < cutoff) | (
        no_activity & (pl.col("created_at") < cutoff)
    )
    return {
        "duplicate": _when(
            pl.col("merge_into").is_not_null(), pl.format("duplicate_of: {}", pl.col("merge_into"))
        ),
        "unsubscribed": _when(pl.col("unsubscribed"), pl.lit("unsubscribed")),
        "hard_bounce": _when(
            pl.col("bounce") == "hard",
            pl.format("hard_bounce: {}", pl.col("bounce_reason").fill_null("no reason given")),
        ),
        "email_invalid": _when(
            pl.col("email_status") == "invalid",
            pl.format("email_invalid: {}", pl.col("email_reasons").list.join(", ")),
        ),
        "unreachable": _when(
            (pl.col("email_status") == "missing") & (pl.col("phone_status") != "valid"),
            pl.format("unreachable: no email and phone {}", pl.col("phone_status")),
        ),
        "soft_bounce": _when(pl.col("bounce") == "soft", pl.lit("soft_bounce")),
        "email_risky": _when(
            pl.col("email_status") == "risky",
            pl.format("email_risky: {}", pl.col("email_reasons").list.join(", ")),
        ),
        "inactive": _when(
            inactive,
            pl.when(no_activity)
            .then(pl.format("never_engaged: created {}", pl.col("created_at").dt.date()))
            .otherwise(pl.format("no_engagement_since: {}", pl.col("last_activity_at").dt.date())),
        ),
    }


def _when(condition: pl.Expr, evidence: pl.Expr) -> pl.Expr:
    return pl.when(condition.fill_null(False)).then(evidence).otherwise(None)


def _require_one_row_each(contacts: pl.DataFrame, validation: pl.DataFrame) -> None:
    if contacts.height != validation.height:
        raise ValueError(
            f"validation has {validation.height} rows for {contacts.height} contacts; "
            "materialize validation_results for this month again"
        )
