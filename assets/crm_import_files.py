"""crm_import_files: the month's prune list as CSV files the CRM can import."""

import csv
from pathlib import Path

import dagster as dg

from assets.check_helpers import ERROR, check_snapshot, readable_by_others
from assets.metadata import StepTimer
from assets.partitions import monthly_partitions, snapshot_of
from assets.prune_list import prune_list
from assets.resources import HygieneResource
from hygiene_pipeline.crm_files.action_files import FILE_ACTIONS, write_crm_files
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


# ---- Checks ----


@dg.asset_check(
    asset=crm_import_files,
    additional_deps=[prune_list],
    description="Every prune list row is in exactly one CRM file of its action; files owner-only.",
)
def crm_files_match_prune_list(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    snapshot = check_snapshot(context)
    folder = hygiene.out_dir(folder_name(snapshot))
    actions = dict(
        hygiene.store()
        .query("SELECT action, count(*) FROM prune_list WHERE snapshot = $1 GROUP BY 1", [snapshot])
        .iter_rows()
    )
    problems = []
    for action, stem in FILE_ACTIONS.items():
        files = sorted(folder.glob(f"*-{stem}.csv"))
        written = sum(_data_rows(path) for path in files)
        if written != actions.get(action, 0):
            problems.append(f"{action}: {written} rows in files, {actions.get(action, 0)} listed")
        problems += [
            f"{path.name} is readable by others" for path in files if readable_by_others(path)
        ]
    return dg.AssetCheckResult(
        passed=not problems,
        severity=ERROR,
        description=(
            "every prune list row is in its CRM file"
            if not problems
            else "; ".join(problems) + f". The files in {folder} do not match the prune list: "
            "a file was edited or removed, or the prune list changed after they were written. "
            "Materialize crm_import_files for this month again before importing."
        ),
        metadata={"folder": dg.MetadataValue.path(str(folder))},
    )


def _data_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)
