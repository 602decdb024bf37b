"""One month's CRM files, end to end: what they read, how they are built, where they are written.

The `crm_import_files` asset and `benchmarks/crm_files_cost.py` both run these three steps, so the
benchmark measures exactly what the asset does.
"""

from __future__ import annotations

import inspect
from collections.abc import Generator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from hygiene_pipeline.crm_files.action_files import action_tables, crm_records, write_file_set
from hygiene_pipeline.crm_files.update_files import status_tables, update_file_names, update_tables
from hygiene_pipeline.crm_files.updates import (
    Corrections,
    contact_columns,
    corrections,
    in_contact_order,
    source_columns,
)
from hygiene_pipeline.crm_files.writeback_settings import WritebackSettings
from hygiene_pipeline.ingest.formats import CrmFormat, formats_from_export_files
from hygiene_pipeline.store import HygieneStore, PartitionRead

# What the step read before the write-back files (with the contacts' ids, files and emails and
# `export_files`); everything it reads now: `_reads`.
READS: dict[str, list[str]] = {
    "prune_list": ["contact_id", "action", "reasons", "merge_into"],
    "erased_contacts": ["contact_id", "source_file"],
}


def _reads(formats: dict[str, CrmFormat], settings: WritebackSettings) -> dict[str, PartitionRead]:
    """Every table the files read, only the rows and columns they use (of a million-row
    month's merge plan, the golden record's few thousand fills)."""
    fields = (list(settings.fields),)
    validation = ["contact_id", "email_status", "phone_status", "issues"]
    if settings.email_suggestions:
        validation.append("email_suggestion")
    merges = "rule = 'filled_from_newest'" if settings.golden_record else "false"
    raw = ["contact_id", "source_file", *source_columns(formats, settings)]
    return {
        **{name: PartitionRead(name, columns) for name, columns in READS.items()},
        "normalized_contacts": PartitionRead("normalized_contacts", contact_columns(settings)),
        "validation_results": PartitionRead("validation_results", validation),
        "normalization_changes": PartitionRead(
            "normalization_changes", ["contact_id", "field", "rule"], "list_contains($2, field)",
            fields,
        ),
        "merge_plan": PartitionRead(
            "merge_plan", ["survivor_id", "field", "value", "rule"],
            f"list_contains($2, field) AND {merges}", fields,
        ),
        "raw_contacts": PartitionRead("raw_contacts", raw),
    }  # fmt: skip


@dataclass(frozen=True)
class MonthInputs:
    """The month's tables (`_reads`), its raw rows (the writable fields' columns), formats."""

    tables: dict[str, pl.DataFrame]
    raw: pl.DataFrame
    raw_header: list[str]  # raw_contacts' columns in order: a file keeps the export's order
    formats: dict[str, CrmFormat]


@dataclass(frozen=True)
class MonthFiles:
    """The month's corrections, and every file (name, table) the CRM imports, built one set at
    a time as they are written: at a million contacts the files are half a gigabyte together,
    and only the month's corrections and the frames the files still need are held beside them.
    Single use: `files` is a generator, which one `write_files` call consumes."""

    found: Corrections
    files: Generator[tuple[str, pl.DataFrame], None, None]
    verbatim: frozenset[str]  # the update and undo files: written without formula guards


def read_inputs(store: HygieneStore, snapshot: date, settings: WritebackSettings) -> MonthInputs:
    export_files = store.read_partition("export_files", snapshot)
    formats = formats_from_export_files(export_files)
    tables = store.read_partitions(snapshot, _reads(formats, settings))
    tables["export_files"] = export_files
    raw = tables.pop("raw_contacts")
    return MonthInputs(tables, raw, store.columns("raw_contacts"), formats)


def build_files(inputs: MonthInputs, snapshot: date, settings: WritebackSettings) -> MonthFiles:
    """The corrections now, the files when `write_files` takes them. The files keep only what
    they read (not the contacts' fields, nor the changes or merge plan): a caller that drops
    `inputs` after this call lets the rest go."""
    read = inputs.tables
    contacts, prune = read["normalized_contacts"], read["prune_list"]
    raw = in_contact_order(inputs.raw, contacts)
    found = corrections(raw, contacts, read["normalization_changes"], read["merge_plan"],
                        read["validation_results"], prune, inputs.formats, settings)  # fmt: skip
    records = crm_records(contacts, read["erased_contacts"], read["export_files"])
    formats = records.get_column("format").unique().to_list()
    files = _files(found, raw, records, contacts.select("contact_id"), read["validation_results"],
                   prune, inputs.raw_header, snapshot)  # fmt: skip
    return MonthFiles(found, files, frozenset(n for f in formats for n in update_file_names(f)))


def _files(
    found: Corrections,
    raw: pl.DataFrame,
    records: pl.DataFrame,
    contact_ids: pl.DataFrame,
    validation: pl.DataFrame,
    prune: pl.DataFrame,
    raw_header: list[str],
    snapshot: date,
) -> Generator[tuple[str, pl.DataFrame], None, None]:
    """The action files, then the update and undo files, then the status files, each set built
    when the one before is written (the raw rows let go after the undo files)."""
    yield from action_tables(prune, records).items()
    yield from update_tables(found, raw, records, raw_header).items()
    del raw
    yield from status_tables(contact_ids, validation, prune, records, snapshot).items()


def write_files(
    store: HygieneStore, snapshot: date, built: MonthFiles, out_dir: Path
) -> dict[str, int]:
    """The files into `out_dir`, then the corrections into `crm_updates` (when the files no
    longer hold the month's frames); rows per file."""
    if inspect.getgeneratorstate(built.files) == inspect.GEN_CLOSED:  # written once already
        raise ValueError("these files were written already: build them again to rewrite them")
    counts = write_file_set(built.files, out_dir, verbatim=built.verbatim)
    store.replace_partition(
        snapshot,
        {"crm_updates": built.found.cells.with_columns(pl.lit(snapshot).alias("snapshot"))},
    )
    return counts
