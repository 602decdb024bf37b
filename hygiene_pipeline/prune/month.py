"""One month's prune step end to end: gather history, decide, suppress, purge erased people.

Everything is written in one transaction: the month's prune list, its suppression entries, the
register of erased records, and the purge of erased people from every stored month. A crash leaves
all of it as it was.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from hygiene_pipeline import schema
from hygiene_pipeline.months import month_end
from hygiene_pipeline.normalize.mailboxes import is_free_mail
from hygiene_pipeline.prune.erasure import names_erased, read_erasure_requests
from hygiene_pipeline.prune.policy import PrunePolicy
from hygiene_pipeline.prune.rules import (
    CLUSTER_COLUMNS,
    CONTACT_COLUMNS,
    VALIDATION_COLUMNS,
    MonthHistory,
    build_prune_list,
)
from hygiene_pipeline.prune.suppression import SUPPRESS_REASONS, SUPPRESSION_LIST, email_hmacs
from hygiene_pipeline.store import HygieneStore, Purge

# Records erased on request in a month: kept so a rerun still lists their deletion for the CRM,
# although their rows are gone. The CRM record id is all that stays (no name, no email).
ERASED_CONTACTS = {
    "snapshot": pl.Date(),
    "contact_id": pl.String(),
    "source_system": pl.String(),
    "source_file": pl.String(),  # which export's import shape the deletion goes back in
}
REGISTERS = ("suppression_list", "erased_contacts")
# What this step reads of the month's contacts: the rules' inputs plus the erasure lineage.
_CONTACT_COLUMNS = (*CONTACT_COLUMNS, "source_system")


@dataclass
class PruneOutcome:
    """What the month's prune step decided and wrote."""

    prune_list: pl.DataFrame
    suppression_entries: pl.DataFrame
    erased_contacts: pl.DataFrame
    purged_rows: dict[str, int] = field(default_factory=dict)


def prune_month(
    store: HygieneStore,
    snapshot: date,
    *,
    policy: PrunePolicy,
    suppression_key: bytes,
    erasure_register: Path,
) -> PruneOutcome:
    """Decide the month's prune list from stored stages and earlier months, and store it."""
    # Only the columns used: normalized_contacts is wide, and reading all of it took seconds.
    contacts = store.read_partition("normalized_contacts", snapshot, columns=_CONTACT_COLUMNS)
    clusters = store.read_partition("duplicate_clusters", snapshot, columns=CLUSTER_COLUMNS)
    validation = store.read_partition("validation_results", snapshot, columns=VALIDATION_COLUMNS)
    existing = set(store.tables())
    erasure_emails = read_erasure_requests(erasure_register)
    hashes = email_hmacs(contacts["email"], suppression_key)
    history = MonthHistory(
        erasure_emails=erasure_emails,
        earlier_re_engage=_earlier_re_engage(store, snapshot, policy, existing),
        suppressed=_suppressed(store, snapshot, contacts, hashes, existing),
    )
    prune = build_prune_list(
        contacts, clusters, validation, today=month_end(snapshot), policy=policy, history=history
    )
    erased = _erased_contacts(store, snapshot, contacts, erasure_emails, existing)
    prune = _with_earlier_erasures(prune, erased, snapshot)
    entries = _suppression_entries(
        snapshot, prune, contacts, hashes, erasure_emails, suppression_key
    )
    purge = Purge(
        contacts=_purge_targets(store, erased, erasure_emails, existing),
        texts=tuple(sorted(erasure_emails)),
        domains=_personal_domains(contacts, erasure_emails),
        keep_tables=REGISTERS,
    )
    purged = store.replace_partition(
        snapshot,
        {"prune_list": prune, "suppression_list": entries, "erased_contacts": erased},
        purge=purge,
    )
    return PruneOutcome(prune, entries, erased, purged)


def _earlier_re_engage(
    store: HygieneStore, snapshot: date, policy: PrunePolicy, existing: set[str]
) -> pl.DataFrame:
    """Latest earlier month, at least the grace period back, in which each contact was re_engage."""
    if "prune_list" not in existing:
        return pl.DataFrame(schema={"contact_id": pl.String(), "re_engaged_on": pl.Date()})
    latest = snapshot - timedelta(days=policy.re_engage_grace_days)
    return store.query(
        "SELECT contact_id, max(snapshot) AS re_engaged_on FROM prune_list "
        "WHERE snapshot <= $1 AND snapshot < $2 AND action = 're_engage' GROUP BY contact_id",
        [latest, snapshot],
    )


def _suppressed(
    store: HygieneStore,
    snapshot: date,
    contacts: pl.DataFrame,
    hashes: pl.Series,
    existing: set[str],
) -> pl.DataFrame:
    """Contacts whose email hash was put on the list in an earlier month: when and why."""
    empty = {
        "contact_id": pl.String(),
        "suppressed_since": pl.Date(),
        "suppressed_reason": pl.String(),
    }
    if "suppression_list" not in existing:
        return pl.DataFrame(schema=empty)
    entries = store.query(
        "SELECT email_hmac, min(snapshot) AS suppressed_since, "
        "arg_min(reason, snapshot) AS suppressed_reason "
        "FROM suppression_list WHERE snapshot < $1 GROUP BY email_hmac",
        [snapshot],
    )
    return (
        contacts.select("contact_id", hashes)
        .join(entries, on="email_hmac", how="inner")
        .select(list(empty))
        .cast(empty)
    )


def _erased_contacts(
    store: HygieneStore,
    snapshot: date,
    contacts: pl.DataFrame,
    erasure_emails: frozenset[str],
    existing: set[str],
) -> pl.DataFrame:
    """This month's erased records: found now, plus those an earlier run already purged."""
    found = contacts.filter(names_erased(erasure_emails)).select(
        "snapshot", "contact_id", "source_system", "source_file"
    )
    earlier = (
        store.read_partition("erased_contacts", snapshot)
        if "erased_contacts" in existing
        else schema.empty(ERASED_CONTACTS)
    )
    both = pl.concat(
        [schema.conform(found, ERASED_CONTACTS), schema.conform(earlier, ERASED_CONTACTS)]
    )
    return both.unique(["contact_id"], keep="first").sort("contact_id")


def _with_earlier_erasures(
    prune: pl.DataFrame, erased: pl.DataFrame, snapshot: date
) -> pl.DataFrame:
    """Erased records whose rows an earlier run purged still need their deletion in the CRM."""
    if erased.height == 0:  # the usual month: no need to hash every listed contact_id
        return prune
    missing = erased.filter(~pl.col("contact_id").is_in(prune["contact_id"].implode()))
    if missing.height == 0:
        return prune
    rows = missing.select(
        pl.lit(snapshot).alias("snapshot"),
        "contact_id",
        pl.lit("delete").alias("action"),
        pl.lit(["erasure_request"]).alias("reasons"),
        pl.lit(None, dtype=pl.String).alias("merge_into"),
    )
    return pl.concat([prune, schema.conform(rows, schema.PRUNE_LIST)]).sort("contact_id")


def _suppression_entries(
    snapshot: date,
    prune: pl.DataFrame,
    contacts: pl.DataFrame,
    hashes: pl.Series,
    erasure_emails: frozenset[str],
    key: bytes,
) -> pl.DataFrame:
    """Hashes of emails deleted for unsubscribe, hard bounce or erasure; every erasure request."""
    # Each reason's rule name, extracted once rather than once per suppressing rule.
    rule_names = pl.col("reasons").list.eval(pl.element().str.extract(r"^([a-z_]+)"))
    deleted = (
        prune.filter(pl.col("action") == "delete")
        .with_columns(rule_names.alias("_rules"))
        .with_columns(
            pl.coalesce(
                [
                    pl.when(pl.col("_rules").list.contains(rule)).then(pl.lit(rule))
                    for rule in SUPPRESS_REASONS
                ]
            ).alias("reason")
        )
        .filter(pl.col("reason").is_not_null())
        .join(contacts.select("contact_id", hashes), on="contact_id", how="inner")
        .filter(pl.col("email_hmac").is_not_null())
        .select("email_hmac", "reason")
    )
    requests = pl.DataFrame({"email": sorted(erasure_emails)}, schema={"email": pl.String()})
    requested = requests.select(
        email_hmacs(requests["email"], key), pl.lit("erasure_request").alias("reason")
    )
    entries = (
        pl.concat([requested, deleted])
        .unique("email_hmac", keep="first", maintain_order=True)
        .sort("email_hmac")
        .with_columns(pl.lit(snapshot).alias("snapshot"))
    )
    return schema.conform(entries, SUPPRESSION_LIST)


def _personal_domains(contacts: pl.DataFrame, erasure_emails: frozenset[str]) -> tuple[str, ...]:
    """Erased people's own domains (jan@jansen.nl): not free-mail, used by nobody else this month.

    Such a domain says who the person is, so its DNS cache entry goes too (in IDNA form as well).
    Only the requests' own domains are looked up among the other contacts' emails.
    """
    own = {email.rpartition("@")[2] for email in erasure_emails}
    candidates = sorted(domain for domain in own if domain and not is_free_mail(domain))
    if not candidates:
        return ()
    domain = pl.col("email").str.split("@").list.last()
    used = set(
        contacts.filter(~names_erased(erasure_emails))
        .select(domain.alias("domain"))
        .filter(pl.col("domain").is_in(candidates))["domain"]
        .to_list()
    )
    found: set[str] = set()
    for candidate in candidates:
        if candidate not in used:
            found.add(candidate)
            with contextlib.suppress(UnicodeError):  # not IDNA-encodable: the form above serves
                found.add(candidate.encode("idna").decode("ascii"))
    return tuple(sorted(found))


def _purge_targets(
    store: HygieneStore,
    erased: pl.DataFrame,
    erasure_emails: frozenset[str],
    existing: set[str],
) -> pl.DataFrame:
    """Every (snapshot, contact_id) of an erased person in any month: by email or by record id."""
    empty = pl.DataFrame(schema={"snapshot": pl.Date(), "contact_id": pl.String()})
    if "normalized_contacts" not in existing or (not erasure_emails and erased.height == 0):
        return empty
    frame = store.query(
        "SELECT DISTINCT snapshot, contact_id FROM normalized_contacts "
        "WHERE list_contains($1, email) OR list_has_any($1, email_others) "
        "OR list_contains($2, source_system || ':' || contact_id)",
        [
            sorted(erasure_emails),
            erased.select(pl.format("{}:{}", "source_system", "contact_id")).to_series().to_list(),
        ],
    )
    return frame if frame.height else empty
