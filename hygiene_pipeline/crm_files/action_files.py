"""CSV files the CRM can take back: deletions, merges, quarantine and the re-engagement audience.

One set per export format and month, in that CRM's import shape (its record-id header plus
Email), as UTF-8 with a BOM so spreadsheets show accents. Every cell a spreadsheet would run as a
formula (starting with = + - @, tab or CR) is neutralized with a leading apostrophe. The month's
files (these, the update, undo and status files) are written together: `write_file_set`.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import polars as pl

from hygiene_pipeline.ingest.formats import CrmFormat

FILE_ACTIONS = {
    "delete": "deletions",
    "merge": "merges",
    "quarantine": "quarantine",
    "re_engage": "re-engage",
}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralize(value: object) -> str:
    """A cell as plain text: a formula-looking start gets an apostrophe (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _file_shapes(export_files: pl.DataFrame) -> pl.DataFrame:
    """Per source file: the format name used in file names, its id header and id prefix."""
    shapes = []
    for source_file, mapping in export_files.select("source_file", "column_mapping").iter_rows():
        if mapping is None:  # a refused file: none of its records are in the month
            continue
        fmt = CrmFormat.from_json(mapping)
        shapes.append(
            {
                "source_file": source_file,
                "format": re.sub(r"[^a-z0-9]+", "-", fmt.name.lower()).strip("-"),
                "id_header": fmt.id_columns[0] if fmt.id_columns else "Record ID",
                "id_prefix": fmt.id_prefix,
            }
        )
    schema = {"source_file": pl.String, "format": pl.String, "id_header": pl.String,
              "id_prefix": pl.String}  # fmt: skip
    return pl.DataFrame(shapes, schema=schema)


def crm_records(
    contacts: pl.DataFrame, erased: pl.DataFrame, export_files: pl.DataFrame
) -> pl.DataFrame:
    """Every record of the month (and every record erased this month) with its export format,
    the CRM's record-id header and the id as the CRM knows it (a mapping's id_prefix taken off).

    Erased records (contact_id, source_file) keep only their id: their email is gone. The
    contacts come first, in their order, so the update and status files take a contact's record
    by position.
    """
    gone = erased.join(contacts, on="contact_id", how="anti").unique(
        "contact_id", keep="first", maintain_order=True
    )
    records = pl.concat(
        [
            contacts.select("contact_id", "source_file", "email"),
            gone.select("contact_id", "source_file", pl.lit(None, dtype=pl.String).alias("email")),
        ]
    )
    shapes = _file_shapes(export_files)
    return records.join(shapes, on="source_file", how="left", maintain_order="left").with_columns(
        pl.col("format").fill_null("unknown-export"),
        pl.col("id_header").fill_null("Record ID"),
        _crm_id(pl.col("contact_id"), pl.col("id_prefix")).alias("crm_id"),
    )


def action_tables(prune: pl.DataFrame, records: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Per export format, one table per action: `<format>-<deletions|merges|...>.csv`."""
    rows = prune.join(records, on="contact_id", how="left").join(
        records.select(
            pl.col("contact_id").alias("merge_into"),
            pl.col("crm_id").alias("survivor_crm_id"),
            pl.col("email").alias("survivor_email"),
        ),
        on="merge_into",
        how="left",
    )
    tables = {}
    for fmt, id_header in sorted(records.select("format", "id_header").unique().iter_rows()):
        of_format = rows.filter(pl.col("format") == fmt)
        for action, stem in FILE_ACTIONS.items():
            chosen = of_format.filter(pl.col("action") == action)
            tables[f"{fmt}-{stem}.csv"] = _table(chosen, action, id_header)
    return tables


def write_crm_files(
    prune: pl.DataFrame,
    contacts: pl.DataFrame,
    erased: pl.DataFrame,
    export_files: pl.DataFrame,
    out_dir: Path,
) -> dict[str, int]:
    """Replace `out_dir` with this month's action files, one set per export format."""
    records = crm_records(contacts, erased, export_files)
    return write_file_set(action_tables(prune, records), out_dir)


def write_file_set(
    tables: Mapping[str, pl.DataFrame] | Iterable[tuple[str, pl.DataFrame]],
    out_dir: Path,
    *,
    verbatim: frozenset[str] = frozenset(),
) -> dict[str, int]:
    """Replace `out_dir` with these files (name -> table, or (name, table) pairs, which may be
    built one at a time as they are written); rows per file name.

    Written to a staging folder and swapped in, so a rerun never leaves a mix of old and new.
    Cells are neutralized against spreadsheet formulas, except in the files named `verbatim`:
    those are built without a formula-like value (the update and undo files), and a CRM
    importer would store the apostrophe as part of the value.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    counts: dict[str, int] = {}
    try:
        for name, table in tables.items() if isinstance(tables, Mapping) else tables:
            counts[name] = _write(staging / name, table, neutralized=name not in verbatim)
            del table  # pairs built as they are written: not held while the next is built
        os.chmod(staging, 0o700)
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return counts


def _crm_id(contact_id: pl.Expr, prefix: pl.Expr) -> pl.Expr:
    """The record id without the mapping's prefix, as the CRM itself knows it."""
    prefixed = prefix.is_not_null() & (prefix != "") & contact_id.str.starts_with(prefix)
    return (
        pl.when(prefixed).then(contact_id.str.slice(prefix.str.len_chars())).otherwise(contact_id)
    )


def _table(rows: pl.DataFrame, action: str, id_header: str) -> pl.DataFrame:
    """The file's columns under the CRM's headers, every cell text."""
    reasons = pl.col("reasons").list.join("; ").alias("Reasons")
    if action == "merge":
        return rows.select(
            pl.col("survivor_crm_id").alias(f"Survivor {id_header}"),
            pl.col("survivor_email").alias("Survivor Email"),
            pl.col("crm_id").alias(f"Merged {id_header}"),
            pl.col("email").alias("Merged Email"),
            reasons,
        )
    return rows.select(pl.col("crm_id").alias(id_header), pl.col("email").alias("Email"), reasons)


def _write(path: Path, table: pl.DataFrame, *, neutralized: bool = True) -> int:
    """UTF-8 with a BOM and CRLF, as spreadsheets expect; every cell neutralized as `neutralize`
    does, from the same _FORMULA_STARTS (polars, not a Python loop: half a million rows took
    four seconds cell by cell), unless the table was built formula-free."""
    if not neutralized:
        table.select(pl.all().replace("", None)).write_csv(
            path, include_bom=True, line_terminator="\r\n", quote_style="necessary"
        )
        os.chmod(path, 0o600)
        return table.height
    safe = table.select(
        pl.when(pl.col(name) == "")
        .then(None)  # written as an empty cell, as the csv module wrote "", not as ""
        .when(pl.any_horizontal(pl.col(name).str.starts_with(start) for start in _FORMULA_STARTS))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))  # a null stays null: an empty cell, as the csv module wrote it
        .alias(neutralize(name))
        for name in table.columns
    )
    safe.write_csv(path, include_bom=True, line_terminator="\r\n", quote_style="necessary")
    os.chmod(path, 0o600)
    return safe.height


def _swap(staging: Path, out_dir: Path) -> None:
    """Put the new folder in place; a rerun never leaves a mix of old and new files."""
    if out_dir.exists():
        retired = out_dir.with_name(f".{out_dir.name}-old")
        shutil.rmtree(retired, ignore_errors=True)
        out_dir.rename(retired)
        staging.rename(out_dir)
        shutil.rmtree(retired, ignore_errors=True)
    else:
        staging.rename(out_dir)
