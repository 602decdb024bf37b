"""Excel workbooks (.xlsx) to a ParsedTable, through fastexcel (calamine, Rust).

Every cell is read as text: numbers as Excel shows them without formatting (`1001`, `0.3`),
booleans as `true`/`false`, and real date cells as ISO text (`2026-03-02 09:15:00`), so the raw
table holds a workbook the way it holds a CSV. Empty cells become empty text, as in a CSV.

Only the first sheet is an export. A workbook with data on another sheet is refused rather than
half-read: nothing may be lost silently.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import fastexcel
import polars as pl

from hygiene_pipeline.ingest.export_table import RECORD_INDEX, ExportError, ParsedTable


class WorkbookError(ExportError):
    """The workbook as a whole cannot be read as one export."""


class XlsxExport:
    """One workbook's first sheet: its header now, its rows when `table()` is called."""

    def __init__(self, path: Path) -> None:
        self.file_name = path.name
        try:
            reader = fastexcel.read_excel(str(path))
        except Exception as error:  # fastexcel raises its own error types for damaged files
            raise WorkbookError(
                f"{path.name} cannot be opened as an Excel workbook ({type(error).__name__}). "
                "Open it in Excel and save it again as .xlsx, or export it as CSV."
            ) from None
        self.sheet_name = reader.sheet_names[0]
        others = [
            name
            for index, name in enumerate(reader.sheet_names[1:], start=1)
            if reader.load_sheet(index, header_row=None, dtypes="string").height
        ]
        if others:
            raise WorkbookError(
                f"{path.name}: besides the first sheet ({self.sheet_name!r}) the sheets {others} "
                "hold data. Keep one export per file: move the other sheets to their own files "
                "or delete them."
            )
        sheet = reader.load_sheet(0, header_row=None, dtypes="string").to_polars()
        if sheet.height == 0:
            raise WorkbookError(f"{path.name} is empty: export the contacts again.")
        cells = sheet.row(0)
        self.header: list[str] = ["" if cell is None else str(cell) for cell in cells]
        self._data = sheet.slice(1)

    def table(self) -> ParsedTable:
        data = self._data
        rows = pl.DataFrame(
            [
                data.get_column(column).fill_null("").alias(name)
                for column, name in zip(data.columns, self.header, strict=True)
            ]
        ).with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias(RECORD_INDEX))
        return ParsedTable(
            header=self.header,
            rows=rows,
            rejected=[],
            data_lines=data.height,
            record_texts=self.record_texts,
            reader="xlsx",
        )

    def record_texts(self, indices: Iterable[int]) -> dict[int, tuple[int, str]]:
        """A sheet row as one CSV line (`,`-separated), its sheet row number as the line."""
        found: dict[int, tuple[int, str]] = {}
        for index in sorted(set(indices)):
            values = ["" if cell is None else cell for cell in self._data.row(index)]
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerow(values)
            found[index] = (index + 2, buffer.getvalue())
        return found
