"""The validation stage: one verdict row per contact (`schema.VALIDATION_RESULTS`).

email_status, the first that applies (each finding is also named in email_reasons):

- missing: no email.
- invalid: bad syntax ("syntax: <email-validator message>"), or DNS says the domain takes no
  mail ("domain_not_found", "null_mx", "no_mail_host").
- risky: "disposable" (incl. subdomains), "role_account" (info@, sales@ ...), or "typo_domain"
  of a well-known provider (email_suggestion holds the corrected address).
- unknown: DNS could not answer ("dns_unavailable: timeout", "dns_unavailable: servfail",
  "dns_unreliable: canary gmail.com did not resolve") or "network_checks_off". A network
  problem never makes an address invalid.
- valid: otherwise. Information-only reasons may remain: "free_mail" (consumer provider) and
  "smtputf8" (non-ASCII local part: the sending system must support SMTPUTF8).

email_reasons is [] for a clean valid address. We do not probe mailboxes over SMTP, so "valid"
means "the address is well formed and its domain accepts mail", not "the mailbox exists".

phone_status: see phone_rules.py (valid, invalid, placeholder, missing).

issues, per contact, in this order:

- missing_email: no email.
- missing_phone: no phone text.
- missing_owner: no contact owner.
- missing_source: no lead source (lead_source).
- missing_company: no company.
- stale: last updated (created, when never updated) more than 12 months before `today`.
- test_record: email local part or a name is test / testing / asdf / xxx / dummy / fake (digits
  may follow), or the domain is example.com / example.org / example.net / test.com.
- bounced_but_marketable: bounced (soft or hard) or email_status invalid, yet not unsubscribed.
  Deliberately simple: normalized contacts carry no "marketing contact" status, so "still
  marketable" means "not unsubscribed" (an unknown opt-out counts as marketable, the safe side
  for a warning). "Unsubscribed but still marketable" cannot be seen without that status, so an
  unsubscribed contact gets `unsubscribed` instead. A soft bounce counts too: an issue is a
  warning to look at, not a verdict on the address.
- unsubscribed: unsubscribed from all email.

Only distinct emails, domains and (phone, country) pairs go through Python; the results are
joined back, so a million rows cost roughly one pass per distinct value.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from hygiene_pipeline import schema
from hygiene_pipeline.dns_check import UNDELIVERABLE, UNKNOWN, DomainLookup, DomainVerdict
from hygiene_pipeline.email_rules import (
    TEST_WORD_PATTERN,
    AddressSyntax,
    check_syntax_many,
    is_disposable,
    is_free_mail,
    is_role_account,
    is_test_address,
    is_test_domain,
    is_test_local_part,
    suggest_domain,
)
from hygiene_pipeline.months import months_before
from hygiene_pipeline.phone_rules import phone_statuses

STALE_AFTER_MONTHS = 12

ISSUES: tuple[str, ...] = (
    "missing_email",
    "missing_phone",
    "missing_owner",
    "missing_source",
    "missing_company",
    "stale",
    "test_record",
    "bounced_but_marketable",
    "unsubscribed",
)

_REASON_SEPARATOR = "\x1f"  # reasons travel as one string: far faster than a list per row
_EMAIL_FRAME = {
    "email": pl.String(),
    "email_status": pl.String(),
    "_reasons": pl.String(),
    "email_suggestion": pl.String(),
    "_test_email": pl.Boolean(),
}


def validate_contacts(
    contacts: pl.DataFrame, *, today: datetime.date, domain_checker: DomainLookup
) -> pl.DataFrame:
    """Validation results for `contacts` (NORMALIZED_CONTACTS columns): one row each, same order.

    `today` is the partition's end date, never the wall clock, so a rerun gives the same answer.
    `domain_checker` is a DomainChecker, or a CachedDomainChecker in front of one (dns_cache.py).
    """
    distinct_emails = contacts.get_column("email").drop_nulls().unique(maintain_order=True)
    emails = assess_emails(distinct_emails, domain_checker)
    joined = contacts.join(
        emails, on="email", how="left", validate="m:1", maintain_order="left"
    ).with_columns(
        pl.when(pl.col("email").is_null())
        .then(pl.lit("missing"))
        .otherwise(pl.col("email_status"))
        .alias("email_status"),
        pl.col("email_reasons").fill_null(pl.lit([], dtype=pl.List(pl.String()))),
        phone_statuses(contacts).alias("phone_status"),
    )
    result = joined.with_columns(_issues(today).alias("issues"))
    return schema.conform(result, schema.VALIDATION_RESULTS)


def assess_emails(emails: Iterable[str | None], domain_checker: DomainLookup) -> pl.DataFrame:
    """email, email_status, email_reasons, email_suggestion, _test_email per distinct address."""
    syntax = check_syntax_many(email for email in emails if email is not None)
    unicode_domains = {p.ascii_domain: p.domain for p in syntax.values() if p.error is None}
    domains = sorted(unicode_domains)
    verdicts = domain_checker.check(domains)
    facts = {
        domain: _domain_facts(domain, unicode_domains[domain], verdicts[domain])
        for domain in domains
    }
    columns: dict[str, list] = {name: [] for name in _EMAIL_FRAME}
    for email, parsed in syntax.items():
        if parsed.error is not None:
            local, _, domain = email.rpartition("@")
            status, reasons, suggestion = "invalid", [f"syntax: {parsed.error}"], None
            test = is_test_address(local, domain)
        else:
            domain_facts = facts[parsed.ascii_domain]
            status, reasons, typo = _judge(domain_facts, parsed)
            suggestion = f"{parsed.local_part}@{typo}" if typo else None
            test = domain_facts.test or is_test_local_part(parsed.local_part)
        values = (email, status, _REASON_SEPARATOR.join(reasons), suggestion, test)
        for name, value in zip(_EMAIL_FRAME, values, strict=True):
            columns[name].append(value)
    return pl.DataFrame(columns, schema=_EMAIL_FRAME).with_columns(
        pl.when(pl.col("_reasons") == "")
        .then(pl.lit([], dtype=pl.List(pl.String())))
        .otherwise(pl.col("_reasons").str.split(_REASON_SEPARATOR))
        .alias("email_reasons")
    )


@dataclass(frozen=True, slots=True)
class _DomainFacts:
    """Everything about an address that depends on its domain only: computed once per domain."""

    verdict: DomainVerdict
    disposable: bool
    typo: str | None  # the provider domain the writer probably meant
    free: bool
    test: bool  # example.com, test.com ...


def _domain_facts(ascii_domain: str, unicode_domain: str, verdict: DomainVerdict) -> _DomainFacts:
    return _DomainFacts(
        verdict=verdict,
        disposable=is_disposable(ascii_domain),
        typo=suggest_domain(unicode_domain),
        free=is_free_mail(ascii_domain),
        test=is_test_domain(ascii_domain),
    )


def _judge(facts: _DomainFacts, parsed: AddressSyntax) -> tuple[str, list[str], str | None]:
    """(status, reasons, suggested domain) for a syntactically valid address."""
    verdict = facts.verdict
    role = is_role_account(parsed.local_part)
    reasons = [verdict.reason] if verdict.reason else []
    if facts.disposable:
        reasons.append("disposable")
    if role:
        reasons.append("role_account")
    if facts.typo is not None:
        reasons.append("typo_domain")
    if facts.free:
        reasons.append("free_mail")
    if parsed.smtputf8:
        reasons.append("smtputf8")
    if verdict.status == UNDELIVERABLE:
        status = "invalid"
    elif facts.disposable or role or facts.typo is not None:
        status = "risky"
    elif verdict.status == UNKNOWN:
        status = "unknown"
    else:
        status = "valid"
    return status, reasons, facts.typo


def _blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")


def _is_test_word(column: str) -> pl.Expr:
    return (
        pl.col(column)
        .str.strip_chars()
        .str.to_lowercase()
        .str.contains(TEST_WORD_PATTERN)
        .fill_null(False)
    )


def stale_cutoff(today: datetime.date) -> datetime.datetime:
    """Midnight STALE_AFTER_MONTHS calendar months before `today` (29 Feb -> 28 Feb)."""
    return datetime.datetime.combine(months_before(today, STALE_AFTER_MONTHS), datetime.time())


def _issues(today: datetime.date) -> pl.Expr:
    """The issues list expression, in ISSUES order; needs the joined email columns."""
    not_unsubscribed = ~pl.col("unsubscribed").fill_null(False)
    bounced = pl.col("bounce").str.strip_chars().str.to_lowercase().is_in(["soft", "hard"])
    conditions = {
        "missing_email": pl.col("email").is_null(),
        "missing_phone": pl.col("phone_input").is_null(),
        "missing_owner": _blank("owner"),
        "missing_source": _blank("lead_source"),
        "missing_company": _blank("company"),
        "stale": pl.coalesce("updated_at", "created_at") < pl.lit(stale_cutoff(today)),
        "test_record": pl.col("_test_email").fill_null(False)
        | _is_test_word("first_name")
        | _is_test_word("last_name"),
        "bounced_but_marketable": (bounced.fill_null(False) | (pl.col("email_status") == "invalid"))
        & not_unsubscribed,
        "unsubscribed": pl.col("unsubscribed").fill_null(False),
    }
    return pl.concat_list(
        [pl.when(conditions[name]).then(pl.lit(name, dtype=pl.String())) for name in ISSUES]
    ).list.drop_nulls()
