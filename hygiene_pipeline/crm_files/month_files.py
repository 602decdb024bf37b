"""One month's CRM files, end to end: what they read, how they are built, where they are written.

The `crm_import_files` asset and `benchmarks/crm_files_cost.py` both run these three steps, so the
benchmark measures exactly what the asset does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from hygiene_pipeline.crm_files.action_files import action_tables, crm_records, write_file_set
from hygiene_pipeline.crm_files.update_files import status_tables, update_tables
from hygiene_pipeline.crm_files.updates import (
    CONTACT_COLUMNS,
    Corrections,
    corrections,
    source_columns,
)
from hygiene_pipeline.crm_files.writeback_settings import WritebackSettings
from hygiene_pipeline.ingest.formats import CrmFormat, formats_from_export_files
from hygiene_pipeline.store import HygieneStore

# What the files need of each table: a million-row month reads in a fraction of the time.
READS: dict[str, list[str] | None] = {
    "prune_list": ["contact_id", "action", "reasons", "merge_into"],
    "normalized_contacts": list(CONTACT_COLUMNS),
    "erased_contacts": ["contact_id", "source_file"],
    "export_files": None,
    "normalization_changes": ["contact_id", "field", "rule"],
    "merge_plan": ["survivor_id", "field", "value", "rule"],
    "validation_results": ["contact_id", "email_status", "phone_status", "issues",
                           "email_suggestion"],
}  # fmt: skip


@dataclass(frozen=True)
class MonthInputs:
    """The month's tables (READS), its raw rows (the writable fields' columns) and formats."""

    tables: dict[str, pl.DataFrame]
    raw: pl.DataFrame
    raw_header: list[str]  # raw_contacts' columns in order: a file keeps the export's order
    formats: dict[str, CrmFormat]


@dataclass(frozen=True)
class MonthFiles:
    """The month's corrections and every file (name -> table) the CRM imports."""

    found: Corrections
    files: dict[str, pl.DataFrame]
    verbatim: frozenset[str]  # the update and undo files: written without formula guards


def read_inputs(store: HygieneStore, snapshot: date, settings: WritebackSettings) -> MonthInputs:
    tables = {name: store.read_partition(name, snapshot, columns=columns)
              for name, columns in READS.items()}  # fmt: skip
    formats = formats_from_export_files(tables["export_files"])
    raw = store.read_partition(
        "raw_contacts",
        snapshot,
        columns=["contact_id", "source_file", *source_columns(formats, settings)],
    )
    return MonthInputs(tables, raw, store.columns("raw_contacts"), formats)


def build_files(inputs: MonthInputs, snapshot: date, settings: WritebackSettings) -> MonthFiles:
    read = inputs.tables
    contacts, prune = read["normalized_contacts"], read["prune_list"]
    found = corrections(inputs.raw, contacts, read["normalization_changes"], read["merge_plan"],
                        read["validation_results"], prune, inputs.formats, settings)  # fmt: skip
    records = crm_records(contacts, read["erased_contacts"], read["export_files"])
    updates = update_tables(found.cells, inputs.raw, records, inputs.raw_header)
    files = {
        **action_tables(prune, records),
        **updates,
        **status_tables(contacts, read["validation_results"], prune, records, snapshot),
    }
    return MonthFiles(found, files, frozenset(updates))


def write_files(
    store: HygieneStore, snapshot: date, built: MonthFiles, out_dir: Path
) -> dict[str, int]:
    """The corrections into `crm_updates` and the files into `out_dir`; rows per file."""
    store.replace_partition(
        snapshot,
        {"crm_updates": built.found.cells.with_columns(pl.lit(snapshot).alias("snapshot"))},
    )
    return write_file_set(built.files, out_dir, verbatim=built.verbatim)
