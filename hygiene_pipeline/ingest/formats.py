"""Which CRM wrote an export, and where its columns land in the canonical contact.

A format is data, not code: its name, the headers that identify it, its record-id column, and for
each canonical source field the export headers that may hold it (first non-blank wins). User
column mappings (`column_mapping.py`) are further formats of the same shape, tried first.
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
    "bounce_reason", "hard_bounce_reason", "invalid_email",
)  # fmt: skip

DATE_ORDERS = ("auto", "day_first", "month_first")


@dataclass(frozen=True)
class CrmFormat:
    """How one kind of export maps onto the canonical contact."""

    name: str  # hubspot, salesforce-lead, ..., or mapping:<file stem>
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
        )


HUBSPOT = CrmFormat(
    name="hubspot",
    system="hubspot",
    id_columns=("Record ID",),
    # Both the all-properties and the short default-view export carry Email and one of these.
    signature=("Email",),
    markers=("Record ID", "Contact owner", "Lifecycle Stage", "Associated Company",
             "Marketing emails bounced", "Unsubscribed from all email", "Original Source"),
    fields={
        "first_name": ("First Name",),
        "last_name": ("Last Name",),
        "email": ("Email",),
        "phone": ("Phone Number", "Mobile Phone Number"),
        "company": ("Company Name", "Associated Company"),
        "job_title": ("Job Title",),
        "owner": ("Contact owner",),
        "lead_source": ("Original Source",),
        "lifecycle_stage": ("Lifecycle Stage",),
        "lead_status": ("Lead Status",),
        "country": ("Country/Region",),
        "created_at": ("Create Date",),
        "updated_at": ("Last Modified Date",),
        "last_activity_at": ("Last Activity Date", "Last Engagement Date", "Last Contacted"),
        "unsubscribed": ("Unsubscribed from all email",),
        "bounced": ("Marketing emails bounced",),
        "hard_bounce_reason": ("Email hard bounce reason",),
        "invalid_email": ("Invalid email address",),
    },
)  # fmt: skip

# Salesforce data exports (Data Loader, weekly export) use API names.
_SALESFORCE_API_FIELDS = {
    "first_name": ("FirstName",),
    "last_name": ("LastName",),
    "email": ("Email",),
    "phone": ("Phone", "MobilePhone"),
    "job_title": ("Title",),
    "owner": ("OwnerId",),
    "lead_source": ("LeadSource",),
    "created_at": ("CreatedDate",),
    "updated_at": ("LastModifiedDate",),
    "last_activity_at": ("LastActivityDate",),
    "unsubscribed": ("HasOptedOutOfEmail",),
    "bounced": ("IsEmailBounced",),
    "bounce_reason": ("EmailBouncedReason",),
}

SALESFORCE_LEAD = CrmFormat(
    name="salesforce-lead",
    system="salesforce",
    id_columns=("Id",),
    signature=("Id", "LastName", "Company"),
    markers=("Status", "IsConverted", "LeadSource", "HasOptedOutOfEmail", "Email"),
    fields={**_SALESFORCE_API_FIELDS, "company": ("Company",), "lead_status": ("Status",),
            "country": ("Country",)},
    constants={"lifecycle_stage": "lead"},
)  # fmt: skip

SALESFORCE_CONTACT = CrmFormat(
    name="salesforce-contact",
    system="salesforce",
    id_columns=("Id",),
    signature=("Id", "LastName"),
    markers=("AccountId", "HasOptedOutOfEmail", "IsEmailBounced", "MailingCountry", "OwnerId"),
    # A Contact export has no company name, only AccountId: the company stays blank.
    fields={**_SALESFORCE_API_FIELDS, "country": ("MailingCountry",)},
)

# Report exports use the display labels of the report's columns.
_SALESFORCE_REPORT_FIELDS = {
    "first_name": ("First Name",),
    "last_name": ("Last Name",),
    "email": ("Email",),
    "phone": ("Phone", "Mobile"),
    "job_title": ("Title",),
    "lead_source": ("Lead Source",),
    "created_at": ("Created Date",),
    "updated_at": ("Last Modified Date",),
    "last_activity_at": ("Last Activity",),
    "unsubscribed": ("Email Opt Out",),
    "bounce_reason": ("Email Bounced Reason",),
    "bounced": ("Email Bounced Date",),
}

SALESFORCE_LEAD_REPORT = CrmFormat(
    name="salesforce-lead-report",
    system="salesforce",
    id_columns=("Lead ID",),
    signature=("First Name", "Last Name"),
    markers=("Lead ID", "Lead Owner", "Company / Account", "Lead Status"),
    fields={**_SALESFORCE_REPORT_FIELDS, "company": ("Company / Account", "Company"),
            "owner": ("Lead Owner",), "lead_status": ("Lead Status",), "country": ("Country",)},
    constants={"lifecycle_stage": "lead"},
)  # fmt: skip

SALESFORCE_CONTACT_REPORT = CrmFormat(
    name="salesforce-contact-report",
    system="salesforce",
    id_columns=("Contact ID",),
    signature=("First Name", "Last Name"),
    markers=("Contact ID", "Contact Owner", "Account Name", "Mailing Country"),
    fields={**_SALESFORCE_REPORT_FIELDS, "company": ("Account Name",),
            "owner": ("Contact Owner",), "country": ("Mailing Country",)},
)  # fmt: skip

PIPEDRIVE = CrmFormat(
    name="pipedrive",
    system="pipedrive",
    id_columns=("Person - ID",),
    signature=("Person - Name",),
    fields={
        "first_name": ("Person - First name",),
        "last_name": ("Person - Last name",),
        "full_name": ("Person - Name",),
        "email": ("Person - Email - Work", "Person - Email - Home", "Person - Email - Other"),
        "phone": ("Person - Phone - Work", "Person - Phone - Mobile", "Person - Phone - Home",
                  "Person - Phone - Other"),
        "company": ("Person - Organization",),
        "job_title": ("Person - Job title",),
        "owner": ("Person - Owner",),
        "lifecycle_stage": ("Person - Labels",),
        "country": ("Person - Country",),
        "created_at": ("Person - Add time",),
        "updated_at": ("Person - Update time",),
        "last_activity_at": ("Person - Last activity date",),
        # Pipedrive writes Subscribed / Unsubscribed / No consent / Archived; no bounce data.
        "marketing_status": ("Person - Marketing status",),
    },
)  # fmt: skip

# Order matters: the first match wins, so the more specific signature comes first.
KNOWN_FORMATS: tuple[CrmFormat, ...] = (
    HUBSPOT,
    SALESFORCE_LEAD,
    SALESFORCE_CONTACT,
    SALESFORCE_LEAD_REPORT,
    SALESFORCE_CONTACT_REPORT,
    PIPEDRIVE,
)

FORMATS_BY_NAME: dict[str, CrmFormat] = {fmt.name: fmt for fmt in KNOWN_FORMATS}


class UnknownExportFormatError(ValueError):
    """The header row matches no known CRM export and no column mapping."""


class AmbiguousMappingError(ValueError):
    """Two column mappings claim the same file."""


def detect_format(
    headers: Sequence[str], file_name: str, mappings: Sequence[CrmFormat] = ()
) -> CrmFormat:
    """Recognise the export from its header row: user mappings first, then the built-in CRMs."""
    claimed = [fmt for fmt in mappings if fmt.matches(headers, file_name)]
    if len(claimed) > 1:
        raise AmbiguousMappingError(
            f"{file_name}: the column mappings {[fmt.defined_in for fmt in claimed]} all match "
            "this file. Give them different `match` headers or a `files` pattern."
        )
    if claimed:
        return claimed[0]
    for fmt in KNOWN_FORMATS:
        if fmt.matches(headers, file_name):
            return fmt
    raise UnknownExportFormatError(unknown_format_message(headers, file_name))


def unknown_format_message(headers: Sequence[str], file_name: str) -> str:
    known = "; ".join(
        f"{fmt.name}: {', '.join(fmt.signature)}"
        + (f" and one of {', '.join(fmt.markers)}" if fmt.markers else "")
        for fmt in KNOWN_FORMATS
    )
    return (
        f"{file_name}: the header row matches no supported CRM export. Headers seen: "
        f"{list(headers)}. Supported formats and the headers that identify them: {known}. "
        "For any other spreadsheet, write a column mapping: a YAML file in "
        "column_mappings/ beside exports/ that names the record-id column and which of your "
        "headers hold the email, names, phone and dates (see docs/exports.md, 'Column "
        "mappings', and data/column_mappings/example-spreadsheet.yaml)."
    )


def formats_from_export_files(export_files: pl.DataFrame | None) -> dict[str, CrmFormat]:
    """File name -> the format it was read with, from the export_files table's rows."""
    if export_files is None or export_files.height == 0:
        return {}
    return {
        name: CrmFormat.from_json(mapping)
        for name, mapping in export_files.select("source_file", "column_mapping").iter_rows()
    }


def built_in_format_for(system: str, headers: Sequence[str]) -> CrmFormat | None:
    """The built-in format of `system` these headers fit, for rows read without export_files."""
    candidates = [fmt for fmt in KNOWN_FORMATS if fmt.system == system]
    if len(candidates) == 1:
        return candidates[0]
    return next((fmt for fmt in candidates if fmt.matches(headers, "")), None)
