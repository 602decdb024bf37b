"""Say how every export file was read, before or after it is loaded.

The same report goes into `raw_contacts`' metadata (per file of the month) and comes out of a
command that reads files without storing anything, so a user can check an export before dropping
it into `exports/YYYY-MM/`:

    .venv/bin/python -m hygiene_pipeline.ingest.read_report path/to/export.csv [more files]
        [--mappings data/column_mappings]

Column names only, never a value: the report is safe to paste into a ticket.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from hygiene_pipeline.ingest.column_mapping import (
    MAPPINGS_FOLDER,
    ColumnMappingError,
    load_mappings,
)
from hygiene_pipeline.ingest.export_table import ExportError
from hygiene_pipeline.ingest.formats import AmbiguousMappingError, UnknownExportFormatError
from hygiene_pipeline.ingest.month_exports import read_export
from hygiene_pipeline.ingest.recognition import ColumnReading

# What the pipeline does about a fact the file cannot tell.
CONSEQUENCES = {
    "lifecycle_stage": "protection unknown: none of its contacts is deleted or re-engaged "
    "(quarantine, reason protection_unknown) unless prune_policy.yaml accept_unknown lists "
    "lifecycle_stage; map the lifecycle column to lift this",
    "unsubscribed": "opt-out unknown: none of its contacts is re-engaged by email (quarantine, "
    "reason unsubscribe_unknown) unless accept_unknown lists unsubscribed",
    "bounce": "bounce history unknown: the bounce rules cannot act on this file's contacts",
}
_HOW = {
    "mapping": "your column mapping",
    "header": "its header",
    "content": "its values (the header hints at it)",
    "constant": "the format",
}


def reading_markdown(file_name: str, reading: ColumnReading) -> str:
    """One file's reading as Markdown: format, fields with their columns, unread, missing."""
    lines = [
        f"**{file_name}**: read as `{reading.fmt.name}` ({reading.fmt.system}), record id in "
        f"column `{reading.record_id}`",
        "",
        "| field | column | found by |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {source.field} | {_cell(source.column)} | {_HOW[source.how]} |"
        for source in reading.sources
    ]
    unread = ", ".join(f"`{column}`" for column in reading.unread) or "none"
    lines += ["", f"Columns not read: {unread}"]
    for fact in reading.missing:
        lines.append(f"- no column tells `{fact}`: {CONSEQUENCES[fact]}")
    lines += [f"- note: {note}" for note in reading.notes]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m hygiene_pipeline.ingest.read_report",
        description="Read export files as the monthly run would, store nothing, and say how "
        "each column was understood.",
    )
    parser.add_argument("files", nargs="+", type=Path, help="export files (.csv .tsv .txt .xlsx)")
    parser.add_argument(
        "--mappings",
        type=Path,
        help=f"folder of column mappings (default: {MAPPINGS_FOLDER}/ beside the files' folder)",
    )
    args = parser.parse_args(argv)
    refused = 0
    for path in args.files:
        folder = args.mappings or path.resolve().parent.parent / MAPPINGS_FOLDER
        try:
            read = read_export(path, load_mappings(folder))
        except (
            ExportError,
            UnknownExportFormatError,
            AmbiguousMappingError,
            ColumnMappingError,
            OSError,
        ) as error:
            refused += 1
            print(f"**{path.name}**: REFUSED. {error}\n")
            continue
        print(reading_markdown(path.name, read.reading))
        print(f"\n{read.rows.height} rows would load, {len(read.rejected)} would be rejected.\n")
    return 2 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
