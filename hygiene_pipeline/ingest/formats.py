"""How one export file is read: its CRM, record-id column, and the columns of each field.

A `CrmFormat` is what recognition (`recognition.py`, from the header dictionaries in `headers/`)
or a user's column mapping (`column_mapping.py`) decided for a file: for each canonical source
field the file's columns that hold it (first non-blank wins). It is stored per file in
`export_files.column_mapping`, so normalize reads the file exactly as ingest understood it.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

# The canonical source fields a format may map (normalize/source_fields.py reads each).
SOURCE_FIELDS: tuple[str, ...] = (
    "first_name", "last_name", "full_name", "email", "phone", "company", "job_title", "owner",
    "lead_source", "lifecycle_stage", "lead_status", "country", "created_at", "updated_at",
    "last_activity_at", "unsubscribed", "marketing_status", "bounced", "bounce_type",
    "bounce_reason", "hard_bounce_reason", "invalid_email", "legal_basis", "source_detail",
)  # fmt: skip

DATE_ORDERS = ("auto", "day_first", "month_first")


@dataclass(frozen=True)
class CrmFormat:
    """How one kind of export maps onto the canonical contact."""

    name: str  # hubspot, salesforce-lead, ... (headers/*.yaml), or mapping:<file stem>
    system: str  # written to source_system: hubspot, salesforce, pipedrive, or the user's name
    id_columns: tuple[str, ...]  # the record id: the first of these headers the file has
    signature: tuple[str, ...]  # headers that must all be present
    markers: tuple[str, ...] = ()  # when given, at least one must be present too
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Canonical value for a field the export has no column for (a Salesforce Lead is a lead).
    constants: Mapping[str, str] = field(default_factory=dict)
    id_prefix: str = ""  # put before every record id, for months combining CRMs whose ids overlap
    file_pattern: str | None = None  # glob on the file name; mappings may restrict themselves
    date_order: str = "auto"  # auto: decided per column from its values
    defined_in: str | None = None  # the mapping file, for messages
    base: str | None = None  # a mapping that adjusts a built-in format: that format's name
    # Facts that decide actions the file cannot tell (recognition.DECISION_FIELDS keys); None
    # for a format stored before recognition said so (then derived from `fields`).
    missing: tuple[str, ...] | None = None

    def matches(self, headers: Sequence[str], file_name: str) -> bool:
        present = set(headers)
        if self.file_pattern and not fnmatch.fnmatch(file_name, self.file_pattern):
            return False
        if not all(name in present for name in self.signature):
            return False
        return not self.markers or any(name in present for name in self.markers)

    def id_column(self, headers: Sequence[str]) -> str | None:
        present = set(headers)
        return next((name for name in self.id_columns if name in present), None)

    def source_columns(self, canonical: str) -> tuple[str, ...]:
        return self.fields.get(canonical, ())

    def to_json(self) -> str:
        """What normalize needs to read the file again, stored per file in `export_files`."""
        return json.dumps(
            {
                "name": self.name,
                "system": self.system,
                "id_columns": list(self.id_columns),
                "fields": {key: list(value) for key, value in self.fields.items()},
                "constants": dict(self.constants),
                "id_prefix": self.id_prefix,
                "date_order": self.date_order,
                **({} if self.missing is None else {"missing": list(self.missing)}),
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> CrmFormat:
        data = json.loads(text)
        return cls(
            name=data["name"],
            system=data["system"],
            id_columns=tuple(data["id_columns"]),
            signature=(),
            fields={key: tuple(value) for key, value in data["fields"].items()},
            constants=data.get("constants", {}),
            id_prefix=data.get("id_prefix", ""),
            date_order=data.get("date_order", "auto"),
            missing=tuple(data["missing"]) if "missing" in data else None,
        )


class UnknownExportFormatError(ValueError):
    """The header row matches no known CRM export and no column mapping."""


class AmbiguousMappingError(ValueError):
    """Two column mappings claim the same file."""


def formats_from_export_files(export_files: pl.DataFrame | None) -> dict[str, CrmFormat]:
    """File name -> the format it was read with, from the export_files table's rows."""
    if export_files is None or export_files.height == 0:
        return {}
    return {
        name: CrmFormat.from_json(mapping)
        for name, mapping in export_files.select("source_file", "column_mapping").iter_rows()
        if mapping is not None  # a refused file: nothing of it was loaded
    }
