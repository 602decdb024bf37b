"""Read a month's CRM exports into one raw table, every source column kept verbatim.

The raw table is the user's backup before any cleaning, so nothing here trims, re-cases or drops a
value: it decodes each file, recognises the CRM from the header row, records where each row came
from, and accounts for every data record: loaded into raw_contacts or kept in rejected_rows.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import polars as pl

from hygiene_pipeline.ingest.bounded_read import BoundedFile, overlong_reason, read_bounded
from hygiene_pipeline.ingest.csv_reader import DelimitedExport
from hygiene_pipeline.ingest.decoding import decode_export, visible
from hygiene_pipeline.ingest.export_table import (
    RECORD_INDEX,
    ExportError,
    ParsedTable,
    RejectedRecord,
)
from hygiene_pipeline.ingest.formats import (
    AmbiguousMappingError,
    CrmFormat,
    UnknownExportFormatError,
)
from hygiene_pipeline.ingest.isolation import read_isolated
from hygiene_pipeline.ingest.limits import IngestLimits, refusal
from hygiene_pipeline.ingest.recognition import ColumnReading, recognise
from hygiene_pipeline.ingest.tables import EXPORT_FILES, REJECTED_ROWS
from hygiene_pipeline.ingest.xlsx_precheck import check_workbook
from hygiene_pipeline.ingest.xlsx_reader import XlsxExport
from hygiene_pipeline.months import folder_name

__all__ = ["ExportError", "ExportFile", "MonthExports", "decode", "read_export", "read_month"]

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")
IGNORED_PREFIXES = (".", "~$")  # hidden files, Excel's lock files beside an open workbook
LINEAGE = ("snapshot", "contact_id", "source_file", "source_row", "source_system")
_RESERVED = (*LINEAGE, RECORD_INDEX)
# What refuses one file (the month's other files still load).
FILE_REFUSALS = (ExportError, UnknownExportFormatError, AmbiguousMappingError)


@dataclass(frozen=True)
class ExportFile:
    """One export file: what was detected and how its data records were accounted for."""

    name: str
    system: str
    format: CrmFormat
    encoding: str
    delimiter: str | None
    reader: str
    data_lines: int
    loaded_rows: int
    rejected_rows: int
    fingerprint: str
    reading: ColumnReading


@dataclass(frozen=True)
class RefusedFile:
    """A file of the month that was not loaded, and why: the others still load."""

    name: str
    reason: str


@dataclass(frozen=True)
class MonthExports:
    """A month's raw rows, rejected records and per-file accounting, ready for one transaction."""

    snapshot: date
    raw: pl.DataFrame
    rejected: pl.DataFrame
    files: list[ExportFile]
    refused: list[RefusedFile] = field(default_factory=list)

    def files_frame(self) -> pl.DataFrame:
        rows = [
            {
                "snapshot": self.snapshot,
                "source_file": f.name,
                "source_system": f.system,
                "format": f.format.name,
                "encoding": f.encoding,
                "delimiter": f.delimiter,
                "reader": f.reader,
                "data_lines": f.data_lines,
                "loaded_rows": f.loaded_rows,
                "rejected_rows": f.rejected_rows,
                "fingerprint": f.fingerprint,
                "column_mapping": f.format.to_json(),
                "field_sources": f.reading.sources_json(),
                "unread_columns": list(f.reading.unread),
                "missing_fields": list(f.reading.missing),
                "status": "loaded",
                "refusal": None,
            }
            for f in self.files
        ] + [
            {
                "snapshot": self.snapshot,
                "source_file": r.name,
                "status": "refused",
                "refusal": r.reason,
            }
            for r in self.refused
        ]
        return pl.DataFrame(rows, schema=EXPORT_FILES)


@dataclass
class _FileRead:
    """One file read and tagged, before the month-wide duplicate check."""

    name: str
    reading: ColumnReading
    encoding: str
    delimiter: str | None
    fingerprint: str
    table: ParsedTable
    rows: pl.DataFrame  # lineage columns, source columns, RECORD_INDEX
    rejected: list[RejectedRecord]

    @property
    def fmt(self) -> CrmFormat:
        return self.reading.fmt


def month_folder(exports_dir: Path, snapshot: date) -> Path:
    return Path(exports_dir) / folder_name(snapshot)


def is_export_candidate(path: Path) -> bool:
    """A file in a month folder the pipeline reads (or refuses): not hidden, not a lock file."""
    return path.is_file() and not path.name.startswith(IGNORED_PREFIXES)


def list_export_files(exports_dir: Path, snapshot: date) -> tuple[list[Path], list[RefusedFile]]:
    """The month's export files, sorted by name so runs are repeatable, and those refused at once.

    A missing or empty month folder fails the month; a file of an unsupported type, or a link
    pointing outside the exports folder, is refused and the other files still load.
    """
    folder = month_folder(exports_dir, snapshot)
    if not folder.is_dir():
        raise ExportError(
            f"no export folder for {folder_name(snapshot)}: looked in {folder.resolve()}. "
            "Put this month's CRM export (.csv or .xlsx) there and run the month again."
        )
    if not Path(folder).resolve().is_relative_to(Path(exports_dir).resolve()):
        raise ExportError(
            f"{folder.resolve()}: the month folder {folder.name} points outside the exports "
            f"folder {Path(exports_dir).resolve()} (a symbolic link). The pipeline reads only "
            "files inside it: copy the export itself there."
        )
    files = sorted(path for path in folder.iterdir() if is_export_candidate(path))
    if not files:
        raise ExportError(
            f"the export folder {folder.resolve()} is empty: put this month's CRM export "
            "(.csv or .xlsx) there and run the month again."
        )
    readable, refused = [], []
    for path in files:
        if not path.resolve().is_relative_to(folder.resolve()):
            refused.append(
                RefusedFile(
                    path.name,
                    f"{path.name} points outside the exports folder (a symbolic link). The "
                    "pipeline reads only files inside it: copy the export itself there.",
                )
            )
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            refused.append(
                RefusedFile(
                    path.name,
                    f"{path.name}: this version cannot read {path.suffix or 'files without a type'}"
                    f" files. Save it as {', '.join(SUPPORTED_SUFFIXES)} or move it out of the "
                    "folder.",
                )
            )
        else:
            readable.append(path)
    return readable, refused


def read_month(
    exports_dir: Path,
    snapshot: date,
    *,
    mappings: Sequence[CrmFormat] = (),
    limits: IngestLimits | None = None,
) -> MonthExports:
    """All of a month's exports: one raw frame (lineage columns first), rejected rows, files.

    Files with different headers are combined by column name; a column a file lacks is null there.
    A record id seen earlier this month (files in name order) sends the later row to rejected_rows.
    A file that cannot be read, or is over a limit, is refused with its reason and the others
    load; the month fails only when no file can be read.
    """
    limits = limits or IngestLimits()
    paths, refused = list_export_files(exports_dir, snapshot)
    reads = []
    for path in paths:
        try:
            reads.append(read_file(path, mappings, limits))
        except FILE_REFUSALS as error:
            refused.append(RefusedFile(path.name, str(error)))
    if not reads:
        raise ExportError(
            f"no export of {folder_name(snapshot)} could be read: "
            + " ".join(refused_file.reason for refused_file in refused)
        )
    for refused_file in refused:
        log.warning("refused %s: %s", refused_file.name, refused_file.reason)
    _reject_repeated_ids(reads)
    frames = [read.rows for read in reads]
    raw = pl.concat(frames, how="diagonal") if len(frames) > 1 else frames[0]
    raw = raw.drop(RECORD_INDEX).with_columns(pl.lit(snapshot, dtype=pl.Date).alias("snapshot"))
    raw = raw.select([*LINEAGE, *(c for c in raw.columns if c not in LINEAGE)])
    files = [_fact(read) for read in reads]
    for fact in files:
        log.info(
            "read %s: %s (%s), %s, delimiter %r, %s reader: %d data lines, %d loaded, %d rejected",
            fact.name, fact.format.name, fact.system, fact.encoding, fact.delimiter, fact.reader,
            fact.data_lines, fact.loaded_rows, fact.rejected_rows,
        )  # fmt: skip
    rejected = _rejected_frame(reads, snapshot)
    return MonthExports(snapshot, raw, rejected, files, sorted(refused, key=lambda r: r.name))


def read_file(
    path: Path,
    mappings: Sequence[CrmFormat],
    limits: IngestLimits,
    *,
    record_id_optional: bool = False,
) -> _FileRead:
    """One file, checked against the limits, parsed in a child process unless told otherwise."""
    if limits.isolate_parsing:
        return read_isolated(path, mappings, limits, record_id_optional=record_id_optional)
    return read_export(path, mappings, limits, record_id_optional=record_id_optional)


def read_export(
    path: Path,
    mappings: Sequence[CrmFormat] = (),
    limits: IngestLimits | None = None,
    *,
    record_id_optional: bool = False,
) -> _FileRead:
    """Decode one export, recognise its format, load its records and tag them with lineage.

    In this process: `read_file` runs it in a child process with memory and CPU limits. With
    `record_id_optional` (a list to screen) a file without a record-id column is read too, each
    row's id being `row-<spreadsheet row>`.
    """
    limits = limits or IngestLimits()
    is_xlsx = path.suffix.lower() == ".xlsx"
    if is_xlsx:
        check_workbook(path, limits)
    else:
        _check_file_size(path, limits)
    bounded = read_bounded(path, max_lines=limits.max_rows + 1) if not is_xlsx else None
    data = bounded.data if bounded else path.read_bytes()
    fingerprint = bounded.fingerprint if bounded else hashlib.sha256(data).hexdigest()
    if bounded and bounded.lines_over:
        raise ExportError(
            refusal(
                path.name,
                f"it has more than {limits.max_rows:,} lines",
                f"{limits.max_rows:,} rows (max_rows)",
                "Split the export, or raise max_rows in ingest_limits.yaml.",
            )
        )
    if bounded and bounded.overlong and bounded.overlong[0].line == 1:
        raise ExportError(
            f"{path.name}: the header line is {bounded.overlong[0].size:,} bytes long, more than "
            "any export's header (far too many columns, or not a CSV export at all, or damaged). "
            "Export the contacts again as CSV, with only the properties you use."
        )
    if is_xlsx:
        source: DelimitedExport | XlsxExport = XlsxExport(path)
        encoding, delimiter = "xlsx", None
    else:
        if not data.strip(b" \t\r\n\xef\xbb\xbf"):
            raise ExportError(f"{path.name} is empty: export the contacts again.")
        decoded = decode_export(data)
        source = DelimitedExport(decoded, path.name)
        encoding, delimiter = decoded.encoding, source.delimiter
        if decoded.encoding == "latin-1":
            log.warning("%s is neither UTF-8 nor cp1252; decoded as latin-1", path.name)
    header = source.header
    _refuse_bad_headers(header, path.name)
    _check_header_size(header, path.name, limits)
    table = source.table()
    if table.data_lines == 0:
        raise ExportError(f"{path.name} has a header row but no contacts: export it again.")
    reading = recognise(
        header, table.rows, path.name, mappings, record_id_optional=record_id_optional
    )
    fmt, id_column = reading.fmt, reading.record_id
    rows, blank = _tag_rows(table.rows, fmt, id_column, path.name)
    rejected = [_explain_overlong(record, bounded) for record in table.rejected]
    if blank.height:
        texts = table.record_texts(blank.get_column(RECORD_INDEX).to_list())
        reason = f"no record id in column {id_column!r}"
        rejected += [RejectedRecord(i, *texts[i], reason) for i in sorted(texts)]
    return _FileRead(path.name, reading, encoding, delimiter, fingerprint, table, rows, rejected)


def _check_file_size(path: Path, limits: IngestLimits) -> None:
    size = path.stat().st_size
    if size > limits.max_file_mib * 1024 * 1024:
        raise ExportError(
            refusal(
                path.name,
                f"the file is {size / 1024 / 1024:,.0f} MiB",
                f"{limits.max_file_mib:,} MiB (max_file_mib)",
                "Split the export, or raise max_file_mib in ingest_limits.yaml.",
            )
        )


def _check_header_size(header: list[str], file_name: str, limits: IngestLimits) -> None:
    """A real CRM export has at most a few thousand columns with names of a few words."""
    if len(header) > limits.max_columns:
        raise ExportError(
            refusal(
                file_name,
                f"the header row has {len(header):,} columns",
                f"{limits.max_columns:,} columns (max_columns)",
                "Export only the contact properties you use, or raise max_columns in "
                "ingest_limits.yaml.",
            )
        )
    longest = max((len(name) for name in header), default=0)
    if longest > limits.max_header_chars:
        position = next(i for i, name in enumerate(header, 1) if len(name) == longest)
        raise ExportError(
            refusal(
                file_name,
                f"column {position} of the header row is a name of {longest:,} characters",
                f"{limits.max_header_chars:,} characters (max_header_chars)",
                "The file is damaged or is no export: export the contacts again.",
            )
        )


def _explain_overlong(record: RejectedRecord, bounded: BoundedFile | None) -> RejectedRecord:
    """A rejected placeholder becomes the overlong line it stands for: size, reason, first bytes."""
    line = bounded.overlong_in(record.text) if bounded else None
    if line is None:
        return record
    head = line.head.decode("utf-8", "backslashreplace")
    return replace(record, text=head + " …", reason=overlong_reason(line))


def decode(data: bytes, file_name: str) -> tuple[str, str]:
    """(text, encoding) of a small side file (erasure requests, ...), detected as for exports.

    Undecodable bytes in an otherwise UTF-8 file come back written as `\\xNN`.
    """
    decoded = decode_export(data)
    if decoded.encoding == "latin-1":
        log.warning("%s is neither UTF-8 nor cp1252; decoded as latin-1", file_name)
    return visible(decoded.text), decoded.encoding


def _refuse_bad_headers(headers: list[str], file_name: str) -> None:
    seen: set[str] = set()
    repeated = [name for name in headers if name in seen or seen.add(name)]
    if repeated:
        raise ExportError(
            f"{file_name}: two columns share one name ({', '.join(sorted(set(repeated)))}). "
            "Rename or delete one of them in the export and run the month again."
        )
    nameless = [str(position) for position, name in enumerate(headers, start=1) if not name]
    if nameless:
        raise ExportError(
            f"{file_name}: column {', '.join(nameless)} of the header row has no name. Give it a "
            "header or delete the column, and run the month again."
        )
    clashing = [name for name in headers if name in _RESERVED]
    if clashing:
        raise ExportError(
            f"{file_name}: the columns {clashing} clash with names the pipeline adds to every "
            "row. Rename them in the export."
        )


def _tag_rows(
    rows: pl.DataFrame, fmt: CrmFormat, id_column: str | None, file_name: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows with lineage, rows without a record id); without an id column, `row-<n>` ids."""
    if id_column is None:
        ids = pl.lit("row-") + (pl.col(RECORD_INDEX) + 2).cast(pl.String)
    else:
        ids = pl.col(id_column).str.strip_chars()
    has_id = ids.is_not_null() & (ids != "")
    blank = rows.filter(~has_id).select(RECORD_INDEX)
    if blank.height:
        rows = rows.filter(has_id)
    tagged = rows.with_columns(
        (pl.lit(fmt.id_prefix) + ids if fmt.id_prefix else ids).alias("contact_id"),
        pl.lit(file_name).alias("source_file"),
        (pl.col(RECORD_INDEX) + 2).alias("source_row"),
        pl.lit(fmt.system).alias("source_system"),
    )
    return tagged, blank


def _reject_repeated_ids(reads: list[_FileRead]) -> None:
    """Keep the first row of each record id this month; later rows go to rejected_rows."""
    keys = pl.concat(
        [
            read.rows.select(
                "contact_id",
                pl.lit(number, dtype=pl.Int64).alias("file"),
                pl.col(RECORD_INDEX),
            )
            for number, read in enumerate(reads)
        ]
    )
    keys = keys.with_columns(pl.col("contact_id").is_first_distinct().alias("first"))
    if keys.get_column("first").all():
        return
    firsts = keys.filter(pl.col("first")).select(
        "contact_id",
        pl.col("file").alias("first_file"),
        (pl.col(RECORD_INDEX) + 2).alias("first_row"),
    )
    repeats = keys.filter(~pl.col("first")).join(firsts, on="contact_id", how="left")
    for number, read in enumerate(reads):
        mine = repeats.filter(pl.col("file") == number)
        if mine.height == 0:
            continue
        texts = read.table.record_texts(mine.get_column(RECORD_INDEX).to_list())
        for row in mine.iter_rows(named=True):
            line, text = texts[row[RECORD_INDEX]]
            first = reads[row["first_file"]].name
            read.rejected.append(
                RejectedRecord(
                    row[RECORD_INDEX],
                    line,
                    text,
                    f"duplicate record id {row['contact_id']}: first seen in {first} "
                    f"row {row['first_row']}",
                    contact_id=row["contact_id"],
                )
            )
        read.rows = read.rows.filter(
            ~pl.col(RECORD_INDEX).is_in(mine.get_column(RECORD_INDEX).to_list())
        )


def _fact(read: _FileRead) -> ExportFile:
    return ExportFile(
        name=read.name,
        system=read.fmt.system,
        format=read.fmt,
        encoding=read.encoding,
        delimiter=read.delimiter,
        reader=read.table.reader,
        data_lines=read.table.data_lines,
        loaded_rows=read.rows.height,
        rejected_rows=len(read.rejected),
        fingerprint=read.fingerprint,
        reading=read.reading,
    )


def _rejected_frame(reads: list[_FileRead], snapshot: date) -> pl.DataFrame:
    rows = [
        {
            "snapshot": snapshot,
            "source_file": read.name,
            "line": record.line,
            "source_row": record.record + 2,
            "contact_id": record.contact_id,
            "source_system": read.fmt.system,
            "reason": record.reason,
            "raw_text": record.text,
        }
        for read in reads
        for record in sorted(read.rejected, key=lambda r: r.record)
    ]
    return pl.DataFrame(rows, schema=REJECTED_ROWS)
