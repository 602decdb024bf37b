"""Read a month's CRM exports into one raw table, every source column kept verbatim.

The raw table is the user's backup before any cleaning, so nothing here trims, re-cases or drops a
value: it only decodes the file, recognises the CRM and records where each row came from.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from hygiene_pipeline.crm_formats import CrmFormat, detect_format
from hygiene_pipeline.months import folder_name

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt")
_IGNORED_PREFIXES = (".", "~$")  # hidden files, Excel's lock files beside an open workbook
_RESERVED = ("snapshot", "contact_id", "source_file", "source_row", "source_system")


class ExportError(ValueError):
    """An export folder or file the pipeline cannot read; the message says what to fix."""


@dataclass(frozen=True)
class ExportFile:
    """One decoded export with the facts later stages and the UI report."""

    name: str
    system: str
    encoding: str
    delimiter: str
    rows: int


def month_folder(exports_dir: Path, snapshot: date) -> Path:
    return Path(exports_dir) / folder_name(snapshot)


def list_export_files(exports_dir: Path, snapshot: date) -> list[Path]:
    """The month's export files, sorted by name so runs are repeatable."""
    folder = month_folder(exports_dir, snapshot)
    if not folder.is_dir():
        raise ExportError(
            f"no export folder for {folder_name(snapshot)}: looked in {folder.resolve()}. "
            "Put this month's CRM export (.csv) there and run the month again."
        )
    files = sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and not path.name.startswith(_IGNORED_PREFIXES)
    )
    if not files:
        raise ExportError(
            f"the export folder {folder.resolve()} is empty: put this month's CRM export "
            "(.csv) there and run the month again."
        )
    unsupported = [path.name for path in files if path.suffix.lower() not in SUPPORTED_SUFFIXES]
    if unsupported:
        raise ExportError(
            f"{folder.resolve()} holds files this version cannot read: {unsupported}. "
            f"Save them as CSV ({', '.join(SUPPORTED_SUFFIXES)}) or move them out of the folder."
        )
    return files


def read_month(exports_dir: Path, snapshot: date) -> tuple[pl.DataFrame, list[ExportFile]]:
    """All of a month's exports as one raw frame: lineage columns first, then every source column.

    Files with different headers are combined by column name; a column a file lacks is null there.
    """
    frames: list[pl.DataFrame] = []
    facts: list[ExportFile] = []
    for path in list_export_files(exports_dir, snapshot):
        frame, fact = read_export(path)
        frames.append(frame)
        facts.append(fact)
    raw = pl.concat(frames, how="diagonal") if len(frames) > 1 else frames[0]
    _refuse_duplicate_ids(raw)
    raw = raw.with_columns(pl.lit(snapshot, dtype=pl.Date).alias("snapshot"))
    lineage = ["snapshot", "contact_id", "source_file", "source_row", "source_system"]
    return raw.select(lineage + [c for c in raw.columns if c not in lineage]), facts


def read_export(path: Path) -> tuple[pl.DataFrame, ExportFile]:
    """Decode one export file and tag each row with its file, spreadsheet row and CRM."""
    data = path.read_bytes()
    if not data.strip():
        raise ExportError(f"{path.name} is empty: export the contacts again.")
    text, encoding = decode(data, path.name)
    header_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(header_line, path.name)
    try:
        frame = pl.read_csv(
            io.StringIO(text),
            separator=delimiter,
            infer_schema=False,
            empty_string_is_null=False,
            raise_if_empty=True,
        )
    except pl.exceptions.NoDataError:
        raise ExportError(f"{path.name} is empty: export the contacts again.") from None
    except pl.exceptions.ComputeError as error:
        raise ExportError(
            f"{path.name} could not be parsed as a {delimiter!r}-separated file: {error}. "
            "Check that it was saved as CSV with one header row."
        ) from None
    if frame.height == 0:
        raise ExportError(f"{path.name} has a header row but no contacts: export it again.")
    headers = frame.columns
    _refuse_bad_headers(headers, path.name)
    fmt = detect_format(headers, path.name)
    frame = _tag_rows(frame, fmt, path.name)
    fact = ExportFile(path.name, fmt.system, encoding, delimiter, frame.height)
    log.info(
        "read %s: %s export, %s, delimiter %r, %d rows",
        path.name,
        fmt.system,
        encoding,
        delimiter,
        frame.height,
    )
    return frame, fact


def decode(data: bytes, file_name: str) -> tuple[str, str]:
    """UTF-8 (with or without BOM) when it decodes, else Windows-1252 as European Excel writes."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # Bytes cp1252 leaves undefined (0x81, 0x8d, ...) are latin-1 control characters.
        log.warning("%s is neither UTF-8 nor cp1252; decoded as latin-1", file_name)
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(header_line: str, file_name: str) -> str:
    """The header's most frequent of `,` `;` and tab: Excel on a European locale writes `;`."""
    counts = {sep: header_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    if counts[best] == 0:
        raise ExportError(
            f"{file_name}: the first line has no `,`, `;` or tab, so it is not a CSV header "
            f"row (it starts {header_line[:80]!r}). Export the contacts as CSV with a header row."
        )
    return best


def _refuse_bad_headers(headers: list[str], file_name: str) -> None:
    # polars renames a repeated header to "name_duplicated_0"; a blank one becomes "".
    repeated = [name for name in headers if "_duplicated_" in name]
    if repeated:
        raise ExportError(
            f"{file_name}: two columns share one name ({', '.join(repeated)}). "
            "Rename or delete one of them in the export and run the month again."
        )
    clashing = [name for name in headers if name in _RESERVED]
    if clashing:
        raise ExportError(
            f"{file_name}: the columns {clashing} clash with names the pipeline adds to every "
            "row. Rename them in the export."
        )


def _tag_rows(frame: pl.DataFrame, fmt: CrmFormat, file_name: str) -> pl.DataFrame:
    ids = pl.col(fmt.id_column).str.strip_chars()
    blank_ids = frame.filter(ids.is_null() | (ids == "")).height
    if blank_ids:
        raise ExportError(
            f"{file_name}: {blank_ids} rows have no {fmt.id_column!r}. Every contact needs its "
            "CRM record id so the cleanup can be applied back; export again with ids."
        )
    return frame.with_columns(
        ids.alias("contact_id"),
        pl.lit(file_name).alias("source_file"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias("source_row"),
        pl.lit(fmt.system).alias("source_system"),
    )


def _refuse_duplicate_ids(raw: pl.DataFrame) -> None:
    repeated = (
        raw.group_by("contact_id")
        .agg(pl.col("source_file").first(), pl.col("source_row").sort().alias("rows"))
        .filter(pl.col("rows").list.len() > 1)
        .sort("contact_id")
    )
    if repeated.height:
        examples = "; ".join(
            f"id {row['contact_id']} at rows {row['rows']} of {row['source_file']}"
            for row in repeated.head(5).iter_rows(named=True)
        )
        raise ExportError(
            f"{repeated.height} record ids appear more than once this month ({examples}). "
            "A record id must be unique: remove the repeated rows or the second export."
        )
