"""Screen a list against the CRM before it is imported: who is new and valid, who is already in,
who must not come in at all.

The list is read like an export (any format, the user's column mappings, a record id optional),
normalized and validated like a month, matched against the latest stored month's contacts with
the same duplicate rules (so "Jo de Vries, KAM" finds "Johanna de Vries, Key Account Manager"),
and checked against the suppression list by keyed hash. Each row lands in one file:

- reject: on the suppression list (the row says `suppressed`, never why: the list must not
  reveal who unsubscribed or asked to be erased), or a reason not to import it: an invalid,
  disposable or role address, no way to reach the person, a test record, unsubscribed, a second
  row of someone earlier in the list, a value a spreadsheet would run as a formula;
- already in the CRM: the CRM record id to update instead, and any problem of the list's row
  (a test record or a formula-like value is rejected even when it matches: it is no person);
- accept: new, valid people, cleaned, in the target CRM's import shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from hygiene_pipeline.crm_files.action_files import crm_records
from hygiene_pipeline.dedupe.config import DedupeConfig
from hygiene_pipeline.dedupe.find import find_duplicate_clusters, input_columns
from hygiene_pipeline.ingest.formats import CrmFormat
from hygiene_pipeline.ingest.limits import IngestLimits
from hygiene_pipeline.ingest.month_exports import RECORD_INDEX, read_file
from hygiene_pipeline.normalize.contacts import normalize_with_changes
from hygiene_pipeline.prune.suppression import email_hmacs
from hygiene_pipeline.store import HygieneStore
from hygiene_pipeline.validate.contacts import validate_contacts
from hygiene_pipeline.validate.dns_check import DomainLookup

# The import columns of each CRM's contact (or lead) import, by canonical field.
IMPORT_HEADERS: dict[str, dict[str, str]] = {
    "hubspot": {"first_name": "First Name", "last_name": "Last Name", "email": "Email",
                "phone": "Phone Number", "company": "Company Name", "job_title": "Job Title",
                "country": "Country/Region"},
    "salesforce": {"first_name": "FirstName", "last_name": "LastName", "email": "Email",
                   "phone": "Phone", "company": "Company", "job_title": "Title",
                   "country": "Country"},
    "pipedrive": {"first_name": "Person - First name", "last_name": "Person - Last name",
                  "email": "Person - Email", "phone": "Person - Phone",
                  "company": "Person - Organization", "job_title": "Person - Job title",
                  "country": "Person - Country"},
}  # fmt: skip
_PLAIN_HEADERS = {name: name for name in IMPORT_HEADERS["hubspot"]}
_LIST_PREFIX = "list:"  # list rows' ids, kept apart from the CRM's in one duplicate search
_FORMULA = r"^[=@\t\r]|^[+-](?:[^0-9 ]|.*[^0-9 ])"  # as in crm_files.updates


@dataclass(frozen=True)
class Screening:
    """One list screened: the three tables, and what each holds, for messages."""

    accept: pl.DataFrame
    already_in_crm: pl.DataFrame
    reject: pl.DataFrame
    target_system: str

    def files(self) -> dict[str, pl.DataFrame]:
        return {
            "accept.csv": self.accept,
            "already-in-crm.csv": self.already_in_crm,
            "reject.csv": self.reject,
        }

    def counts(self) -> dict[str, int]:
        return {name: table.height for name, table in self.files().items()}


def latest_month(store: HygieneStore) -> date | None:
    """The latest stored month of contacts: what a list is screened against."""
    if "normalized_contacts" not in store.tables():
        return None
    return store.query("SELECT max(snapshot) FROM normalized_contacts").item()


def screen_list(
    path: Path,
    *,
    store: HygieneStore,
    snapshot: date,
    today: date,
    domain_checker: DomainLookup,
    suppression_key: bytes,
    mappings: Sequence[CrmFormat] = (),
    limits: IngestLimits | None = None,
    dedupe_config: DedupeConfig | None = None,
) -> Screening:
    """Screen the list in `path` against the stored month `snapshot`."""
    read = read_file(path, mappings, limits or IngestLimits(), record_id_optional=True)
    raw = read.rows.drop(RECORD_INDEX).with_columns(
        (pl.lit(_LIST_PREFIX) + pl.col("contact_id")).alias("contact_id"),
        pl.lit(snapshot).alias("snapshot"),
    )
    files = pl.DataFrame({"source_file": [path.name], "column_mapping": [read.fmt.to_json()]})
    listed, _ = normalize_with_changes(raw, export_files=files)
    verdicts = validate_contacts(listed, today=today, domain_checker=domain_checker)
    columns = dict.fromkeys([*input_columns(dedupe_config), "source_file", "source_system"])
    month = store.read_partition("normalized_contacts", snapshot, columns=list(columns))
    matches = _matches(month, listed, dedupe_config)
    suppressed = _suppressed(store, listed, suppression_key)
    target = _target_system(store, snapshot)
    return _sorted(listed, verdicts, matches, suppressed, month, store, snapshot, target)


def _matches(
    month: pl.DataFrame, listed: pl.DataFrame, config: DedupeConfig | None
) -> pl.DataFrame:
    """Per list row in a cluster: the CRM record it is (crm_match) or the earlier list row."""
    union = pl.concat([month, listed.select(month.columns)], how="vertical_relaxed")
    clusters = find_duplicate_clusters(union, config).select(
        "contact_id", "cluster_id", "is_survivor"
    )
    members = clusters.with_columns(
        pl.col("contact_id").str.starts_with(_LIST_PREFIX).alias("from_list")
    )
    crm = (
        members.filter(~pl.col("from_list"))
        .sort("is_survivor", "contact_id", descending=[True, False])
        .group_by("cluster_id", maintain_order=True)
        .first()
        .select("cluster_id", pl.col("contact_id").alias("crm_match"))
    )
    first_listed = (
        members.filter(pl.col("from_list"))
        .sort("contact_id")
        .group_by("cluster_id", maintain_order=True)
        .first()
        .select("cluster_id", pl.col("contact_id").alias("first_in_list"))
    )
    return (
        members.filter(pl.col("from_list"))
        .join(crm, on="cluster_id", how="left")
        .join(first_listed, on="cluster_id", how="left")
        .select(
            "contact_id",
            "crm_match",
            pl.when(
                pl.col("crm_match").is_null() & (pl.col("first_in_list") != pl.col("contact_id"))
            )
            .then(pl.col("first_in_list"))
            .alias("same_as_row"),
        )
    )


def _suppressed(store: HygieneStore, listed: pl.DataFrame, key: bytes) -> pl.Series:
    """List rows whose email's keyed hash is on the suppression list (any month)."""
    if "suppression_list" not in store.tables():
        return pl.Series("contact_id", [], dtype=pl.String)
    hashes = listed.select("contact_id", email_hmacs(listed.get_column("email"), key).alias("h"))
    known = store.query("SELECT DISTINCT email_hmac AS h FROM suppression_list")
    return hashes.join(known, on="h", how="inner").get_column("contact_id")


def _target_system(store: HygieneStore, snapshot: date) -> str:
    """The CRM the month's exports came from: the list goes there."""
    systems = store.query(
        "SELECT source_system, count(*) AS n FROM normalized_contacts WHERE snapshot = $1 "
        "GROUP BY 1 ORDER BY n DESC, source_system LIMIT 1",
        [snapshot],
    )
    return systems.item(0, 0) if systems.height else "spreadsheet"


def _reasons() -> pl.Expr:
    """Every reason not to import a row, from its validation."""
    checks = {
        "invalid_email": pl.col("email_status") == "invalid",
        "disposable": pl.col("email_reasons").list.contains("disposable"),
        "role_account": pl.col("email_reasons").list.contains("role_account"),
        "unreachable": (pl.col("email_status") == "missing") & (pl.col("phone_status") != "valid"),
        "test_record": pl.col("issues").list.contains("test_record"),
        "unsubscribed": pl.col("issues").list.contains("unsubscribed"),
    }
    return pl.concat_list(
        [
            pl.when(condition.fill_null(False)).then(pl.lit(name))
            for name, condition in checks.items()
        ]
    ).list.drop_nulls()


def _sorted(
    listed: pl.DataFrame,
    verdicts: pl.DataFrame,
    matches: pl.DataFrame,
    suppressed: pl.Series,
    month: pl.DataFrame,
    store: HygieneStore,
    snapshot: date,
    target: str,
) -> Screening:
    headers = IMPORT_HEADERS.get(target, _PLAIN_HEADERS)
    rows = (
        listed.select("contact_id", "source_row", *headers)
        .join(
            verdicts.select(
                "contact_id", "email_status", "email_reasons", "phone_status", "issues"
            ),
            on="contact_id",
        )
        .join(matches, on="contact_id", how="left")
        .with_columns(
            pl.col("contact_id").is_in(suppressed.implode()).alias("_suppressed"),
            pl.any_horizontal(
                pl.col(field).cast(pl.String).fill_null("").str.contains(_FORMULA)
                for field in headers
            ).alias("_formula"),
        )
    )
    rows = rows.with_columns(_reasons().alias("_problems")).with_columns(
        pl.when(pl.col("same_as_row").is_not_null())
        .then(
            pl.col("_problems").list.concat(
                pl.concat_list(
                    pl.format(
                        "duplicate_in_list: same person as row {}",
                        pl.col("same_as_row").str.replace(f"^{_LIST_PREFIX}row-", ""),
                    )
                )
            )
        )
        .otherwise(pl.col("_problems"))
        .alias("_problems")
    )
    rows = rows.with_columns(
        pl.when(pl.col("_formula"))
        .then(pl.col("_problems").list.concat(pl.lit(["formula_like_value"])))
        .otherwise(pl.col("_problems"))
        .alias("_problems")
    ).with_columns(  # never a person: rejected even when it matches a CRM record
        (pl.col("_formula") | pl.col("_problems").list.contains("test_record")).alias("_unusable")
    )
    crm = crm_records(
        month.select("contact_id", "source_file", "email"),
        month.head(0).select("contact_id", "source_file"),
        store.read_partition("export_files", snapshot),
    ).select(pl.col("contact_id").alias("crm_match"), "crm_id", "id_header")
    id_header = crm.get_column("id_header").mode().sort().first() if crm.height else "Record ID"
    shaped = [pl.col(field).alias(header) for field, header in headers.items()]
    list_row = pl.col("source_row").cast(pl.String).alias("List row")
    reject = rows.filter(
        pl.col("_suppressed")
        | (pl.col("crm_match").is_null() & (pl.col("_problems").list.len() > 0))
        | pl.col("_unusable")
    ).select(
        list_row,
        *shaped,
        pl.when(pl.col("_suppressed"))
        .then(pl.lit("suppressed"))  # never the reason behind it
        .otherwise(pl.col("_problems").list.join("; "))
        .alias("Reasons"),
    )
    kept = rows.filter(~pl.col("_suppressed") & ~pl.col("_unusable"))
    already = (
        kept.filter(pl.col("crm_match").is_not_null())
        .join(crm, on="crm_match", how="left")
        .select(
            pl.col("crm_id").alias(id_header),
            list_row,
            *shaped,
            pl.col("_problems").list.join("; ").alias("Problems in the list"),
        )
    )
    accept = kept.filter(pl.col("crm_match").is_null() & (pl.col("_problems").list.len() == 0))
    return Screening(
        accept=accept.select(*shaped),
        already_in_crm=already,
        reject=reject,
        target_system=target,
    )
