"""crm_import_files: the month's prune list, corrections and verdicts as files the CRM imports.

Per export format, in `out/YYYY-MM/`: the action files (deletions, merges, quarantine,
re-engage), the update file (the corrections under the export's own headers), its undo file and a
status file for every contact. The corrections are also kept, cell by cell, in the `crm_updates`
table, which the report and the check read.
"""

from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl

from assets.check_helpers import ERROR, AssetChecks, readable_by_others
from assets.metadata import StepTimer
from assets.partitions import monthly_partitions, snapshot_of
from assets.prune_list import prune_list
from assets.resources import HygieneResource, in_one_session
from hygiene_pipeline.crm_files import month_files
from hygiene_pipeline.crm_files.action_files import FILE_ACTIONS
from hygiene_pipeline.crm_files.writeback_settings import load_writeback_settings
from hygiene_pipeline.masking import mask_email, mask_name, mask_phone
from hygiene_pipeline.months import folder_name

_MASKS = {"email": mask_email, "phone": mask_phone, "first_name": mask_name,
          "last_name": mask_name}  # fmt: skip


# ---- Checks: evaluated in the asset's own step, after its write ----
_checks = AssetChecks("crm_import_files")


@_checks.add(
    additional_deps=[prune_list],
    description="Every prune list row is in exactly one CRM file of its action; files owner-only.",
)
def crm_files_match_prune_list(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
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
    """Records in a written file, header aside (quoted line breaks inside a cell included):
    polars' reader counts a million-row status file in 10 ms, the csv module took half a second."""
    return pl.scan_csv(path, infer_schema=False).select(pl.len()).collect().item()


@_checks.add(
    additional_deps=[prune_list],
    description=(
        "Every correction in the update files is for a contact of this month that the CRM keeps "
        "(not deleted, merged or erased); the status files hold every contact once."
    ),
)
def updates_only_for_kept_contacts(hygiene: HygieneResource, snapshot: date) -> dg.AssetCheckResult:
    store = hygiene.store()
    strays = store.query(
        "SELECT count(DISTINCT u.contact_id) AS n FROM crm_updates u "
        "LEFT JOIN normalized_contacts c USING (snapshot, contact_id) "
        "LEFT JOIN prune_list p USING (snapshot, contact_id) "
        "WHERE u.snapshot = $1 AND (c.source_file IS NULL OR p.action IN ('delete', 'merge'))",
        [snapshot],
    ).item()
    contacts = store.query(
        "SELECT count(*) FROM normalized_contacts WHERE snapshot = $1", [snapshot]
    ).item()
    folder = hygiene.out_dir(folder_name(snapshot))
    status_rows = sum(_data_rows(path) for path in folder.glob("*-status.csv"))
    problems = []
    if strays:
        problems.append(f"{strays} contacts with corrections are not kept this month")
    if status_rows != contacts:
        problems.append(f"the status files hold {status_rows} rows for {contacts} contacts")
    return dg.AssetCheckResult(
        passed=not problems,
        severity=ERROR,
        description="corrections only for kept contacts; a status for every contact"
        if not problems
        else "; ".join(problems) + ". Materialize crm_import_files for this month again.",
        metadata={"stray_contacts": strays, "status_rows": status_rows},
    )


@dg.asset(
    check_specs=_checks.specs,
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
@in_one_session
def crm_import_files(
    context: dg.AssetExecutionContext, hygiene: HygieneResource
) -> dg.MaterializeResult:
    snapshot = snapshot_of(context)
    store = hygiene.store()
    out_dir = hygiene.out_dir(folder_name(snapshot))
    timer = StepTimer()
    settings = load_writeback_settings(hygiene.root)
    with timer.step("read"):
        inputs = month_files.read_inputs(store, snapshot, settings)
    with timer.step("corrections"):
        built = month_files.build_files(inputs, snapshot, settings)
    del inputs  # the files hold only what they still read (month_files.build_files)
    with timer.step("files"):  # each file built as it is written, then crm_updates
        counts = month_files.write_files(store, snapshot, built, out_dir)
    found = built.found
    del built
    table = "\n".join(
        ["| file | rows |", "| --- | ---: |"] + [f"| {n} | {c} |" for n, c in counts.items()]
    )
    metadata = {
        "folder": dg.MetadataValue.path(str(out_dir)),
        "files": dg.MetadataValue.md(table),
        "dagster/row_count": sum(counts.values()),
        "corrections": found.cells.height,
        "corrected_contacts": found.cells.get_column("contact_id").n_unique(),
        "corrections_by_field": dg.MetadataValue.md(_by_field(found.cells)),
        "held_back_formula_like": found.held_back,
        "writeback": dg.MetadataValue.json(settings.describe()),
        "corrections_preview": dg.MetadataValue.md(_preview(found.cells)),
        **timer.metadata(),
    }
    del found  # the checks read the files and DuckDB, not the month's frames
    return dg.MaterializeResult(check_results=_checks.results(hygiene, snapshot), metadata=metadata)


def _by_field(cells: pl.DataFrame) -> str:
    counts = cells.group_by("field", "rule").len().sort("len", "field", descending=[True, False])
    return "\n".join(
        ["| field | rule | cells |", "| --- | --- | ---: |"]
        + [f"| {f} | {r} | {n} |" for f, r, n in counts.iter_rows()]
    )


def _preview(cells: pl.DataFrame, rows: int = 10) -> str:
    """A few corrections, personal values masked as everywhere in the UI."""

    def masked(field: str, value: str | None) -> str:
        if not value:
            return ""
        mask = _MASKS.get(field)
        return mask(value) if mask else value

    lines = ["| contact_id | field | column | before | after | rule |",
             "| --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for row in cells.head(rows).iter_rows(named=True):
        lines.append(
            f"| {row['contact_id']} | {row['field']} | {row['column']} | "
            f"{masked(row['field'], row['before'])} | {masked(row['field'], row['after'])} | "
            f"{row['rule']} |"
        )
    return "\n".join(lines)
