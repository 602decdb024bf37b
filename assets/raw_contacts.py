"""raw_contacts: the month's CRM exports exactly as exported, the backup before any cleaning."""

import dagster as dg

from assets.partitions import monthly_partitions, snapshot_of
from assets.resources import HygieneResource
from hygiene_pipeline.ingest import month_folder, read_month


@dg.asset(
    partitions_def=monthly_partitions,
    group_name="hygiene",
    kinds={"duckdb", "polars", "csv"},
    owners=["team:marketing-ops"],
    description=(
        "Every row of every export file in `exports/YYYY-MM/`, every column verbatim, with "
        "`source_file`, `source_row` (spreadsheet row) and `source_system`. The backup: a month "
        "can always be restored or diffed from here."
    ),
)
def raw_contacts(
    context: dg.AssetExecutionContext, hygiene: HygieneResource
) -> dg.MaterializeResult:
    snapshot = snapshot_of(context)
    raw, files = read_month(hygiene.exports_dir, snapshot)
    hygiene.store().replace_partition(snapshot, {"raw_contacts": raw})
    files_md = "\n".join(
        ["| file | CRM | encoding | delimiter | rows |", "| --- | --- | --- | --- | ---: |"]
        + [
            f"| {f.name} | {f.system} | {f.encoding} | `{f.delimiter!r}` | {f.rows} |"
            for f in files
        ]
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": raw.height,
            "folder": str(month_folder(hygiene.exports_dir, snapshot)),
            "files": dg.MetadataValue.md(files_md),
            "source_columns": raw.width - 5,
        }
    )
