"""The files: HubSpot's export columns and CSV dialects, and the truth CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .dates import parse_month

HEADER: tuple[str, ...] = (
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Mobile Phone Number",
    "Company Name",
    "Job Title",
    "Contact owner",
    "Create Date",
    "Last Modified Date",
    "Lifecycle Stage",
    "Lead Status",
    "Last Activity Date",
    "Original Source",
    "Marketing emails bounced",
    "Email hard bounce reason",
    "Unsubscribed from all email",
    "Country/Region",
    "Original Source Drill-Down 1",
    "Legal basis for processing contact's data",
    "Fax Number",  # a property nobody fills: the report's junk-property audit finds it
)
DATE_COLUMNS = ("Create Date", "Last Modified Date", "Last Activity Date")

TRUTH_HEADER: tuple[str, ...] = (
    "record_id",
    "person_id",
    "kind",
    "tags",
    "related_record_id",
    "first_month",
    "last_month",
)
TRUTH_KINDS = ("original", "duplicate", "hard_negative", "role_account", "disposable", "test_junk")


@dataclass(frozen=True)
class TruthRow:
    """Who a record really is. Records of one invented person share `person_id`."""

    record_id: str
    person_id: str
    kind: str  # one of TRUTH_KINDS
    tags: str  # ";"-joined planted facts, e.g. "duplicate;dup:name_nickname;dup:email_mailto"
    related_record_id: str  # duplicate: the original; hard_negative: the look-alike; else ""
    first_month: str  # first month whose export holds the record
    last_month: str  # last month whose export holds it (earlier than the last: deleted)


@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    encoding: str  # "utf-8" or "utf-8-sig" (with BOM)
    line_terminator: str


PLAIN = CsvFormat(",", "utf-8", "\n")
EXCEL_EUROPE = CsvFormat(";", "utf-8-sig", "\r\n")


def export_format(month: str) -> CsvFormat:
    """Odd calendar months come from Excel on a European locale; even months are plain CSV."""
    return EXCEL_EUROPE if parse_month(month)[1] % 2 == 1 else PLAIN


def export_path(out_dir: Path, month: str) -> Path:
    return Path(out_dir) / month / f"hubspot-contacts-{month}.csv"


@dataclass(frozen=True)
class SampleExports:
    months: tuple[str, ...]
    rows: dict[str, list[tuple[str, ...]]]  # month -> data rows in file order (with Record ID)
    truth: list[TruthRow]

    def render(self, month: str) -> bytes:
        fmt = export_format(month)
        buffer = io.StringIO(newline="")
        writer = csv.writer(
            buffer,
            delimiter=fmt.delimiter,
            lineterminator=fmt.line_terminator,
            quoting=csv.QUOTE_MINIMAL,
        )
        writer.writerow(HEADER)
        writer.writerows(self.rows[month])
        return buffer.getvalue().encode(fmt.encoding)


def write_exports(sample: SampleExports, out_dir: Path) -> list[Path]:
    paths = []
    for month in sample.months:
        path = export_path(out_dir, month)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(sample.render(month))
        paths.append(path)
    return paths


def render_truth(truth: Sequence[TruthRow]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TRUTH_HEADER)
    for row in truth:
        writer.writerow([getattr(row, name) for name in TRUTH_HEADER])
    return buffer.getvalue().encode("utf-8")


def read_truth(path: Path) -> list[TruthRow]:
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return [TruthRow(**row) for row in csv.DictReader(handle)]
