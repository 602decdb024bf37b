"""Stage frames for tests, with realistic defaults: only what a test is about needs spelling out."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from hygiene_pipeline import schema
from hygiene_pipeline.validate.email_rules import SYNTAX_COLUMNS, AddressSyntax, check_syntax_frame

RECENT = datetime(2026, 10, 20, 10, 0)

# The documented asset graph: each asset and the assets it reads. prune_list reads earlier
# months' lists, so it depends on itself (previous month): backfills run the months in order.
EXPECTED_UPSTREAM: dict[str, set[str]] = {
    "raw_contacts": set(),
    "normalized_contacts": {"raw_contacts"},
    "duplicate_clusters": {"normalized_contacts"},
    "validation_results": {"normalized_contacts"},
    "prune_list": {"duplicate_clusters", "validation_results", "prune_list"},
    "crm_import_files": {"prune_list"},
    "hygiene_report": {
        "duplicate_clusters",
        "validation_results",
        "prune_list",
        "crm_import_files",
    },
}
_CONTACT_DEFAULTS = {
    "source_file": "export.csv", "source_row": 2, "source_system": "hubspot",
    "first_name": "Sanne", "last_name": "de Graaf", "email": None, "phone_input": None,
    "phone": None, "phone_type": None, "company": "Brouwer Logistiek B.V.", "job_title": None,
    "owner": "Jan Peeters", "lead_source": "Organic Search", "lifecycle_stage": "lead",
    "lead_status": None, "country": "NL", "created_at": datetime(2024, 1, 10),
    "updated_at": RECENT, "last_activity_at": RECENT, "unsubscribed": False, "bounce": "none",
    "bounce_reason": None,
}  # fmt: skip


def contacts_frame(snapshot: date, rows: list[dict]) -> pl.DataFrame:
    """normalized_contacts rows: each dict overrides the defaults (contact_id is required)."""
    blank = dict.fromkeys(schema.NORMALIZED_CONTACTS)  # columns a test does not name are null
    full = [{**blank, "snapshot": snapshot, **_CONTACT_DEFAULTS, **row} for row in rows]
    return schema.conform(pl.DataFrame(full), schema.NORMALIZED_CONTACTS)


def validation_frame(
    contacts: pl.DataFrame, overrides: dict[str, dict] | None = None
) -> pl.DataFrame:
    """validation_results: valid email and phone for everyone unless overridden per contact_id."""
    overrides = overrides or {}
    rows = [
        {"snapshot": snapshot, "contact_id": contact_id, "email_status": "valid",
         "email_reasons": [], "email_suggestion": None, "phone_status": "valid", "issues": [],
         **overrides.get(contact_id, {})}
        for snapshot, contact_id in contacts.select("snapshot", "contact_id").iter_rows()
    ]  # fmt: skip
    return schema.conform(pl.DataFrame(rows), schema.VALIDATION_RESULTS)


def clusters_frame(snapshot: date, rows: list[tuple[str, str, bool]]) -> pl.DataFrame:
    """duplicate_clusters from (contact_id, cluster_id, is_survivor) triples."""
    if not rows:
        return schema.empty(schema.DUPLICATE_CLUSTERS)
    frame = pl.DataFrame(
        [{"snapshot": snapshot, "contact_id": cid, "cluster_id": cluster, "is_survivor": keep,
          "score": 0.97, "match_evidence": "email=same"} for cid, cluster, keep in rows]
    )  # fmt: skip
    return schema.conform(frame, schema.DUPLICATE_CLUSTERS)


def prune_frame(snapshot: date, rows: list[tuple[str, str, list[str], str | None]]) -> pl.DataFrame:
    """prune_list from (contact_id, action, reasons, merge_into) tuples."""
    frame = pl.DataFrame(
        [{"snapshot": snapshot, "contact_id": cid, "action": action, "reasons": reasons,
          "merge_into": into} for cid, action, reasons, into in rows],
        schema={"snapshot": pl.Date, "contact_id": pl.String, "action": pl.String,
                "reasons": pl.List(pl.String), "merge_into": pl.String},
    )  # fmt: skip
    return schema.conform(frame, schema.PRUNE_LIST)


def blank_contact(snapshot: date, contact_id: str, **fields: object) -> dict[str, object]:
    """A normalized_contacts row with only `fields` set (every other column null): dedupe
    tests spell out each field the matcher may read."""
    unknown = set(fields) - set(schema.NORMALIZED_CONTACTS)
    assert not unknown, f"not contract columns: {unknown}"
    row: dict[str, object] = dict.fromkeys(schema.NORMALIZED_CONTACTS)
    row.update(snapshot=snapshot, contact_id=contact_id, unsubscribed=False)
    row.update(fields)
    return row


def blank_contacts_frame(*rows: dict[str, object]) -> pl.DataFrame:
    """normalized_contacts from `blank_contact` rows, typed as the contract says."""
    return pl.DataFrame(list(rows), schema=schema.NORMALIZED_CONTACTS)


def syntax_by_address(emails: list[str]) -> dict[str, AddressSyntax]:
    """`check_syntax_frame` as one AddressSyntax per distinct address, to compare with
    `check_syntax` address by address."""
    distinct = pl.Series("email", emails, dtype=pl.String()).unique(maintain_order=True)
    return {
        row[0]: AddressSyntax(*row[1:])
        for row in check_syntax_frame(distinct).select(list(SYNTAX_COLUMNS)).iter_rows()
    }
