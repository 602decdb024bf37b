"""normalized_contacts: one canonical, cleaned contact per raw row."""

import dagster as dg
import polars as pl

from assets.metadata import counts_table
from assets.partitions import monthly_partitions, snapshot_of
from assets.raw_contacts import raw_contacts
from assets.resources import HygieneResource
from hygiene_pipeline.normalize import normalize_contacts


@dg.asset(
    partitions_def=monthly_partitions,
    deps=[raw_contacts],
    group_name="hygiene",
    kinds={"duckdb", "polars"},
    owners=["team:marketing-ops"],
    description=(
        "Canonical contacts: names cased, emails trimmed and lower-cased, phones in E.164, "
        "countries as ISO codes, dates parsed, unsubscribe and bounce mapped to one model. "
        "One row per raw row; the raw values stay untouched in raw_contacts."
    ),
)
def normalized_contacts(
    context: dg.AssetExecutionContext, hygiene: HygieneResource
) -> dg.MaterializeResult:
    snapshot = snapshot_of(context)
    store = hygiene.store()
    contacts = normalize_contacts(
        store.read_partition("raw_contacts", snapshot),
        export_files=store.read_partition("export_files", snapshot),  # how each file was read
    )
    store.replace_partition(snapshot, {"normalized_contacts": contacts})
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": contacts.height,
            "with_email": contacts.filter(pl.col("email").is_not_null()).height,
            "with_valid_phone": contacts.filter(pl.col("phone").is_not_null()).height,
            "lifecycle_stages": counts_table(contacts, "lifecycle_stage"),
            "countries": counts_table(contacts, "country"),
        }
    )
