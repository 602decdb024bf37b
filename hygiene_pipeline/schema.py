"""The table contract: the columns every stage writes, in one place.

Later stages may add columns; these names are a promise to users (docs/tables.md, "Table
contract") and are never renamed. Each stage casts its output with `conform` so an empty month
still has typed columns.
"""

from __future__ import annotations

import polars as pl

KEY_COLUMNS: dict[str, pl.DataType] = {
    "snapshot": pl.Date(),  # the partition's first day
    "contact_id": pl.String(),  # the CRM record id, as exported
}

# Added by ingest to every raw row; the remaining raw columns are the export's own, verbatim.
RAW_LINEAGE_COLUMNS: dict[str, pl.DataType] = {
    "source_file": pl.String(),  # file name relative to the month folder
    "source_row": pl.Int64(),  # spreadsheet row number: the header is row 1, first data row is 2
    "source_system": pl.String(),  # hubspot, ...
}

NORMALIZED_CONTACTS: dict[str, pl.DataType] = {
    **KEY_COLUMNS,
    **RAW_LINEAGE_COLUMNS,
    "first_name": pl.String(),
    "last_name": pl.String(),
    "email": pl.String(),  # trimmed, lower-cased; null when blank
    "phone_input": pl.String(),  # the phone text chosen from the export, trimmed; null when blank
    "phone": pl.String(),  # E.164 when phonenumbers calls it a valid number, else null
    "phone_type": pl.String(),  # mobile, fixed_line, fixed_line_or_mobile, voip, ...; null if none
    "company": pl.String(),
    "job_title": pl.String(),
    "owner": pl.String(),
    "lead_source": pl.String(),
    "lifecycle_stage": pl.String(),  # lower-case HubSpot internal values: lead, customer, ...
    "lead_status": pl.String(),
    "country": pl.String(),  # ISO 3166-1 alpha-2, null when unknown
    "created_at": pl.Datetime("us"),
    "updated_at": pl.Datetime("us"),
    "last_activity_at": pl.Datetime("us"),
    # Unsubscribed from all email: false when the file's opt-out column says nothing, null when
    # the file has no opt-out column at all (see unknown_fields).
    "unsubscribed": pl.Boolean(),
    "bounce": pl.String(),  # none, soft, hard
    "bounce_reason": pl.String(),
    # Added by issue 4 (normalization); see docs/tables.md.
    "salutation": pl.String(),  # Dr., Mr, Mevr., Prof. Dr. ... moved out of the name fields
    "name_suffix": pl.String(),  # Jr., Sr., III, PhD ... moved out of the last name
    "email_others": pl.List(pl.String()),  # further addresses from the email cell, normalized
    "email_domain": pl.String(),  # the email's domain, IDNA-normalized (Unicode form), lower-case
    "company_domain": pl.String(),  # email_domain unless it is a free-mail provider
    "phone_extension": pl.String(),  # digits of an extension written with the number
    "phone_others": pl.List(pl.String()),  # further valid numbers from the phone cell, E.164
    "company_key": pl.String(),  # lower-case ASCII, legal forms and punctuation removed
    "job_function": pl.String(),  # sales, marketing, finance, it, hr, operations, ...
    "job_seniority": pl.String(),  # owner, c_level, vp, director, head, manager, senior, junior
    "first_name_ascii": pl.String(),  # lower-case ASCII; Greek per ELOT 743; ü -> ue
    "last_name_ascii": pl.String(),
    "first_name_canonical": pl.String(),  # nickname-canonical first_name_ascii: bob -> robert
    "last_name_phonetic": pl.String(),  # Metaphone of last_name_ascii
    # Added by issue 15 (exports understood or refused).
    "legal_basis": pl.String(),  # the CRM's legal basis for processing, as exported
    "source_detail": pl.String(),  # what created the record: HubSpot's source drill-down 1
    # Facts that decide actions the contact's export file cannot tell: lifecycle_stage (so its
    # protection is unknown), unsubscribed, bounce; and legal_basis (no consent column). The
    # prune list acts safely on them.
    "unknown_fields": pl.List(pl.String()),
}

# One row per field that normalization changed, per contact: before (the source value as read
# from the export) and after (the normalized value), and the rule that changed it.
NORMALIZATION_CHANGES: dict[str, pl.DataType] = {
    **KEY_COLUMNS,
    "field": pl.String(),
    "before": pl.String(),
    "after": pl.String(),
    "rule": pl.String(),
}

DUPLICATE_CLUSTERS: dict[str, pl.DataType] = {
    **KEY_COLUMNS,
    "cluster_id": pl.String(),  # stable: derived from the members' ids, not from run order
    "is_survivor": pl.Boolean(),
    "score": pl.Float64(),  # best pair score linking this member to its cluster, 0..1
    "match_evidence": pl.String(),  # why the best pair matched, e.g. "email=same;name=0.97"
}

EMAIL_STATUSES = ("valid", "invalid", "risky", "unknown", "missing")
PHONE_STATUSES = ("valid", "invalid", "placeholder", "missing")

VALIDATION_RESULTS: dict[str, pl.DataType] = {
    **KEY_COLUMNS,
    "email_status": pl.String(),
    "email_reasons": pl.List(pl.String()),
    "email_suggestion": pl.String(),
    "phone_status": pl.String(),
    "issues": pl.List(pl.String()),
}

PRUNE_ACTIONS = ("delete", "merge", "quarantine", "re_engage")

PRUNE_LIST: dict[str, pl.DataType] = {
    **KEY_COLUMNS,
    "action": pl.String(),
    "reasons": pl.List(pl.String()),
    "merge_into": pl.String(),
}


def conform(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """Select and cast `frame` to `schema`, in its order, failing loudly on a missing column."""
    missing = [name for name in schema if name not in frame.columns]
    if missing:
        raise ValueError(f"output is missing contract columns {missing}; has {frame.columns}")
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


def empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """A typed, zero-row frame: an empty month still writes a readable table."""
    return pl.DataFrame(schema=schema)
