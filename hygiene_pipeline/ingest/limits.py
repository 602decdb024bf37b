"""Ceilings every export must stay under before the expensive work starts, and the child process
that parses it.

A spreadsheet from a stranger (a trade fair, a purchased list) can be a zip bomb or a sheet of
30 million rows; a CSV can have 300,000 columns. Each limit is checked as early as it can be
(the zip directory before any XML is parsed, the header before the rows), and a file over one is
refused with the file, the limit and how to proceed; the month's other files still load. Behind
the limits, each file is parsed in a child process with an address-space and CPU-time limit, so
a bomb nobody foresaw ends as "the file needed more than N GiB" for that file, not as the kernel
killing the run and its neighbours.

Defaults suit CRM exports of a few million contacts; `$HYGIENE_DATA_DIR/ingest_limits.yaml`
overrides any of them (validated: an unknown key or a value out of range fails the run).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import yaml

LIMITS_FILE = "ingest_limits.yaml"
EXCEL_MAX_ROWS = 1_048_576  # Excel's own ceiling: a sheet with more rows was not made by Excel
EXCEL_MAX_COLUMNS = 16_384


class LimitsError(ValueError):
    """A limits file that cannot be used; the message names the file and the setting."""


@dataclass(frozen=True)
class IngestLimits:
    """What one export file may be. Every number is documented in docs/reliability.md."""

    # Every format.
    max_columns: int = 5_000  # HubSpot's all-properties export has about 1,500
    max_header_chars: int = 1_000  # one header name
    max_rows: int = 5_000_000  # data records of one file
    max_file_mib: int = 4_096  # a CSV/TSV/TXT file on disk
    # Workbooks (.xlsx), read from the zip directory before any XML is parsed.
    xlsx_max_part_mib: int = 2_048  # declared uncompressed size of one part (a sheet's XML)
    xlsx_max_total_mib: int = 4_096  # all parts together
    xlsx_max_ratio: int = 200  # uncompressed / compressed size of one part
    xlsx_max_sheets: int = 50
    # The child process each file is parsed in.
    isolate_parsing: bool = True
    max_memory_gib: float = 6.0  # address space of the child
    max_cpu_seconds: int = 600

    def describe(self) -> dict[str, Any]:
        return asdict(self)


_RANGES: dict[str, tuple[float, float]] = {
    "max_columns": (10, 100_000),
    "max_header_chars": (10, 100_000),
    "max_rows": (1, 100_000_000),
    "max_file_mib": (1, 1_048_576),
    "xlsx_max_part_mib": (1, 65_536),
    "xlsx_max_total_mib": (1, 262_144),
    "xlsx_max_ratio": (2, 100_000),
    "xlsx_max_sheets": (1, 10_000),
    "max_memory_gib": (1, 1_024),  # Python with polars needs about 1 GiB of address space
    "max_cpu_seconds": (10, 86_400),
}


def load_limits(data_dir: Path | None) -> IngestLimits:
    """The defaults, with whatever `data_dir/ingest_limits.yaml` sets."""
    path = Path(data_dir) / LIMITS_FILE if data_dir is not None else None
    if path is None or not path.exists():
        return IngestLimits()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise LimitsError(f"{path}: not valid YAML: {error}") from None
    return limits_from_mapping(data, str(path))


def limits_from_mapping(data: Any, source: str = "limits") -> IngestLimits:
    if not isinstance(data, dict):
        raise LimitsError(f"{source}: expected a mapping of settings")
    known = {f.name: f for f in fields(IngestLimits)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise LimitsError(f"{source}: unknown settings {unknown}; known: {sorted(known)}")
    settings: dict[str, Any] = {}
    for name, value in data.items():
        if name == "isolate_parsing":
            if not isinstance(value, bool):
                raise LimitsError(f"{source}: isolate_parsing must be true or false")
            settings[name] = value
            continue
        low, high = _RANGES[name]
        kind = float if name == "max_memory_gib" else int
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise LimitsError(f"{source}: {name} must be a number, not {value!r}")
        if kind is int and value != int(value):
            raise LimitsError(f"{source}: {name} must be a whole number, not {value!r}")
        if not low <= value <= high:
            raise LimitsError(f"{source}: {name} must be between {low:g} and {high:g}")
        settings[name] = kind(value)
    return replace(IngestLimits(), **settings)


def refusal(file_name: str, what: str, limit: str, fix: str) -> str:
    """One message shape for every limit: the file, what it holds, the limit, how to proceed."""
    return f"{file_name}: {what}, over the limit of {limit}. {fix}"
