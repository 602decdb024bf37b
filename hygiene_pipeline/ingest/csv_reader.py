"""Delimited exports (.csv, .tsv, .txt) to a ParsedTable, every data record accounted for.

Two paths. A clean file (Python's csv module finds every record well-formed) is parsed once more
by polars' fast reader, and polars' row count must equal the csv module's count or the file takes
the slow path. A file with bad records goes record by record: each record is parsed on its own
with strict settings; good ones are re-assembled and handed to polars, bad ones are rejected with
their text and reason. A record whose quoting runs past its first line and still breaks costs only
that first line: reading resumes on the next line, so one stray quote cannot swallow the file.

A *data record* is what the csv module reads below the header (a quoted field may span lines);
empty lines are not records. That count is `data_lines`.
"""

from __future__ import annotations

import csv
import io
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl

from hygiene_pipeline.ingest.decoding import DecodedText, has_undecodable, visible
from hygiene_pipeline.ingest.export_table import (
    RECORD_INDEX,
    ExportError,
    ParsedTable,
    RejectedRecord,
)

DELIMITERS = (",", ";", "\t")
# A stray quote can make a field run to the end of the file; allow big fields, reject beyond.
csv.field_size_limit(16 * 1024 * 1024)


class DelimitedFileError(ExportError):
    """The file as a whole cannot be read as delimited text (no delimiter, broken header)."""


@dataclass(frozen=True)
class _Record:
    line: int  # first file line of the record
    text: str
    fields: list[str] | None  # None when the csv module could not parse it
    error: str | None


class _Lines:
    """The file's lines for csv.reader, remembering those consumed so a record's text is known."""

    def __init__(self, source: Iterator[str]) -> None:
        self._source = source
        self._pushed: deque[str] = deque()
        self._taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._pushed.popleft() if self._pushed else next(self._source)
        self._taken.append(line)
        return line

    def take(self) -> list[str]:
        taken, self._taken = self._taken, []
        return taken

    def push_back(self, lines: list[str]) -> None:
        self._pushed.extendleft(reversed(lines))


def _records(source: Iterator[str], delimiter: str) -> Iterator[_Record]:
    """Every record of the file, the header first; empty lines skipped.

    A record whose quoting runs past its first line and then breaks (a parse error, or a field
    count unlike the header's) yields only that first line as bad; the rest is read again.
    """
    lines = _Lines(source)
    line_no = 1
    width: int | None = None  # the header's, once read
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    while True:
        try:
            fields = next(reader)
            error = None
        except StopIteration:
            return
        except csv.Error as csv_error:
            fields, error = None, f"broken quoting: {csv_error}"
        taken = lines.take()
        if fields is not None and width is not None and fields and len(fields) != width:
            error = f"wrong number of fields: {len(fields)}, the header has {width}"
            if len(taken) > 1:
                error = "broken quoting: a quoted field opened on this line does not close in time"
        if error and len(taken) > 1:
            lines.push_back(taken[1:])
            taken = taken[:1]
        if error:
            yield _Record(line_no, "".join(taken), None, error)
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
        elif fields:
            width = len(fields) if width is None else width
            yield _Record(line_no, "".join(taken), fields, None)
        line_no += len(taken)


def sniff_delimiter(header_line: str, file_name: str) -> str:
    """The header's most frequent of `,` `;` and tab: Excel on a European locale writes `;`."""
    counts = {sep: header_line.count(sep) for sep in DELIMITERS}
    best = max(counts, key=lambda sep: counts[sep])
    if counts[best] == 0:
        raise DelimitedFileError(
            f"{file_name}: the first line has no `,`, `;` or tab, so it is not a CSV header "
            f"row. Export the contacts as CSV with a header row."
        )
    return best


class DelimitedExport:
    """One decoded delimited file: its header now, its records when `table()` is called."""

    def __init__(self, decoded: DecodedText, file_name: str) -> None:
        self.decoded = decoded
        self.file_name = file_name
        self.delimiter = sniff_delimiter(decoded.first_line(), file_name)
        first = next(_records(decoded.lines(), self.delimiter), None)
        if first is None or first.fields is None:
            reason = first.error if first else "no header row"
            raise DelimitedFileError(f"{file_name}: the header row cannot be read ({reason}).")
        if has_undecodable(first.text):
            raise DelimitedFileError(
                f"{file_name}: the header row has bytes that are not {decoded.encoding}. Save the "
                "file again as CSV UTF-8 from Excel."
            )
        self.header: list[str] = first.fields

    def table(self) -> ParsedTable:
        if not self.decoded.has_undecodable:
            # polars parses on its own threads while the csv module checks every record here:
            # the check holds the GIL, the parse does not, so the two overlap.
            source = self.decoded.utf8()
            with ThreadPoolExecutor(max_workers=1) as pool:
                parsed = pool.submit(self._parse, source)
                count = self._clean_record_count()
                frame = parsed.result()
            if count is not None:
                rows = self._agreeing(frame, count)
                if rows is not None:
                    return self._table(rows, [], count, "fast")
        return self._record_by_record()

    def record_texts(self, indices: Iterable[int]) -> dict[int, tuple[int, str]]:
        wanted = set(indices)
        found: dict[int, tuple[int, str]] = {}
        if not wanted:
            return found
        for index, record in enumerate(_records(self.decoded.lines(), self.delimiter), start=-1):
            if index in wanted:
                found[index] = (record.line, visible(record.text))
                if len(found) == len(wanted):
                    break
        return found

    def _table(
        self, rows: pl.DataFrame, rejected: list[RejectedRecord], data_lines: int, reader: str
    ) -> ParsedTable:
        return ParsedTable(
            self.header, rows, rejected, data_lines, self.record_texts, reader=reader
        )

    def _clean_record_count(self) -> int | None:
        """Data records when every one is well-formed (no empty line either), else None."""
        reader = csv.reader(self.decoded.lines(), delimiter=self.delimiter, strict=True)
        width = len(self.header)
        count = -1  # the header
        try:
            for fields in reader:
                if len(fields) != width:
                    return None
                count += 1
        except csv.Error:
            return None
        return count

    def _polars(self, source: bytes, expected: int) -> pl.DataFrame | None:
        """polars' parse, trusted only if it agrees with the csv module on every record."""
        return self._agreeing(self._parse(source), expected)

    def _parse(self, source: bytes) -> pl.DataFrame | None:
        """polars' reading of the whole text, or None where polars refuses it."""
        try:
            return pl.read_csv(
                source,
                separator=self.delimiter,
                has_header=True,
                infer_schema=False,
                empty_string_is_null=False,
                raise_if_empty=False,
                quote_char='"',
            )
        except (pl.exceptions.ComputeError, pl.exceptions.NoDataError):
            return None

    def _agreeing(self, frame: pl.DataFrame | None, expected: int) -> pl.DataFrame | None:
        """The frame with its record index if polars read the header and `expected` records."""
        if frame is None or frame.columns != self.header or frame.height != expected:
            return None
        if frame.height and sum(frame.null_count().row(0)):
            return None  # a short row polars padded with nulls
        return frame.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias(RECORD_INDEX))

    def _record_by_record(self) -> ParsedTable:
        good = io.BytesIO()  # the good records as UTF-8, one `\n` each: about the file's size
        good_indices: list[int] = []
        rejected: list[RejectedRecord] = []
        records = _records(self.decoded.lines(), self.delimiter)
        good.write(_one_line_end(next(records).text).encode("utf-8"))
        index = -1
        for index, record in enumerate(records):
            reason = _problem(record)
            if reason:
                rejected.append(RejectedRecord(index, record.line, visible(record.text), reason))
                continue
            good.write(_one_line_end(record.text).encode("utf-8"))
            good_indices.append(index)
        data_lines = index + 1
        indices = pl.Series(RECORD_INDEX, good_indices, dtype=pl.Int64)
        source = good.getvalue()
        del good
        rows = self._polars(source, len(good_indices))
        reader = "filtered"
        if rows is None:  # polars reads some good record differently: build the columns here
            rows = _columns_from_records(source, self.header, self.delimiter)
            reader = "row-by-row"
        rows = rows.with_columns(indices)
        return self._table(rows, rejected, data_lines, reader)


def _problem(record: _Record) -> str | None:
    if record.error:
        return record.error
    if has_undecodable(record.text):
        return "undecodable bytes: not valid UTF-8 like the rest of the file"
    return None


def _one_line_end(text: str) -> str:
    """The record's own line ending replaced by `\\n` (old Mac files end lines with `\\r`)."""
    return text.rstrip("\r\n") + "\n"


def _columns_from_records(source: bytes, header: list[str], delimiter: str) -> pl.DataFrame:
    """The good records' columns as the csv module reads them (`source` starts with the header)."""
    columns: list[list[str]] = [[] for _ in header]
    lines = io.TextIOWrapper(io.BytesIO(source), encoding="utf-8", newline="")
    reader = csv.reader(lines, delimiter=delimiter)
    next(reader)
    for fields in reader:
        for column, value in zip(columns, fields, strict=True):
            column.append(value)
    return pl.DataFrame(
        {
            name: pl.Series(name, values, dtype=pl.String)
            for name, values in zip(header, columns, strict=True)
        }
    )
