"""Hostile export files, built on the fly: zip bombs, giant sheets, entity attacks, wide CSVs.

Shared by tests/test_hostile_files.py (small versions, lowered limits where the real size would
be slow) and benchmarks/hostile_files.py (the real sizes). Workbooks are written as raw XML parts
in a zip, streamed, so a sheet of millions of rows costs seconds, not Excel minutes.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
{sheets}
</Types>"""
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="xl/workbook.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>
{sheets}</sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
{rels}</Relationships>"""
_REL = (
    '<Relationship Id="rId{n}" Target="worksheets/sheet{n}.xml" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{prologue}<worksheet xmlns='
    '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _row(number: int, cells: Iterable[str], numbered: bool) -> str:
    """One sheet row; without `numbered` no cell references (optional in OOXML), so identical
    rows are identical bytes: what a zip bomb is made of."""
    parts = [f'<row r="{number}">' if numbered else "<row>"]
    for index, value in enumerate(cells):
        where = f' r="{_column(index)}{number}"' if numbered else ""
        parts.append(f'<c{where} t="inlineStr"><is><t>{escape(value)}</t></is></c>')
    parts.append("</row>")
    return "".join(parts)


def write_workbook(
    path: Path,
    rows: Iterable[Iterable[str]],
    *,
    extra_sheets: int = 0,
    prologue: str = "",
    level: int = 6,
    numbered: bool = True,
) -> Path:
    """A minimal valid .xlsx whose first sheet holds `rows` (header first), streamed to disk.

    `prologue` goes before the sheet's root element (a DTD, for the entity attack);
    `extra_sheets` empty sheets follow the first.
    """
    sheets = 1 + extra_sheets
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        types = "\n".join(_SHEET_TYPE.format(n=n) for n in range(1, sheets + 1))
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheets=types))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        entries = "".join(
            f'<sheet name="Sheet{n}" sheetId="{n}" r:id="rId{n}"/>' for n in range(1, sheets + 1)
        )
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(sheets=entries))
        rels = "".join(_REL.format(n=n) for n in range(1, sheets + 1))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(rels=rels))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(_SHEET_START.format(prologue=prologue).encode())
            for chunk in _chunks(rows, numbered):
                sheet.write(chunk)
            sheet.write(_SHEET_END.encode())
        for n in range(2, sheets + 1):
            archive.writestr(f"xl/worksheets/sheet{n}.xml", _SHEET_START.format(prologue="")
                             + _SHEET_END)  # fmt: skip
    return path


def _chunks(rows: Iterable[Iterable[str]], numbered: bool, size: int = 20_000) -> Iterator[bytes]:
    buffer: list[str] = []
    for number, cells in enumerate(rows, start=1):
        buffer.append(_row(number, cells, numbered))
        if len(buffer) == size:
            yield "".join(buffer).encode()
            buffer = []
    if buffer:
        yield "".join(buffer).encode()


def contact_rows(count: int) -> Iterator[list[str]]:
    """A HubSpot-shaped header and `count` invented contacts."""
    yield ["Record ID", "First Name", "Last Name", "Email", "Lifecycle Stage"]
    for number in range(count):
        yield [str(100_000 + number), "Anouk", "Visser", f"a.visser{number}@ziggo.nl", "lead"]


def noted_rows(count: int, words: int) -> Iterator[list[str]]:
    """Contacts with a long note each: a sheet that needs a lot of memory to hold."""
    yield ["Record ID", "Email", "Notes"]
    for number in range(count):
        yield [str(number), f"a{number}@ziggo.nl", f"note {number} " * words]


def one_cell_rows(count: int) -> Iterator[list[str]]:
    """The zip bomb's sheet: a header, then `count` rows of one tiny cell."""
    yield ["Record ID", "Email"]
    for _ in range(count):
        yield ["x"]


ENTITY_PROLOGUE = (
    '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>\n'
)


def wide_csv(path: Path, columns: int, rows: int = 2) -> Path:
    """A CSV whose header has `columns` columns (the first is Record ID, the second Email)."""
    header = ["Record ID", "Email", *(f"P{n}" for n in range(columns - 2))]
    with path.open("w", encoding="utf-8") as handle:
        handle.write(",".join(header) + "\n")
        for number in range(rows):
            handle.write(",".join([str(1000 + number), f"p{number}@ziggo.nl"]
                                  + [""] * (columns - 2)) + "\n")  # fmt: skip
    return path
