"""Ingest: HubSpot exports as European Excel writes them, kept verbatim, every row accounted for."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hygiene_pipeline.crm_formats import UnknownExportFormatError
from hygiene_pipeline.ingest import ExportError, read_month

OCT = date(2026, 10, 1)
HEADER = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Company Name",
    "Contact owner", "Create Date", "Lifecycle Stage", "Country/Region",
]  # fmt: skip
ROWS = [
    ["1001", "  Hélène ", "LEFÈVRE", "Helene.Lefevre@atelier-lumiere.fr ", "01 42 68 53 00",
     "Atelier Lumière SARL", "Camille Dubois", "2025-03-02 09:15", "Customer", "France"],
    ["1002", "joost", "van der berg", "joost@brouwer-logistiek.nl", "06-12345678",
     "Brouwer Logistiek B.V.", "", "2024-11-20 14:02", "Lead", "Nederland"],
    ["1003", "Dörte", "Schäfer", "", "", "Schäfer & Söhne GmbH", "Jan Peeters",
     "2026-01-05 08:00", "Subscriber", "Deutschland"],
]  # fmt: skip


def _write(path: Path, rows: list[list[str]], *, sep: str = ",", encoding: str = "utf-8",
           newline: str = "\n", header: list[str] = HEADER) -> Path:  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [sep.join(header)] + [sep.join(row) for row in rows]
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


@pytest.mark.parametrize(
    ("sep", "encoding", "newline"),
    [
        (",", "utf-8", "\n"),
        (";", "utf-8-sig", "\r\n"),
        (";", "cp1252", "\r\n"),
        ("\t", "utf-8", "\n"),
    ],
)
def test_european_excel_variants_load_verbatim(tmp_path, sep, encoding, newline):
    _write(tmp_path / "2026-10" / "contacts.csv", ROWS, sep=sep, encoding=encoding, newline=newline)
    raw, files = read_month(tmp_path, OCT)
    assert raw.height == 3
    assert files[0].delimiter == sep
    assert raw["First Name"].to_list() == ["  Hélène ", "joost", "Dörte"]  # not trimmed
    assert raw["Email"].to_list()[0] == "Helene.Lefevre@atelier-lumiere.fr "
    assert raw["Contact owner"].to_list()[1] == ""  # blank stays blank, not invented
    assert raw["contact_id"].to_list() == ["1001", "1002", "1003"]
    assert raw["source_row"].to_list() == [2, 3, 4]  # spreadsheet rows under the header
    assert set(raw["source_system"]) == {"hubspot"}
    assert set(raw["snapshot"]) == {OCT}


def test_several_files_are_combined_with_their_own_columns(tmp_path):
    _write(tmp_path / "2026-10" / "a.csv", ROWS[:2])
    short_header = ["Record ID", "First Name", "Last Name", "Email", "Last Activity Date"]
    _write(
        tmp_path / "2026-10" / "b.csv",
        [["2001", "Γιώργος", "Παπαδόπουλος", "g.papadopoulos@otenet.gr", "2026-09-30 11:00"]],
        header=short_header,
    )
    raw, files = read_month(tmp_path, OCT)
    assert [f.name for f in files] == ["a.csv", "b.csv"]
    assert raw.height == 3
    assert raw["source_file"].to_list() == ["a.csv", "a.csv", "b.csv"]
    assert raw["Last Activity Date"].to_list() == [None, None, "2026-09-30 11:00"]
    assert raw["Company Name"].to_list()[2] is None


def test_a_quoted_company_with_the_delimiter_stays_one_field(tmp_path):
    row = list(ROWS[1])
    row[5] = '"Smit, Jansen & Partners B.V."'
    _write(tmp_path / "2026-10" / "c.csv", [row])
    raw, _ = read_month(tmp_path, OCT)
    assert raw["Company Name"].to_list() == ["Smit, Jansen & Partners B.V."]


def test_missing_month_names_the_folder_it_looked_in(tmp_path):
    with pytest.raises(ExportError, match=r"2026-10.*looked in .*2026-10"):
        read_month(tmp_path, OCT)


def test_unknown_header_lists_what_it_saw(tmp_path):
    _write(tmp_path / "2026-10" / "odd.csv", [["x", "y"]], header=["Naam", "E-mailadres"])
    with pytest.raises(UnknownExportFormatError, match=r"Headers seen: \['Naam', 'E-mailadres'\]"):
        read_month(tmp_path, OCT)


def test_duplicate_record_ids_are_refused_with_their_rows(tmp_path):
    _write(tmp_path / "2026-10" / "dup.csv", [ROWS[0], ROWS[1], ROWS[0]])
    with pytest.raises(ExportError, match=r"id 1001 at rows \[2, 4\] of dup.csv"):
        read_month(tmp_path, OCT)


def test_two_columns_with_one_name_are_refused(tmp_path):
    _write(tmp_path / "2026-10" / "x.csv", [ROWS[0] + ["x"]], header=[*HEADER, "Email"])
    with pytest.raises(ExportError, match="two columns share one name"):
        read_month(tmp_path, OCT)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (",".join(HEADER).encode() + b"\n", "no contacts")],
)
def test_empty_and_header_only_files_fail_with_the_file_name(tmp_path, content, message):
    (tmp_path / "2026-10").mkdir()
    (tmp_path / "2026-10" / "export.csv").write_bytes(content)
    with pytest.raises(ExportError, match=rf"export.csv.*{message}"):
        read_month(tmp_path, OCT)


def test_rows_without_record_id_are_refused(tmp_path):
    row = list(ROWS[0])
    row[0] = " "
    _write(tmp_path / "2026-10" / "noid.csv", [row, ROWS[1]])
    with pytest.raises(ExportError, match="1 rows have no 'Record ID'"):
        read_month(tmp_path, OCT)


def test_excel_lock_files_are_ignored_and_workbooks_explained(tmp_path):
    _write(tmp_path / "2026-10" / "contacts.csv", ROWS)
    (tmp_path / "2026-10" / "~$contacts.xlsx").write_bytes(b"lock")
    raw, _ = read_month(tmp_path, OCT)
    assert raw.height == 3
    (tmp_path / "2026-10" / "contacts.xlsx").write_bytes(b"PK")
    with pytest.raises(ExportError, match=r"cannot read: \['contacts.xlsx'\]"):
        read_month(tmp_path, OCT)
