"""What a reader hands to ingest: the header, the good records as text columns, the bad ones.

Both readers (csv_reader, xlsx_reader) produce this shape, so ingest applies the same rules (record
ids, duplicates, lineage) whatever the file type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import polars as pl

# Column added by the readers: the record's 0-based position among the file's data records, so
# `source_row` (the spreadsheet row, header = 1) is RECORD_INDEX + 2 whatever was rejected.
RECORD_INDEX = "__record_index__"


class ExportError(ValueError):
    """An export folder or file the pipeline cannot read; the message says what to fix."""


@dataclass(frozen=True)
class RejectedRecord:
    """One data record that cannot be loaded, kept whole so it can be fixed and re-imported."""

    record: int  # 0-based data record index; source_row = record + 2
    line: int  # the file line it starts on (1 = the file's first line); sheet row for .xlsx
    text: str  # the record as it is in the file (undecodable bytes written as \\xNN)
    reason: str
    contact_id: str | None = None  # known when the record was read but its id was taken


@dataclass(frozen=True)
class ParsedTable:
    """A file's data records: loaded ones in `rows`, the rest in `rejected`."""

    header: list[str]
    rows: pl.DataFrame  # one String column per header, plus RECORD_INDEX (Int64)
    rejected: list[RejectedRecord]
    data_lines: int  # records below the header, counted independently of the fast reader
    # (line, text) of given record indices, for records ingest rejects later (blank, repeated id).
    record_texts: Callable[[Iterable[int]], dict[int, tuple[int, str]]]
    reader: str  # which path loaded the rows: fast, filtered, row-by-row or xlsx
