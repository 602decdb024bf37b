"""Which CRM wrote an export, and where its columns land in the canonical contact.

A format is data, not code: its name, the headers that identify it, and for each canonical field
the export headers that may hold it (first non-blank wins). Later formats (Salesforce, Pipedrive,
user mappings) are further entries of the same shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CrmFormat:
    """How one CRM's export maps onto the canonical contact."""

    system: str
    id_column: str
    # Headers that must all be present for a file to be recognised as this format.
    signature: tuple[str, ...]
    # Canonical field -> export headers that may carry it, in order of preference.
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def matches(self, headers: Sequence[str]) -> bool:
        present = set(headers)
        return all(name in present for name in self.signature)

    def source_columns(self, canonical: str) -> tuple[str, ...]:
        return self.fields.get(canonical, ())


HUBSPOT = CrmFormat(
    system="hubspot",
    id_column="Record ID",
    signature=("Record ID", "Email"),
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
        "bounce_count": ("Marketing emails bounced",),
        "hard_bounce_reason": ("Email hard bounce reason",),
        "invalid_email_flag": ("Invalid email address",),
    },
)

KNOWN_FORMATS: tuple[CrmFormat, ...] = (HUBSPOT,)

FORMATS_BY_SYSTEM: dict[str, CrmFormat] = {fmt.system: fmt for fmt in KNOWN_FORMATS}


class UnknownExportFormatError(ValueError):
    """The header row matches no known CRM export."""


def detect_format(headers: Sequence[str], file_name: str) -> CrmFormat:
    """Recognise the CRM from the header row alone, or say what was seen and what would work."""
    for fmt in KNOWN_FORMATS:
        if fmt.matches(headers):
            return fmt
    known = "; ".join(f"{fmt.system}: {', '.join(fmt.signature)}" for fmt in KNOWN_FORMATS)
    raise UnknownExportFormatError(
        f"{file_name}: the header row matches no supported CRM export. Headers seen: "
        f"{list(headers)}. Supported formats and the headers that identify them: {known}. "
        "Export the contacts again from the CRM with these columns, or rename the columns to "
        "match one of these formats."
    )
