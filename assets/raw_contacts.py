"""raw_contacts: the month's CRM exports exactly as exported, the backup before any cleaning.

Written with its side tables in one transaction: rejected_rows (records that could not be loaded,
whole) and export_files (one row per file, with the row accounting the blocking check verifies).
"""

from datetime import date

import dagster as dg
import polars as pl

from assets.check_helpers import WARN, AssetChecks, month_and_previous, no_baseline
from assets.metadata import StepTimer, counts_table, is_personal_column, preview
from assets.partitions import monthly_partitions, snapshot_of
from assets.resources import HygieneResource, in_one_session
from hygiene_pipeline.ingest.column_mapping import MAPPINGS_FOLDER, load_mappings
from hygiene_pipeline.ingest.limits import load_limits
from hygiene_pipeline.ingest.month_exports import MonthExports, month_folder, read_month
from hygiene_pipeline.ingest.read_report import CONSEQUENCES, reading_markdown
from hygiene_pipeline.ingest.row_accounting import row_accounting
from hygiene_pipeline.months import folder_name

# ---- Checks: evaluated in the asset's own step, after its write ----
_checks = AssetChecks("raw_contacts")


@_checks.add(
    blocking=True,
    description=(
        "Nothing lost: for every export file of the month, rows in raw_contacts plus rows in "
        "rejected_rows equal the file's data lines (counted by Python's csv module, "
        "independently of the fast reader). Blocking: a month that lost rows goes no further."
    ),
)
def every_export_row_accounted_for(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    per_file = row_accounting(hygiene.store(), snapshot)
    unaccounted = per_file.filter(~pl.col("accounted"))
    table = "\n".join(
        ["| file | data lines | raw | rejected |", "| --- | ---: | ---: | ---: |"]
        + [
            f"| {row['source_file']} | {row['data_lines']} | {row['raw_rows']} | "
            f"{row['rejected_rows']} |"
            for row in per_file.iter_rows(named=True)
        ]
    )
    return dg.AssetCheckResult(
        passed=per_file.height > 0 and unaccounted.height == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        description=(
            "every row accounted for"
            if per_file.height and not unaccounted.height
            else f"rows unaccounted for in {unaccounted.get_column('source_file').to_list()}"
            if unaccounted.height
            else "no export files recorded for this month"
        ),
        metadata={"files": dg.MetadataValue.md(table), "unaccounted_files": unaccounted.height},
    )


@_checks.add(
    description="Warns when the export has less than half the rows of the previous stored month.",
)
def row_count_steady(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    months = month_and_previous(hygiene.store(), "raw_contacts", "1 AS one", snapshot)
    if months.height < 2:
        return no_baseline(snapshot)
    (before_month, before), (_, now) = months.select("snapshot", "rows").iter_rows()
    passed = now >= before / 2
    return dg.AssetCheckResult(
        passed=passed,
        severity=WARN,
        description=(
            f"{now} rows, {before} in {folder_name(before_month)}"
            if passed
            else f"The export has {now} rows, down from {before} in {folder_name(before_month)} "
            f"({now / before - 1:+.0%}). A partial export is the usual cause: a filtered view, "
            "a file left out of the month's folder, or an export cut off at a row limit."
        ),
        metadata={
            "rows": now,
            "previous_rows": before,
            "previous_month": folder_name(before_month),
        },
    )


@_checks.add(
    description=(
        "Warns when an export file has no column for a fact that decides actions: the lifecycle "
        "stage (protection), unsubscribe, or bounce history. The month still runs and acts "
        "safely on those contacts; the warning names the file and what to map."
    ),
)
def decision_columns_present(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    files = hygiene.store().query(
        "SELECT source_file, missing_fields FROM export_files WHERE snapshot = $1 "
        "AND len(coalesce(missing_fields, [])) > 0 ORDER BY source_file",
        [snapshot],
    )
    lines = [
        f"{name} has no {fact} column: {CONSEQUENCES[fact]}"
        for name, missing in files.iter_rows()
        for fact in missing
    ]
    return dg.AssetCheckResult(
        passed=not lines,
        severity=WARN,
        description="every file tells lifecycle stage, unsubscribe and bounces"
        if not lines
        else "; ".join(lines) + ". See docs/exports.md, 'When a column is missing'.",
        metadata={"files": files.height},
    )


@_checks.add(
    description=(
        "Fails (without blocking) when an export file of the month was refused: unreadable, of "
        "an unknown shape, or over a limit (ingest_limits.yaml). The month's other files went "
        "on; the refused file's contacts are not in this month until it is fixed."
    ),
)
def every_export_file_loaded(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    refused = hygiene.store().query(
        "SELECT source_file, refusal FROM export_files WHERE snapshot = $1 "
        "AND status = 'refused' ORDER BY source_file",
        [snapshot],
    )
    return dg.AssetCheckResult(
        passed=refused.height == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        description="every export file loaded"
        if refused.height == 0
        else " ".join(reason for _, reason in refused.iter_rows())
        + " Fix or replace the file and run the month again.",
        metadata={"refused_files": refused.height},
    )


@dg.asset(
    check_specs=_checks.specs,
    partitions_def=monthly_partitions,
    group_name="hygiene",
    kinds={"duckdb", "polars", "csv"},
    owners=["team:marketing-ops"],
    description=(
        "Every row of every export file in `exports/YYYY-MM/` (.csv, .tsv, .xlsx; HubSpot, "
        "Salesforce, Pipedrive or a column mapping), every column verbatim, with `source_file`, "
        "`source_row` (spreadsheet row) and `source_system`. The backup: a month can always be "
        "restored or diffed from here. Rows that cannot be loaded go to `rejected_rows`, whole; "
        "`export_files` has one row per file."
    ),
)
@in_one_session
def raw_contacts(
    context: dg.AssetExecutionContext, hygiene: HygieneResource
) -> dg.MaterializeResult:
    snapshot = snapshot_of(context)
    timer = StepTimer()
    with timer.step("read"):
        mappings = load_mappings(hygiene.root / MAPPINGS_FOLDER)
        limits = load_limits(hygiene.root)
        month = read_month(hygiene.exports_dir, snapshot, mappings=mappings, limits=limits)
    with timer.step("write"):
        hygiene.store().replace_partition(
            snapshot,
            {
                "raw_contacts": month.raw,
                "rejected_rows": month.rejected,
                "export_files": month.files_frame(),
            },
        )
    for fact in month.files:
        if fact.rejected_rows:
            context.log.warning(
                f"{fact.name}: {fact.rejected_rows} of {fact.data_lines} rows rejected; "
                "see the rejected_rows table for each row's text and reason"
            )
    for refused in month.refused:
        context.log.error(f"refused {refused.reason}")
    return dg.MaterializeResult(
        check_results=_checks.results(hygiene, snapshot),
        metadata={
            **_metadata(month, hygiene, snapshot),
            "limits": dg.MetadataValue.json(limits.describe()),
            **timer.metadata(),
        },
    )


def _metadata(month: MonthExports, hygiene: HygieneResource, snapshot) -> dict:
    files_md = "\n".join(
        [
            "| file | format | encoding | delimiter | data lines | loaded | rejected |",
            "| --- | --- | --- | --- | ---: | ---: | ---: |",
        ]
        + [
            f"| {f.name} | {f.format.name} | {f.encoding} | "
            f"{'' if f.delimiter is None else f'`{f.delimiter!r}`'} | {f.data_lines} | "
            f"{f.loaded_rows} | {f.rejected_rows} |"
            for f in month.files
        ]
    )
    reasons = month.rejected.select(
        pl.col("reason").str.extract(r"^([^:0-9]+)").str.strip_chars().alias("reason")
    )
    return {
        "dagster/row_count": month.raw.height,
        "rejected_rows": month.rejected.height,
        "folder": str(month_folder(hygiene.exports_dir, snapshot)),
        "files": dg.MetadataValue.md(files_md),
        "rejected_reasons": counts_table(reasons, "reason"),
        "source_columns": month.raw.width - 5,
        "columns_read": dg.MetadataValue.md(
            "\n\n".join(reading_markdown(f.name, f.reading) for f in month.files)
        ),
        "files_missing_decision_columns": sum(1 for f in month.files if f.reading.missing),
        "refused_files": dg.MetadataValue.md(
            "\n".join(
                ["| file | why it was refused |", "| --- | --- |"]
                + [f"| {r.name} | {r.reason.replace('|', '/')} |" for r in month.refused]
            )
        ),
        "preview": preview(month.raw, _preview_columns(month.raw)),
    }


_LINEAGE = ["contact_id", "source_file", "source_row", "source_system"]


def _preview_columns(raw: pl.DataFrame) -> list[str]:
    """Lineage plus the first few export columns that hold a name, email or phone (masked).

    Other verbatim columns stay out: their headers are the CRM's, so we cannot tell which of
    them hold personal data, and a preview is about a row's shape, not its content.
    """
    personal = [
        column
        for column in raw.columns
        if column not in _LINEAGE and column != "snapshot" and is_personal_column(column)
    ]
    return _LINEAGE + personal[:4]
