"""crm_import_files: the month's prune list as CSV files the CRM can import."""

import dagster as dg

from assets.metadata import StepTimer
from assets.partitions import monthly_partitions, snapshot_of
from assets.prune_list import prune_list
from assets.resources import HygieneResource
from hygiene_pipeline.crm_files.action_files import write_crm_files
from hygiene_pipeline.months import folder_name

# What the files need of each table: a million-row month reads in a fraction of the time.
_READS: dict[str, list[str] | None] = {
    "prune_list": ["contact_id", "action", "reasons", "merge_into"],
    "normalized_contacts": ["contact_id", "source_file", "email"],
    "erased_contacts": ["contact_id", "source_file"],
    "export_files": None,
}


@dg.asset(
    partitions_def=monthly_partitions,
    deps=[prune_list],
    group_name="hygiene",
    kinds={"csv"},
    owners=["team:marketing-ops"],
    description=(
        "Per export format, under `out/YYYY-MM/`: deletions, merges (survivor and merged ids), "
        "quarantine and the re-engagement audience as CSV in the CRM's import shape (record id "
        "and Email). Formula-like cells are neutralized. Not written when a prune_list check fails."
    ),
)
def crm_import_files(
    context: dg.AssetExecutionContext, hygiene: HygieneResource
) -> dg.MaterializeResult:
    snapshot = snapshot_of(context)
    store = hygiene.store()
    out_dir = hygiene.out_dir(folder_name(snapshot))
    timer = StepTimer()
    with timer.step("read"):
        tables = [
            store.read_partition(name, snapshot, columns=columns)
            for name, columns in _READS.items()
        ]
    with timer.step("write"):
        counts = write_crm_files(*tables, out_dir)
    table = "\n".join(
        ["| file | rows |", "| --- | ---: |"] + [f"| {n} | {c} |" for n, c in counts.items()]
    )
    return dg.MaterializeResult(
        metadata={
            "folder": dg.MetadataValue.path(str(out_dir)),
            "files": dg.MetadataValue.md(table),
            "dagster/row_count": sum(counts.values()),
            **timer.metadata(),
        }
    )
