"""validation_results: what a paid verifier would say of each contact's email and phone."""

import dagster as dg

from assets.metadata import StepTimer, counts_table, list_counts_table, preview
from assets.normalized_contacts import normalized_contacts
from assets.partitions import monthly_partitions, snapshot_of, today_of
from assets.resources import HygieneResource
from hygiene_pipeline.validate.contacts import INPUT_COLUMNS, validate_contacts
from hygiene_pipeline.validate.dns_cache import with_cache
from hygiene_pipeline.validate.dns_check import DomainChecker

_PREVIEW = ["contact_id", "email_status", "email_reasons", "email_suggestion", "phone_status",
            "issues"]  # fmt: skip


@dg.asset(
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
def validation_results(
    context: dg.AssetExecutionContext, hygiene: HygieneResource
) -> dg.MaterializeResult:
    snapshot = snapshot_of(context)
    store = hygiene.store()
    timer = StepTimer()
    with timer.step("read"):
        contacts = store.read_partition("normalized_contacts", snapshot, columns=INPUT_COLUMNS)
    with timer.step("validate"):  # DNS included: its own wall time is reported below
        resolver = DomainChecker.from_env(hygiene.nameserver_setting)
        checker = with_cache(resolver, store)
        results = validate_contacts(contacts, today=today_of(context), domain_checker=checker)
    with timer.step("write"):
        store.replace_partition(snapshot, {"validation_results": results})
    dns = checker.stats
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": results.height,
            "email_status": counts_table(results, "email_status"),
            "phone_status": counts_table(results, "phone_status"),
            "issues": list_counts_table(results, "issues", heading="issue"),
            "dns_distinct_domains": dns.domains,
            "dns_domains_from_cache": dns.from_cache,
            "dns_queries_sent": dns.queries,
            "dns_worker_processes": resolver.processes_used,
            "dns_verdicts_cached": dns.cached,
            "dns_wall_time_s": round(dns.lookup_seconds, 3),
            "dns_cache_wall_time_s": round(dns.cache_seconds, 3),
            "preview": preview(results, _PREVIEW),
            **timer.metadata(),
        }
    )
