"""normalized_contacts: one canonical, cleaned contact per raw row."""

import os

import dagster as dg
import polars as pl

from assets.check_helpers import (
    check_snapshot,
    rows_match,
    schema_problems,
    unexpected_values,
    values_result,
)
from assets.metadata import StepTimer, counts_table, preview
from assets.partitions import monthly_partitions, snapshot_of
from assets.raw_contacts import raw_contacts
from assets.resources import HygieneResource
from hygiene_pipeline import schema
from hygiene_pipeline.normalize.contacts import normalize_with_changes
from hygiene_pipeline.normalize.phones import DEFAULT_REGION, supported_region
from hygiene_pipeline.normalize.vocabularies import load_vocabularies


def default_region() -> str:
    """HYGIENE_DEFAULT_REGION (a libphonenumber region such as NL, DE, GB), default NL."""
    return supported_region(os.environ.get("HYGIENE_DEFAULT_REGION") or DEFAULT_REGION)


@dg.asset(
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
        contacts, changes = normalize_with_changes(
            raw,
            export_files=export_files,
            default_region=default_region(),
            vocabularies=load_vocabularies(hygiene.root),
        )
    with timer.step("write"):
        store.replace_partition(
            snapshot, {"normalized_contacts": contacts, "normalization_changes": changes}
        )
    return dg.MaterializeResult(
        metadata={
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
            "with_email": contacts.filter(pl.col("email").is_not_null()).height,
            "with_valid_phone": contacts.filter(pl.col("phone").is_not_null()).height,
            "lifecycle_stages": counts_table(contacts, "lifecycle_stage"),
            "countries": counts_table(contacts, "country"),
            "changed_fields": changes.height,
            "changes_by_field": counts_table(changes, "field"),
            **timer.metadata(),
        }
    )


# ---- Checks ----


BOUNCES = ("none", "soft", "hard")


@dg.asset_check(
    asset=normalized_contacts,
    additional_deps=[raw_contacts],
    blocking=True,
    description="Blocking: one normalized contact per raw row of the month, same record ids.",
)
def normalized_rows_match_raw(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    return rows_match(
        hygiene.store(), "normalized_contacts", "raw_contacts", check_snapshot(context)
    )


@dg.asset_check(
    asset=normalized_contacts,
    blocking=True,
    description="Blocking: the contract columns with their types; `bounce` is none, soft or hard.",
)
def normalized_schema(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    store, snapshot = hygiene.store(), check_snapshot(context)
    problems = schema_problems(store, "normalized_contacts", schema.NORMALIZED_CONTACTS)
    if not problems:
        problems = unexpected_values(store, "normalized_contacts", "bounce", BOUNCES, snapshot)
    return values_result(problems, "normalized_contacts")
