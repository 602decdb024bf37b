"""The prune list: which contacts to delete, merge, quarantine or re-engage, and every reason why.

Rules (policy.RULES) are evaluated in order; the first that matches sets the action, and
`reasons` lists every rule that matched with its evidence, so each row can be explained to the
person who acts on it. Protected contacts are never deleted (quarantine instead, unless an erasure
request names them) and never re-engaged: the inactivity rules do not apply to them. A contact
whose file cannot tell its lifecycle stage is treated as possibly protected: quarantined where it
would be deleted or re-engaged (`protection_unknown`); one whose file cannot tell whether it
unsubscribed is quarantined where it would be re-engaged by email (`unsubscribe_unknown`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import polars as pl

from hygiene_pipeline import schema
from hygiene_pipeline.months import months_before
from hygiene_pipeline.prune.erasure import names_erased
from hygiene_pipeline.prune.policy import RULES, PrunePolicy

_HISTORY_SCHEMA = {"contact_id": pl.String(), "re_engaged_on": pl.Date()}
_SUPPRESSED_SCHEMA = {
    "contact_id": pl.String(),
    "suppressed_since": pl.Date(),
    "suppressed_reason": pl.String(),
}


@dataclass(frozen=True)
class MonthHistory:
    """What earlier months and the user's registers say about this month's contacts."""

    erasure_emails: frozenset[str] = frozenset()
    # contact_id -> the latest earlier snapshot in which it was re_engage (schema _HISTORY_SCHEMA)
    earlier_re_engage: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=_HISTORY_SCHEMA)
    )
    # contact_id -> when and why its email hash went on the suppression list (_SUPPRESSED_SCHEMA)
    suppressed: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema=_SUPPRESSED_SCHEMA)
    )


# The columns build_prune_list reads from each stage: callers may read only these.
CONTACT_COLUMNS = (
    "snapshot", "contact_id", "email", "email_others", "lifecycle_stage", "created_at",
    "last_activity_at", "unsubscribed", "bounce", "bounce_reason", "unknown_fields", "source_file",
    "lead_status",
)  # fmt: skip
VALIDATION_COLUMNS = ("contact_id", "email_status", "email_reasons", "phone_status", "issues")
CLUSTER_COLUMNS = ("contact_id", "cluster_id", "is_survivor")
_PROTECTED_REASON = "_protected_reason"
_UNKNOWN_REASON = "_unknown_reason"
_JOB_REASON = "_job_reason"
_BOUNCE_RULES = ("hard_bounce", "email_invalid")  # what a job change may turn into re-engage


def build_prune_list(
    contacts: pl.DataFrame,
    clusters: pl.DataFrame,
    validation: pl.DataFrame,
    *,
    today: date,
    policy: PrunePolicy | None = None,
    history: MonthHistory | None = None,
) -> pl.DataFrame:
    """Contacts not kept (schema.PRUNE_LIST), ordered by contact_id; `today` is the month's end.

    Each rule's evidence is computed once, as a column; the action reads those columns, and
    reasons are gathered only for the rows that get an action.
    """
    policy = policy or PrunePolicy()
    history = history or MonthHistory()
    _require_one_row_each(contacts, validation)
    frame = _rule_inputs(contacts, clusters, validation, policy, history)
    evidence_columns = {rule: f"_evidence_{rule}" for rule in RULES}
    evidence = {rule: pl.col(column) for rule, column in evidence_columns.items()}
    rules = _rule_evidence(policy, today)
    reason_columns = [*evidence_columns.values(), _PROTECTED_REASON, _UNKNOWN_REASON, _JOB_REASON]
    decided = (
        frame.with_columns(rules[rule].alias(column) for rule, column in evidence_columns.items())
        .with_columns(_first_action(policy, evidence).alias("action"))
        .filter(pl.col("action").is_not_null())
        .with_columns(
            pl.when(pl.col("_protected"))
            .then(pl.format("protected: lifecycle {}", "lifecycle_stage"))
            .alias(_PROTECTED_REASON),
            _unknown_reason(evidence).alias(_UNKNOWN_REASON),
            pl.when(pl.col("_job_change") & (pl.col("action") == "re_engage"))
            .then(pl.lit("job_change: the old work address fails; re-engage the person"))
            .alias(_JOB_REASON),
            pl.when(pl.col("action") == "merge").then(pl.col("merge_into")).alias("merge_into"),
        )
        .with_row_index("_row")
    )
    # Only the narrow output columns are sorted; the reasons join them by row number.
    result = (
        decided.select("snapshot", "contact_id", "action", "merge_into", "_row")
        .sort("contact_id")
        .join(_reason_lists(decided, reason_columns), on="_row", how="left", maintain_order="left")
        .with_columns(pl.col("reasons").fill_null(pl.lit([], dtype=pl.List(pl.String))))
    )
    return schema.conform(result, schema.PRUNE_LIST)


def _rule_inputs(
    contacts: pl.DataFrame,
    clusters: pl.DataFrame,
    validation: pl.DataFrame,
    policy: PrunePolicy,
    history: MonthHistory,
) -> pl.DataFrame:
    """One row per contact with only what the rules read.

    List columns are reduced to the values the rules use before any join: gathering lists cost
    more than the joins themselves.
    """
    verdicts = validation.select(
        "contact_id",
        "email_status",
        "phone_status",
        pl.col("email_reasons").list.join(", ").alias("_email_reasons"),
        pl.col("issues").list.contains("test_record").alias("_test_record"),
        pl.col("issues").list.contains("job_change").alias("_job_change"),
        (
            pl.col("issues").list.contains("created_by_sales_tool")
            | pl.col("issues").list.contains("purchased_list")
        ).alias("_sales_tool_or_purchased"),
    )
    facts = contacts.select(
        pl.col(CONTACT_COLUMNS).exclude("email_others"),
        pl.col("lifecycle_stage")
        .is_in(list(policy.protected_lifecycle_stages))
        .fill_null(False)
        .alias("_protected"),
        names_erased(history.erasure_emails).alias("_erasure"),
        _unknown("lifecycle_stage", policy).alias("_protection_unknown"),
        _unknown("unsubscribed", policy).alias("_consent_unknown"),
    )
    return (
        facts.join(verdicts, on="contact_id", how="left")
        .join(_merge_targets(clusters, contacts, history), on="contact_id", how="left")
        .join(history.earlier_re_engage.cast(_HISTORY_SCHEMA), on="contact_id", how="left")
        .join(history.suppressed.cast(_SUPPRESSED_SCHEMA), on="contact_id", how="left")
    )


def _unknown(fact: str, policy: PrunePolicy) -> pl.Expr:
    """The contact's file cannot tell `fact`, and the policy does not accept that."""
    if fact in policy.accept_unknown:
        return pl.lit(False)
    return pl.col("unknown_fields").list.contains(fact).fill_null(False)


def _unknown_reason(evidence: dict[str, pl.Expr]) -> pl.Expr:
    """Why a contact was held back for lack of a column, naming its file."""
    would_email = evidence["inactive"].is_not_null() | evidence["re_engage_expired"].is_not_null()
    return (
        pl.when(pl.col("_protection_unknown") & (pl.col("action") == "quarantine"))
        .then(pl.format("protection_unknown: {} has no lifecycle stage column", "source_file"))
        .when(pl.col("_consent_unknown") & would_email & (pl.col("action") == "quarantine"))
        .then(pl.format("unsubscribe_unknown: {} has no unsubscribe column", "source_file"))
        .otherwise(None)
    )


def _reason_lists(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """`_row` -> `reasons`: the row's non-null values of `columns`, in column order.

    Gathered as one long frame (per column, its non-null values with their row number) grouped
    per row: concat_list + list.drop_nulls over a dozen mostly-null columns took seconds. Rows
    without any value are absent.
    """
    long = pl.concat(
        [frame.select("_row", pl.col(column).alias("reasons")).drop_nulls() for column in columns]
    )
    return long.group_by("_row").agg("reasons")  # keeps each group's values in frame order


def _merge_targets(
    clusters: pl.DataFrame, contacts: pl.DataFrame, history: MonthHistory
) -> pl.DataFrame:
    """contact_id -> its survivor for non-survivors; an erased survivor takes no merges."""
    erased = contacts.filter(names_erased(history.erasure_emails))["contact_id"]
    survivors = clusters.filter(pl.col("is_survivor")).select(
        "cluster_id", pl.col("contact_id").alias("survivor_id")
    )
    return (
        clusters.filter(~pl.col("is_survivor"))
        .join(survivors, on="cluster_id", how="left")
        .select(
            "contact_id",
            pl.when(~pl.col("survivor_id").is_in(erased.to_list()))
            .then(pl.col("survivor_id"))
            .alias("merge_into"),
            pl.when(pl.col("survivor_id").is_in(erased.to_list()))
            .then(pl.col("survivor_id"))
            .alias("_erased_survivor"),
        )
    )


def _first_action(policy: PrunePolicy, evidence: dict[str, pl.Expr]) -> pl.Expr:
    """The action of the first matching rule that sets one; protection applied.

    A contact of unknown protection is held like a protected one (quarantine, not delete) and,
    like one of unknown consent, quarantined where the rule would re-engage it by email.
    """
    inactivity = {"inactive", "re_engage_expired", "retention_expired", "unqualified_inactive"}
    held = pl.col("_protected") | pl.col("_protection_unknown")
    not_to_email = pl.col("_protection_unknown") | pl.col("_consent_unknown")
    action: pl.Expr = pl.lit(None, dtype=pl.String)
    for rule in reversed(RULES):
        rule_action = policy.action_for(rule)
        if rule_action == "keep":
            continue  # the rule is reported in reasons but sets no action
        matched = evidence[rule].is_not_null()
        if rule == "duplicate":
            # Only a merge target makes a merge; a duplicate of an erased record has none.
            matched = pl.col("merge_into").is_not_null()
        if rule in inactivity:
            matched = matched & ~pl.col("_protected")
        if rule_action == "delete" and rule in _BOUNCE_RULES and policy.re_engage_job_changes:
            rule_action_expr = (
                pl.when(held)
                .then(pl.lit("quarantine"))
                .when(pl.col("_job_change") & not_to_email)
                .then(pl.lit("quarantine"))
                .when(pl.col("_job_change"))
                .then(pl.lit("re_engage"))
                .otherwise(pl.lit("delete"))
            )
        elif rule_action == "delete" and rule != "erasure_request":
            rule_action_expr = pl.when(held).then(pl.lit("quarantine")).otherwise(pl.lit("delete"))
        elif rule_action == "re_engage":
            rule_action_expr = (
                pl.when(not_to_email).then(pl.lit("quarantine")).otherwise(pl.lit("re_engage"))
            )
        else:
            rule_action_expr = pl.lit(rule_action)
        action = pl.when(matched).then(rule_action_expr).otherwise(action)
    # A duplicate whose survivor was erased on request: the same person, so a person reviews it.
    return (
        pl.when(action.is_null() & pl.col("_erased_survivor").is_not_null())
        .then(pl.lit("quarantine"))
        .otherwise(action)
    )


def _rule_evidence(policy: PrunePolicy, today: date) -> dict[str, pl.Expr]:
    """Per rule, a String expression that is the evidence when the rule matches, else null.

    Reads the columns of _rule_inputs (`_email_reasons` is email_reasons joined by ", ").
    """
    no_activity = pl.col("last_activity_at").is_null()

    def quiet_for(months: int) -> pl.Expr:
        """No engagement for `months` (never engaged: created before then)."""
        cutoff = datetime.combine(months_before(today, months), datetime.min.time())
        return (pl.col("last_activity_at") < cutoff) | (
            no_activity & (pl.col("created_at") < cutoff)
        )

    inactive = quiet_for(policy.inactive_months)
    snapshot_cutoff = month_end_to_snapshot(today) - timedelta(days=policy.re_engage_grace_days)
    re_engaged_on = pl.col("re_engaged_on")
    # "Since" the re-engagement: after the end of the month that asked for it.
    engaged_since = pl.col("last_activity_at") >= re_engaged_on.dt.offset_by("1mo").cast(
        pl.Datetime("us")
    )
    expired = (
        inactive
        & re_engaged_on.is_not_null()
        & (re_engaged_on <= snapshot_cutoff)
        & ~engaged_since.fill_null(False)
    )
    return {
        "erasure_request": _when(pl.col("_erasure"), pl.lit("erasure_request")),
        "suppressed": _when(
            pl.col("suppressed_since").is_not_null(),
            pl.format(
                "suppressed: {} in {}",
                pl.col("suppressed_reason"),
                pl.col("suppressed_since").dt.strftime("%Y-%m"),
            ),
        ),
        "duplicate": pl.when(pl.col("merge_into").is_not_null())
        .then(pl.format("duplicate_of: {}", pl.col("merge_into")))
        .when(pl.col("_erased_survivor").is_not_null())
        .then(pl.lit("duplicate_of_erased_record: review by hand"))
        .otherwise(None),
        "test_record": _when(pl.col("_test_record"), pl.lit("test_record")),
        "unsubscribed": _when(pl.col("unsubscribed"), pl.lit("unsubscribed")),
        "hard_bounce": _when(
            pl.col("bounce") == "hard",
            pl.format("hard_bounce: {}", pl.col("bounce_reason").fill_null("no reason given")),
        ),
        "email_invalid": _when(
            pl.col("email_status") == "invalid",
            pl.format("email_invalid: {}", pl.col("_email_reasons")),
        ),
        "unreachable": _when(
            (pl.col("email_status") == "missing") & (pl.col("phone_status") != "valid"),
            pl.format("unreachable: no email and phone {}", pl.col("phone_status")),
        ),
        "soft_bounce": _when(pl.col("bounce") == "soft", pl.lit("soft_bounce")),
        "email_risky": _when(
            pl.col("email_status") == "risky",
            pl.format("email_risky: {}", pl.col("_email_reasons")),
        ),
        "sales_tool_or_purchased": _when(
            pl.col("_sales_tool_or_purchased"), pl.lit("sales_tool_or_purchased")
        ),
        "unqualified_inactive": _when(
            (pl.col("lead_status") == "Unqualified") & quiet_for(policy.unqualified_months),
            pl.format(
                "unqualified_inactive: unqualified, {} months without engagement",
                pl.lit(policy.unqualified_months),
            ),
        ),
        "retention_expired": _when(
            quiet_for(policy.retention_months),
            pl.format(
                "retention_expired: no engagement for {} months", pl.lit(policy.retention_months)
            ),
        ),
        "re_engage_expired": _when(
            expired,
            pl.format(
                "re_engage_expired: re-engagement asked in {}, no engagement since",
                re_engaged_on.dt.strftime("%Y-%m"),
            ),
        ),
        "inactive": _when(
            inactive,
            pl.when(no_activity)
            .then(pl.format("never_engaged: created {}", pl.col("created_at").dt.date()))
            .otherwise(pl.format("no_engagement_since: {}", pl.col("last_activity_at").dt.date())),
        ),
    }


def month_end_to_snapshot(today: date) -> date:
    """The snapshot (first day) of the month whose end is `today`."""
    return months_before(today, 1)


def _when(condition: pl.Expr, evidence: pl.Expr) -> pl.Expr:
    return pl.when(condition.fill_null(False)).then(evidence).otherwise(None)


def _require_one_row_each(contacts: pl.DataFrame, validation: pl.DataFrame) -> None:
    if contacts.height != validation.height:
        raise ValueError(
            f"validation has {validation.height} rows for {contacts.height} contacts; "
            "materialize validation_results for this month again"
        )
