"""normalized_contacts: one canonical, cleaned contact per raw row."""

import os
from datetime import date

import dagster as dg

from assets.check_helpers import (
    AssetChecks,
    rows_match,
    schema_problems,
    unexpected_values,
    values_result,
)
from assets.metadata import StepTimer, counts_table, preview
from assets.partitions import monthly_partitions, snapshot_of
from assets.raw_contacts import raw_contacts
from assets.resources import HygieneResource, in_one_session
from hygiene_pipeline import schema
from hygiene_pipeline.normalize.contacts import contact_fields, normalize_fields
from hygiene_pipeline.normalize.phones import DEFAULT_REGION, supported_region
from hygiene_pipeline.normalize.vocabularies import load_vocabularies


def default_region() -> str:
    """HYGIENE_DEFAULT_REGION (a libphonenumber region such as NL, DE, GB), default NL."""
    return supported_region(os.environ.get("HYGIENE_DEFAULT_REGION") or DEFAULT_REGION)


# ---- Checks: evaluated in the asset's own step, after its write ----
_checks = AssetChecks("normalized_contacts")


BOUNCES = ("none", "soft", "hard")


@_checks.add(
    additional_deps=[raw_contacts],
    blocking=True,
    description="Blocking: one normalized contact per raw row of the month, same record ids.",
)
def normalized_rows_match_raw(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    return rows_match(hygiene.store(), "normalized_contacts", "raw_contacts", snapshot)


@_checks.add(
    blocking=True,
    description="Blocking: the contract columns with their types; `bounce` is none, soft or hard.",
)
def normalized_schema(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    store = hygiene.store()
    problems = schema_problems(store, "normalized_contacts", schema.NORMALIZED_CONTACTS)
    if not problems:
        problems = unexpected_values(store, "normalized_contacts", "bounce", BOUNCES, snapshot)
    return values_result(problems, "normalized_contacts")


@dg.asset(
    check_specs=_checks.specs,
    partitions_def=monthly_partitions,
    deps=[raw_contacts],
    group_name="hygiene",
    kinds={"duckdb", "polars"},
    owners=["team:marketing-ops"],
    description=(
        "Canonical contacts: names cased with titles and suffixes moved out, emails cleaned "
        "(several per cell kept), phones in E.164 with type and extension, company display "
        "form and matching key, job function and seniority, countries as ISO codes, lead "
        "source and lifecycle in a standard vocabulary, dates parsed, matching keys for "
        "dedupe. One row per raw row; the raw values stay untouched in raw_contacts, and every "
        "changed field is in normalization_changes (before, after, rule)."
    ),
)
@in_one_session
def normalized_contacts(
    context: dg.AssetExecutionContext, hygiene: HygieneResource
) -> dg.MaterializeResult:
    snapshot = snapshot_of(context)
    store = hygiene.store()
    timer = StepTimer()
    with timer.step("read"):
        raw = store.read_partition("raw_contacts", snapshot)
        export_files = store.read_partition("export_files", snapshot)  # how each file was read
    with timer.step("normalize"):
        region, vocabularies = default_region(), load_vocabularies(hygiene.root)
        fields = contact_fields(raw, export_files=export_files, vocabularies=vocabularies)
        # Nothing reads the raw rows past here, nor the fields past the cleaning: letting them
        # go keeps the step's peak about 350 MB lower at 1M contacts (BENCHMARKS.md).
        del raw
        contacts, changes = normalize_fields(
            fields, default_region=region, vocabularies=vocabularies
        )
        del fields
    with timer.step("write"):
        store.replace_partition(
            snapshot, {"normalized_contacts": contacts, "normalization_changes": changes}
        )
    metadata = {
        "dagster/row_count": contacts.height,
        "preview": preview(
            contacts,
            [
                "contact_id",
                "first_name",
                "last_name",
                "email",
                "phone",
                "country",
                "lifecycle_stage",
                "owner",
            ],
        ),
        "with_email": contacts.get_column("email").is_not_null().sum(),
        "with_valid_phone": contacts.get_column("phone").is_not_null().sum(),
        "lifecycle_stages": counts_table(contacts, "lifecycle_stage"),
        "countries": counts_table(contacts, "country"),
        "changed_fields": changes.height,
        "changes_by_field": counts_table(changes, "field"),
        **timer.metadata(),
    }
    # The checks group a million ids in DuckDB: the month's frames are let go first
    # (BENCHMARKS.md, "The month's frames let go sooner").
    del contacts, changes
    return dg.MaterializeResult(check_results=_checks.results(hygiene, snapshot), metadata=metadata)
