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

phone_status: see phone_rules (valid, invalid, placeholder, missing).

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
- no_legal_basis: the export tells the legal basis for processing (a legal-basis column, or a
  marketing status), and this contact has none (blank, Pipedrive's "No consent"). A file that
  does not tell (`unknown_fields` holds legal_basis) raises no issue: unknown is not "none".
- job_change: the company, the company email domain, or a work address replaced by a private
  one since the contact's record in the previous stored month (`job_changes.find_job_changes`).
- created_by_sales_tool: HubSpot's source drill-down says a sales tool made the record (the
  sales extension's auto-created contacts, BCC logging): see SALES_TOOL_DETAILS.
- purchased_list: the lead source is a purchased list.

Only distinct domains, distinct phone numbers and the few unusual addresses go through Python;
the rest is polars expressions over whole columns, and lists (reasons, issues) are built once per
distinct combination and joined back.
"""

from __future__ import annotations

import datetime

import polars as pl

from hygiene_pipeline import schema
from hygiene_pipeline.months import months_before
from hygiene_pipeline.normalize.mailboxes import ROLE_ACCOUNTS, is_free_mail, is_role_account
from hygiene_pipeline.validate.dns_check import UNDELIVERABLE, UNKNOWN, DomainLookup
from hygiene_pipeline.validate.email_rules import (
    TEST_WORD_PATTERN,
    check_syntax_frame,
    is_disposable,
    is_test_address,
    is_test_domain,
    is_test_local_part,
    suggest_domains,
)
from hygiene_pipeline.validate.phone_rules import phone_statuses

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
    "no_legal_basis",
    "job_change",
    "created_by_sales_tool",
    "purchased_list",
)
# HubSpot's Original Source Drill-Down 1 values of records a sales tool created by itself.
SALES_TOOL_DETAILS = ("EXTENSION", "SALES_EXTENSION", "BCC", "SALES")

# email_reasons after the first one (the DNS verdict's, or the syntax error), in this order.
_REASON_FLAGS = ("disposable", "role_account", "typo_domain", "free_mail", "smtputf8")
_STRING_LIST = pl.List(pl.String())
_DOMAIN_FACTS = {
    "ascii_domain": pl.String(),
    "_dns_status": pl.String(),
    "_dns_reason": pl.String(),  # the verdict's email reason; null when the domain is fine
    "disposable": pl.Boolean(),
    "_typo": pl.String(),  # the provider domain the writer probably meant
    "free_mail": pl.Boolean(),
    "_test_domain": pl.Boolean(),  # example.com, test.com ...
}
# The contact columns the rules read.
_RULE_INPUTS: tuple[str, ...] = (
    "email", "phone_input", "phone", "country", "owner", "lead_source", "company", "created_at",
    "updated_at", "first_name", "last_name", "bounce", "unsubscribed", "legal_basis",
    "source_detail", "unknown_fields",
)  # fmt: skip
# The normalized_contacts columns validation reads: a caller may load just these.
INPUT_COLUMNS: tuple[str, ...] = (*schema.KEY_COLUMNS, *_RULE_INPUTS)
# Local parts of printable ASCII only: there polars' lower-casing and \d agree with Python's.
_PRINTABLE_ASCII = r"^[ -~]*$"


def validate_contacts(
    contacts: pl.DataFrame,
    *,
    today: datetime.date,
    domain_checker: DomainLookup,
    job_changes: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Validation results for `contacts` (NORMALIZED_CONTACTS columns): one row each, same order.

    `today` is the partition's end date, never the wall clock, so a rerun gives the same answer.
    `domain_checker` is a DomainChecker, or a CachedDomainChecker in front of one (dns_cache.py).
    `job_changes` (a contact_id column: `job_changes.find_job_changes`) marks `job_change`.
    """
    rows = _with_optional(contacts.select(_present(contacts, INPUT_COLUMNS)))
    changed = job_changes.get_column("contact_id") if job_changes is not None else None
    rows = rows.with_columns(
        (
            pl.col("contact_id").is_in(changed.implode()) if changed is not None else pl.lit(False)
        ).alias("_job_change")
    )
    emails = assess_emails(rows.get_column("email").drop_nulls().unique(), domain_checker)
    joined = rows.join(
        emails, on="email", how="left", validate="m:1", maintain_order="left"
    ).with_columns(
        pl.when(pl.col("email").is_null())
        .then(pl.lit("missing"))
        .otherwise(pl.col("email_status"))
        .alias("email_status"),
        pl.col("email_reasons").fill_null(pl.lit([], dtype=_STRING_LIST)),
        phone_statuses(rows).alias("phone_status"),
    )
    result = _with_issues(joined, today)
    return schema.conform(result, schema.VALIDATION_RESULTS)


def _present(contacts: pl.DataFrame, names: tuple[str, ...]) -> list[str]:
    return [name for name in names if name in contacts.columns]


def _with_optional(rows: pl.DataFrame) -> pl.DataFrame:
    """Columns added after a month was stored read as unknown: null, or every fact unknown."""
    added = {"legal_basis": pl.String(), "source_detail": pl.String()}
    rows = rows.with_columns(
        pl.lit(None, dtype=dtype).alias(name) for name, dtype in added.items() if name not in rows
    )
    if "unknown_fields" not in rows.columns:
        rows = rows.with_columns(
            pl.lit(["legal_basis"], dtype=_STRING_LIST).alias("unknown_fields")
        )
    return rows


def assess_emails(emails: pl.Series, domain_checker: DomainLookup) -> pl.DataFrame:
    """email, email_status, email_reasons, email_suggestion, _test_email per distinct address.

    The domain rules (DNS, disposable, typo, free mail) run in Python once per distinct domain;
    the per-address rules are polars expressions over the whole column, except for the few
    addresses with bad syntax or a local part that is not printable ASCII (Python rules).
    """
    syntax = check_syntax_frame(emails)
    valid = syntax.filter(pl.col("error").is_null())
    judged = pl.concat(
        [
            _judge_valid(valid, _domain_facts(valid, domain_checker)),
            _judge_invalid(syntax.filter(pl.col("error").is_not_null())),
        ]
    )
    return _with_reason_lists(judged).select(
        "email", "email_status", "email_reasons", "email_suggestion", "_test_email"
    )


def _domain_facts(valid: pl.DataFrame, domain_checker: DomainLookup) -> pl.DataFrame:
    """Everything about an address that depends on its domain only: once per (IDNA) domain."""
    # The Unicode form of each IDNA domain (typo rules read Unicode): email-validator derives
    # it from the IDNA form (idna.decode), so any of the domain's addresses gives the same.
    unicode_domains = dict(valid.select("ascii_domain", "domain").unique().iter_rows())
    domains = sorted(unicode_domains)
    verdicts = domain_checker.check(domains)
    suggestions = suggest_domains([unicode_domains[domain] for domain in domains])
    rows = [
        (
            domain,
            verdicts[domain].status,
            verdicts[domain].reason,
            is_disposable(domain),
            suggestion,
            is_free_mail(domain),
            is_test_domain(domain),
        )
        for domain, suggestion in zip(domains, suggestions, strict=True)
    ]
    return pl.DataFrame(rows, schema=_DOMAIN_FACTS, orient="row")


def _judge_valid(valid: pl.DataFrame, facts: pl.DataFrame) -> pl.DataFrame:
    """Status, suggestion, test flag and reason flags of syntactically valid addresses."""
    typo = pl.col("_typo").is_not_null()
    risky = pl.col("disposable") | pl.col("role_account") | typo
    return (
        _with_local_part_flags(valid)
        .join(facts, on="ascii_domain", how="left", validate="m:1")
        .select(
            "email",
            pl.when(pl.col("_dns_status") == UNDELIVERABLE)
            .then(pl.lit("invalid"))
            .when(risky)
            .then(pl.lit("risky"))
            .when(pl.col("_dns_status") == UNKNOWN)
            .then(pl.lit("unknown"))
            .otherwise(pl.lit("valid"))
            .alias("email_status"),
            pl.when(pl.col("_typo") != "")
            .then(pl.col("local_part") + "@" + pl.col("_typo"))
            .alias("email_suggestion"),
            (pl.col("_test_domain") | pl.col("_test_local")).alias("_test_email"),
            pl.col("_dns_reason").alias("_first_reason"),
            "disposable",
            "role_account",
            typo.alias("typo_domain"),
            "free_mail",
            "smtputf8",
        )
    )


def _with_local_part_flags(valid: pl.DataFrame) -> pl.DataFrame:
    """role_account and _test_local per address: `is_role_account` and `is_test_local_part`.

    In polars for printable ASCII local parts (nearly all), in Python for the rest.
    """
    printable = pl.col("local_part").str.contains(_PRINTABLE_ASCII)
    base = pl.col("local_part").str.splitn("+", 2).struct.field("field_0").str.to_lowercase()
    ascii_rows = valid.filter(printable).with_columns(
        role_account=base.is_in(ROLE_ACCOUNTS),
        _test_local=base.str.contains(TEST_WORD_PATTERN),
    )
    other_rows = valid.filter(~printable)
    local_parts = other_rows.get_column("local_part").to_list()
    other_rows = other_rows.with_columns(
        pl.Series("role_account", [is_role_account(x) for x in local_parts], pl.Boolean()),
        pl.Series("_test_local", [is_test_local_part(x) for x in local_parts], pl.Boolean()),
    )
    return pl.concat([ascii_rows, other_rows])


def _judge_invalid(invalid: pl.DataFrame) -> pl.DataFrame:
    """Bad syntax: invalid, the error as the only reason; test words read from the raw text."""
    test = [
        is_test_address(local, domain)
        for local, _, domain in (email.rpartition("@") for email in invalid.get_column("email"))
    ]
    return invalid.select(
        "email",
        pl.lit("invalid").alias("email_status"),
        pl.lit(None, dtype=pl.String()).alias("email_suggestion"),
        pl.Series("_test_email", test, dtype=pl.Boolean()),
        ("syntax: " + pl.col("error")).alias("_first_reason"),
        *(pl.lit(False).alias(flag) for flag in _REASON_FLAGS),
    )


def _with_reason_lists(judged: pl.DataFrame) -> pl.DataFrame:
    """email_reasons: _first_reason, then the _REASON_FLAGS that are set, in that order.

    Built once per distinct combination and joined back: a list per row is far slower.
    """
    combination = ["_first_reason", "_flags"]
    flags = {flag: pl.col(flag) for flag in _REASON_FLAGS}
    judged = judged.with_columns(_bit_mask(flags).alias("_flags"))
    distinct = judged.select(combination).unique()
    reasons = [
        ([first] if first else []) + _set_bits(_REASON_FLAGS, flags)
        for first, flags in distinct.iter_rows()
    ]
    lists = distinct.with_columns(pl.Series("email_reasons", reasons, dtype=_STRING_LIST))
    return judged.join(lists, on=combination, how="left", nulls_equal=True, validate="m:1")


def _bit_mask(conditions: dict[str, pl.Expr]) -> pl.Expr:
    """Bit i set when the i-th condition holds (null counts as false): one integer per row."""
    return pl.sum_horizontal(
        [
            condition.fill_null(False).cast(pl.UInt32()) * (1 << bit)
            for bit, condition in enumerate(conditions.values())
        ]
    )


def _set_bits(names: tuple[str, ...], mask: int) -> list[str]:
    """The names whose bit is set in `mask`, in order: a `_bit_mask` back as a list."""
    return [name for bit, name in enumerate(names) if mask >> bit & 1]


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


def _with_issues(joined: pl.DataFrame, today: datetime.date) -> pl.DataFrame:
    """The issues list, in ISSUES order; needs the joined email columns.

    The conditions become a bit mask per row, and each distinct mask (at most 2^13) its list once.
    """
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
        "no_legal_basis": _blank("legal_basis")
        & ~pl.col("unknown_fields").list.contains("legal_basis").fill_null(True),
        "job_change": pl.col("_job_change"),
        "created_by_sales_tool": pl.col("source_detail")
        .str.to_uppercase()
        .is_in(list(SALES_TOOL_DETAILS))
        .fill_null(False),
        "purchased_list": (pl.col("lead_source") == "purchased_list").fill_null(False),
    }
    joined = joined.with_columns(
        _bit_mask({name: conditions[name] for name in ISSUES}).alias("_issues")
    )
    masks = joined.get_column("_issues").unique()
    lists = pl.DataFrame(
        {"_issues": masks, "issues": [_set_bits(ISSUES, mask) for mask in masks]},
        schema={"_issues": masks.dtype, "issues": _STRING_LIST},
    )
    return joined.join(lists, on="_issues", how="left", validate="m:1", maintain_order="left")
