"""Look inside a workbook before parsing it: a zip bomb is refused from its directory.

An .xlsx is a zip of XML parts. Its directory declares each part's size, so a 4 MB file that
inflates to gigabytes is refused before a byte of XML is parsed; the first sheet's rows are
counted from a stream (stopping at the limit), and a part that declares a DTD or an entity (an
expansion attack: Excel never writes one) is refused outright. Python's zip reader never reads
past a part's declared size; a workbook whose directory lies is caught by the parsing child
process's memory limit instead.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from hygiene_pipeline.ingest.export_table import ExportError
from hygiene_pipeline.ingest.limits import EXCEL_MAX_ROWS, IngestLimits, refusal

_MIB = 1024 * 1024
_PROLOGUE = 4096  # a DTD must come before the root element: the first bytes tell
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_ROW = re.compile(rb"<row[\s>]")  # not <rowBreaks>
_ROW_TAIL = 4  # bytes a row tag may straddle chunks by
_SHEET = re.compile(r"^xl/worksheets/sheet\d+\.xml$")
_RATIO_FROM_MIB = 10  # tiny parts compress absurdly well and hurt nobody


class WorkbookLimitError(ExportError):
    """A workbook over a limit, or built to attack the parser."""


def check_workbook(path: Path, limits: IngestLimits) -> None:
    """Refuse a workbook whose directory, structure or row count is over the limits."""
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise WorkbookLimitError(
            f"{name} cannot be opened as an Excel workbook (not a valid .xlsx zip). Open it in "
            "Excel and save it again as .xlsx, or export it as CSV."
        ) from None
    with archive:
        parts = archive.infolist()
        _check_sizes(name, parts, limits)
        sheets = [info for info in parts if _SHEET.match(info.filename)]
        if len(sheets) > limits.xlsx_max_sheets:
            raise WorkbookLimitError(
                refusal(
                    name,
                    f"the workbook has {len(sheets):,} sheets",
                    f"{limits.xlsx_max_sheets} (xlsx_max_sheets)",
                    "An export is one sheet: save the contacts sheet alone as .xlsx or CSV.",
                )
            )
        for info in parts:
            if info.filename.endswith((".xml", ".rels")):
                _refuse_dtd(name, archive, info)
        first = _first_sheet(archive, sheets)
        if first is not None:
            _check_rows(name, archive, first, limits)


def _check_sizes(name: str, parts: list[zipfile.ZipInfo], limits: IngestLimits) -> None:
    total = sum(info.file_size for info in parts)
    if total > limits.xlsx_max_total_mib * _MIB:
        raise WorkbookLimitError(
            refusal(
                name,
                f"the workbook inflates to {total / _MIB:,.0f} MiB",
                f"{limits.xlsx_max_total_mib:,} MiB (xlsx_max_total_mib)",
                "A file that small inflating that much is a zip bomb, not an export; if it is a "
                "real export, save it as CSV or raise the limit in ingest_limits.yaml.",
            )
        )
    for info in parts:
        size = info.file_size
        if size > limits.xlsx_max_part_mib * _MIB:
            raise WorkbookLimitError(
                refusal(
                    name,
                    f"its part {info.filename} inflates to {size / _MIB:,.0f} MiB",
                    f"{limits.xlsx_max_part_mib:,} MiB (xlsx_max_part_mib)",
                    "Save the export as CSV, or raise the limit in ingest_limits.yaml.",
                )
            )
        ratio = size / max(info.compress_size, 1)
        if size > _RATIO_FROM_MIB * _MIB and ratio > limits.xlsx_max_ratio:
            raise WorkbookLimitError(
                refusal(
                    name,
                    f"its part {info.filename} inflates {ratio:,.0f} times "
                    f"({info.compress_size / _MIB:,.1f} MiB to {size / _MIB:,.0f} MiB)",
                    f"{limits.xlsx_max_ratio} times (xlsx_max_ratio)",
                    "Real exports compress far less: this looks like a zip bomb. If it is a real "
                    "export, save it as CSV.",
                )
            )


def _refuse_dtd(name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    with archive.open(info) as stream:
        prologue = stream.read(_PROLOGUE)
    if _DTD.search(prologue):
        raise WorkbookLimitError(
            f"{name}: its part {info.filename} declares a DTD or an XML entity, which Excel never "
            "writes (an entity-expansion attack, or a file from an unknown tool). Open it in "
            "Excel and save it again as .xlsx, or export it as CSV."
        )


def _first_sheet(archive: zipfile.ZipFile, sheets: list[zipfile.ZipInfo]) -> zipfile.ZipInfo | None:
    """The sheet part fastexcel reads as sheet 0: the workbook's first <sheet>, by its r:id."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        relations = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return sheets[0] if sheets else None
    first = re.search(r"<sheet\b[^>]*\br:id=\"([^\"]+)\"", workbook)
    target = first and re.search(
        rf"<Relationship\b[^>]*\bId=\"{re.escape(first.group(1))}\"[^>]*\bTarget=\"([^\"]+)\"|"
        rf"<Relationship\b[^>]*\bTarget=\"([^\"]+)\"[^>]*\bId=\"{re.escape(first.group(1))}\"",
        relations,
    )
    if not target:
        return sheets[0] if sheets else None
    path = (target.group(1) or target.group(2)).lstrip("/")
    path = path if path.startswith("xl/") else f"xl/{path}"
    return next((info for info in sheets if info.filename == path), None)


def _check_rows(
    name: str, archive: zipfile.ZipFile, sheet: zipfile.ZipInfo, limits: IngestLimits
) -> None:
    """Count the sheet's rows from a stream, stopping as soon as one limit is passed."""
    ceiling = min(EXCEL_MAX_ROWS, limits.max_rows + 1)  # + 1: the header row
    rows, tail = 0, b""
    with archive.open(sheet) as stream:
        while chunk := stream.read(1 << 20):
            block = tail + chunk
            rows += len(_ROW.findall(block)) - len(_ROW.findall(tail))
            tail = block[-_ROW_TAIL:]
            if rows > ceiling:
                break
    if rows > EXCEL_MAX_ROWS:
        raise WorkbookLimitError(
            refusal(
                name,
                f"its first sheet has more than {EXCEL_MAX_ROWS:,} rows",
                f"Excel's own {EXCEL_MAX_ROWS:,} rows",
                "Excel cannot have written it: export the contacts again, as CSV for more rows.",
            )
        )
    if rows > limits.max_rows + 1:
        raise WorkbookLimitError(
            refusal(
                name,
                f"its first sheet has more than {limits.max_rows:,} data rows",
                f"{limits.max_rows:,} rows (max_rows)",
                "Split the export, or raise max_rows in ingest_limits.yaml.",
            )
        )
