"""validation_results: what a paid verifier would say of each contact's email and phone."""

from datetime import date

import dagster as dg
import polars as pl

from assets.check_helpers import (
    ERROR,
    WARN,
    AssetChecks,
    doubled,
    month_and_previous,
    no_baseline,
    rows_match,
    schema_problems,
    unexpected_values,
    values_result,
)
from assets.metadata import StepTimer, counts_table, list_counts_table, preview
from assets.normalized_contacts import normalized_contacts
from assets.partitions import monthly_partitions, snapshot_of, today_of
from assets.resources import HygieneResource, in_one_session
from hygiene_pipeline import schema
from hygiene_pipeline.months import folder_name
from hygiene_pipeline.store import HygieneStore
from hygiene_pipeline.validate.contacts import INPUT_COLUMNS, validate_contacts
from hygiene_pipeline.validate.dns_cache import with_cache
from hygiene_pipeline.validate.dns_check import DomainChecker
from hygiene_pipeline.validate.job_changes import COLUMNS as JOB_COLUMNS
from hygiene_pipeline.validate.job_changes import find_job_changes

_PREVIEW = ["contact_id", "email_status", "email_reasons", "email_suggestion", "phone_status",
            "issues"]  # fmt: skip


# ---- Checks: evaluated in the asset's own step, after its write ----
_checks = AssetChecks("validation_results")


# Most contacts lost their email since last month: a broken export, not a trend.
EMAIL_COLLAPSE = 0.40


@_checks.add(
    additional_deps=[normalized_contacts],
    blocking=True,
    description="Blocking: one validation row per normalized contact of the month, same ids.",
)
def validation_rows_match_normalized(
    hygiene: HygieneResource, snapshot: date
) -> dg.AssetCheckResult:
    return rows_match(hygiene.store(), "validation_results", "normalized_contacts", snapshot)


@_checks.add(
    blocking=True,
    description="Blocking: the contract columns; email_status and phone_status as in schema.py.",
)
def validation_values_allowed(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    return validation_values(hygiene.store(), snapshot)


def validation_values(store: HygieneStore, snapshot: date) -> dg.AssetCheckResult:
    problems = schema_problems(store, "validation_results", schema.VALIDATION_RESULTS)
    if not problems:
        problems = unexpected_values(
            store, "validation_results", "email_status", schema.EMAIL_STATUSES, snapshot
        ) + unexpected_values(
            store, "validation_results", "phone_status", schema.PHONE_STATUSES, snapshot
        )
    return values_result(problems, "validation_results")


_EMAIL_SHARES = (
    "avg(CASE WHEN email_status = 'missing' THEN 1 ELSE 0 END) AS missing, "
    "avg(CASE WHEN email_status = 'invalid' THEN 1 ELSE 0 END) AS invalid, "
    "avg(CASE WHEN phone_status IN ('invalid', 'placeholder') THEN 1 ELSE 0 END) AS bad_phone"
)


def _compare(
    hygiene: HygieneResource, snapshot: date, share: str
) -> tuple[date, float, float, int] | None:
    """(previous month, share then, share now, rows now), or None without a previous month."""
    months = month_and_previous(hygiene.store(), "validation_results", _EMAIL_SHARES, snapshot)
    if months.height < 2:
        return None
    (before_month, before, _), (_, now, rows) = months.select("snapshot", share, "rows").iter_rows()
    return before_month, float(before), float(now), int(rows)


@_checks.add(
    blocking=True,
    description=(
        "Warns when the share of contacts without email doubles since the previous stored month; "
        "fails with ERROR and blocks the prune list when it rose by 40 points or more (an export "
        "whose Email column is empty would otherwise delete those contacts as unreachable)."
    ),
)
def missing_emails_steady(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    compared = _compare(hygiene, snapshot, "missing")
    if compared is None:
        return no_baseline(snapshot)
    before_month, before, now, rows = compared
    collapsed = now - before >= EMAIL_COLLAPSE
    passed = not collapsed and not doubled(before, now)
    what = (
        f"Emails are missing for {now:.1%} of contacts ({round(now * rows)} of {rows}), "
        f"up from {before:.1%} in {folder_name(before_month)}."
    )
    cause = (
        " The export is the likely cause: its Email column was left out, renamed or emptied. "
        "Fix the export and run the month again; the prune list is held back until then."
        if collapsed
        else " The export is the usual cause (an Email column left out of the view, or a CRM "
        "import that lost addresses); check it before acting on this month's prune list."
    )
    return dg.AssetCheckResult(
        passed=passed,
        severity=ERROR if collapsed else WARN,
        description=f"{now:.1%} without email, {before:.1%} in {folder_name(before_month)}"
        if passed
        else what + cause,
        metadata={
            "missing_share": round(now, 4),
            "previous_share": round(before, 4),
            "previous_month": folder_name(before_month),
        },
    )


@_checks.add(
    description="Warns when the share of invalid emails doubles since the previous stored month.",
)
def invalid_emails_steady(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    return _warn_on_doubling(
        hygiene,
        snapshot,
        "invalid",
        "invalid emails",
        "A broken export is the usual cause (columns shifted by a stray delimiter, a changed "
        "encoding mangling addresses); a company domain that stopped taking mail is the other.",
    )


@_checks.add(
    description="Warns when the share of invalid or placeholder phones doubles since last month.",
)
def bad_phones_steady(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    return _warn_on_doubling(
        hygiene,
        snapshot,
        "bad_phone",
        "invalid or placeholder phones",
        "The export is the usual cause: a phone column swapped for another, numbers exported "
        "as numbers (leading zeros or + lost), or a form that started accepting junk.",
    )


def _warn_on_doubling(
    hygiene: HygieneResource,
    snapshot: date,
    share: str,
    label: str,
    cause: str,
) -> dg.AssetCheckResult:
    compared = _compare(hygiene, snapshot, share)
    if compared is None:
        return no_baseline(snapshot)
    before_month, before, now, _ = compared
    passed = not doubled(before, now)
    return dg.AssetCheckResult(
        passed=passed,
        severity=WARN,
        description=f"{now:.1%} {label}, {before:.1%} in {folder_name(before_month)}"
        if passed
        else f"The share of {label} went from {before:.1%} in {folder_name(before_month)} to "
        f"{now:.1%}: more than doubled. {cause}",
        metadata={
            "share": round(now, 4),
            "previous_share": round(before, 4),
            "previous_month": folder_name(before_month),
        },
    )


@dg.asset(
    check_specs=_checks.specs,
    partitions_def=monthly_partitions,
    deps=[normalized_contacts],
    group_name="hygiene",
    kinds={"duckdb", "polars", "dns"},
    owners=["team:marketing-ops"],
    description=(
        "One row per contact: `email_status` (valid, invalid, risky, unknown, missing) with every "
        "finding in `email_reasons` and a typo fix in `email_suggestion`; `phone_status` (valid, "
        "invalid, placeholder, missing); completeness and freshness `issues`. DNS goes through "
        "HYGIENE_NAMESERVERS; a DNS failure gives `unknown`, never `invalid`. DNS answers are "
        "cached in the `dns_cache` table for HYGIENE_DNS_CACHE_TTL_DAYS (default 7)."
    ),
)
@in_one_session
def validation_results(
    context: dg.AssetExecutionContext, hygiene: HygieneResource
) -> dg.MaterializeResult:
    snapshot = snapshot_of(context)
    store = hygiene.store()
    timer = StepTimer()
    with timer.step("read"):
        columns = list(dict.fromkeys([*INPUT_COLUMNS, *JOB_COLUMNS]))
        contacts = store.read_partition("normalized_contacts", snapshot, columns=columns)
        previous = _previous_month(store, snapshot)
    with timer.step("validate"):  # DNS included: its own wall time is reported below
        resolver = DomainChecker.from_env(hygiene.nameserver_setting)
        checker = with_cache(resolver, store)
        changes = find_job_changes(contacts, previous, snapshot)
        results = validate_contacts(
            contacts, today=today_of(context), domain_checker=checker, job_changes=changes
        )
    with timer.step("write"):
        store.replace_partition(snapshot, {"validation_results": results, "job_changes": changes})
    dns = checker.stats
    return dg.MaterializeResult(
        check_results=_checks.results(hygiene, snapshot),
        metadata={
            "dagster/row_count": results.height,
            "email_status": counts_table(results, "email_status"),
            "phone_status": counts_table(results, "phone_status"),
            "issues": list_counts_table(results, "issues", heading="issue"),
            "job_changes": counts_table(changes, "kind"),
            "dns_distinct_domains": dns.domains,
            "dns_domains_from_cache": dns.from_cache,
            "dns_queries_sent": dns.queries,
            "dns_in_flight_peak": resolver.in_flight_peak,
            "dns_verdicts_cached": dns.cached,
            "dns_wall_time_s": round(dns.lookup_seconds, 3),
            "dns_cache_wall_time_s": round(dns.cache_seconds, 3),
            "preview": preview(results, _PREVIEW),
            **timer.metadata(),
        },
    )


def _previous_month(store: HygieneStore, snapshot: date) -> pl.DataFrame | None:
    """The latest stored month before this one, as far as job changes need it; None if none."""
    if "normalized_contacts" not in store.tables():
        return None
    before = store.query(
        "SELECT max(snapshot) AS month FROM normalized_contacts WHERE snapshot < $1", [snapshot]
    ).item()
    if before is None:
        return None
    return store.read_partition("normalized_contacts", before, columns=list(JOB_COLUMNS))
