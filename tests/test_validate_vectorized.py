"""The column-wide (polars) validation paths agree with the per-value rules they replace.

validate.py and email_rules.py judge addresses a column at a time and phone_rules.py checks each
distinct number once; these tests run messy international data through both the vectorized path
and a straightforward per-value reference built from the public rule functions (the way the
stage judged each value before), and require the same answer. No network: DNS verdicts come
from a deterministic fake.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import re
from collections.abc import Iterable

import phonenumbers
import polars as pl

from hygiene_pipeline.normalize import phone_placeholders
from hygiene_pipeline.normalize.mailboxes import FREE_MAIL_PROVIDERS, is_free_mail, is_role_account
from hygiene_pipeline.validate import phone_rules
from hygiene_pipeline.validate.contacts import assess_emails
from hygiene_pipeline.validate.dns_check import UNDELIVERABLE, UNKNOWN, DomainVerdict
from hygiene_pipeline.validate.email_rules import (
    check_syntax,
    check_syntax_frame,
    is_disposable,
    is_test_address,
    is_test_domain,
    is_test_local_part,
    suggest_domain,
    suggest_domains,
)
from tests.builders import syntax_by_address

LOCAL_PARTS = [
    "femke.vlasbloem", "Femke.Vlasbloem", "f.o'brien", "info", "Info+crm", "INFO", "sales+2024",
    "no-reply", "no_reply", "kontakt", "KONTAKT", "\u212aontakt", "post", "test", "Test42",
    "testing", "testing7", "xxx", "XXXXX", "xx", "asdf7", "dummy", "fake+promo", "contest",
    "test+info", "test\u0663", "ελένη", "δοκιμή", "jürgen", "josé.garcía", "ÉMILE", "İnfo",
    "\ufb01nance", "tést", "łukasz.wiśniewski", "a" * 64, "a" * 65, "é" * 33, ".femke",
    "femke.", "femke..vlasbloem", '"femke vlasbloem"', "femke vlasbloem", "", "x",
]  # fmt: skip
DOMAINS = [
    "kaasmakerij-vlasbloem.nl", "KAASMAKERIJ-vlasbloem.nl", "gmail.com", "gmial.com",
    "gmail.con", "hotmail.fr", "yahoo.co.uk", "outlook.be", "mailinator.com",
    "x.mailinator.com", "example.com", "mail.example.org", "test.com", "müller-bau.de",
    "xn--mller-bau-q9a.de", "straße.de", "ελαιουργείο.gr", "brouwer.co", "brouwer.nll",
    "kaasmakerij..nl", "-kaasmakerij.nl", "kaasmakerij", "kaasmakerij.test", "[192.0.2.10]",
    "b" * 64 + ".nl", "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + ".nl", "",
]  # fmt: skip
ODD_ADDRESSES = [
    "no-at-sign", "a@b@kaasmakerij-vlasbloem.nl", "@kaasmakerij-vlasbloem.nl", "femke@",
    "femke@@kaasmakerij-vlasbloem.nl", "femke@kaasmakerij-vlasbloem.nl\n",
    "test\n@kaasmakerij-vlasbloem.nl", "Femke Vlasbloem <femke@kaasmakerij-vlasbloem.nl>",
    "femke@kaasmakerij-vlasbloem.nl.", "info@xn--80ak6aa92e.com", "info@пример.рф",
]  # fmt: skip
ADDRESSES = [f"{local}@{domain}" for local in LOCAL_PARTS for domain in DOMAINS] + ODD_ADDRESSES

VERDICTS = [
    DomainVerdict("deliverable", "mx"),
    DomainVerdict("undeliverable", "domain_not_found"),
    DomainVerdict("undeliverable", "null_mx"),
    DomainVerdict("unknown", "dns_unavailable: timeout"),
    DomainVerdict("unknown", "network_checks_off"),
]


class HashedVerdicts:
    """A fake DomainLookup: a fixed mix of verdicts, chosen by hashing the domain name."""

    def check(self, domains: Iterable[str]) -> dict[str, DomainVerdict]:
        return {
            domain: VERDICTS[hashlib.sha256(domain.encode()).digest()[0] % len(VERDICTS)]
            for domain in domains
        }


def judged_one_by_one(email: str, verdicts: dict[str, DomainVerdict]) -> tuple:
    """(status, reasons, suggestion, test) from the per-value rules, one address at a time."""
    parsed = check_syntax(email)
    if parsed.error is not None:
        local, _, domain = email.rpartition("@")
        return "invalid", [f"syntax: {parsed.error}"], None, is_test_address(local, domain)
    verdict = verdicts[parsed.ascii_domain]
    disposable = is_disposable(parsed.ascii_domain)
    role = is_role_account(parsed.local_part)
    typo = suggest_domain(parsed.domain)
    flags = {
        "disposable": disposable,
        "role_account": role,
        "typo_domain": typo is not None,
        "free_mail": is_free_mail(parsed.ascii_domain),
        "smtputf8": parsed.smtputf8,
    }
    reasons = ([verdict.reason] if verdict.reason else []) + [f for f, on in flags.items() if on]
    if verdict.status == UNDELIVERABLE:
        status = "invalid"
    elif disposable or role or typo is not None:
        status = "risky"
    elif verdict.status == UNKNOWN:
        status = "unknown"
    else:
        status = "valid"
    suggestion = f"{parsed.local_part}@{typo}" if typo else None
    test = is_test_domain(parsed.ascii_domain) or is_test_local_part(parsed.local_part)
    return status, reasons, suggestion, test


def test_the_messy_addresses_cover_every_path() -> None:
    syntax = check_syntax_frame(pl.Series(ADDRESSES))
    assert syntax.get_column("error").null_count() > 300  # valid ones, fast path included
    assert syntax.get_column("error").drop_nulls().n_unique() > 15  # many kinds of invalid
    assert syntax.get_column("smtputf8").sum() > 20  # Unicode local parts
    results = {
        email: judged_one_by_one(email, HashedVerdicts().check([p.ascii_domain]))
        for email, p in syntax_by_address(ADDRESSES).items()
        if p.error is None
    }
    assert {status for status, *_ in results.values()} == {"valid", "invalid", "risky", "unknown"}
    assert any(test for *_, test in results.values())
    assert any(suggestion for _, _, suggestion, _ in results.values())


def test_check_syntax_frame_agrees_with_check_syntax() -> None:
    emails = pl.Series(ADDRESSES + ADDRESSES[::7])  # repeats too, order kept
    rows = check_syntax_frame(emails).rows()
    assert [row[0] for row in rows] == emails.to_list()
    for email, *fields in rows:
        parsed = check_syntax(email)
        expected = [parsed.error, parsed.local_part, parsed.domain, parsed.ascii_domain]
        assert fields == [*expected, parsed.smtputf8], email


def _generated_domains(count: int, seed: int) -> list[str]:
    """Domains near every edge of email-validator's rules: hyphens at label ends, "--" and
    Punycode, empty labels, digits at the end, upper case, labels of 63 and 64 bytes, domains of
    252 to 254 bytes, special-use names, Unicode; most of them plain and valid."""
    rng = random.Random(seed)
    alphabet = "abcdefghijklmnopqrstuvwxyz" * 4 + "0123456789-"
    special = ["local", "localhost", "test", "invalid", "onion", "arpa", "example"]

    def label(size: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(size))

    domains = []
    for _ in range(count):
        labels = [label(rng.choice([1, 2, 5, 9, 14])) for _ in range(rng.randint(1, 4))]
        labels.append(rng.choice(["nl", "de", "com", "eu", "c0", "a", label(3)]))
        domain = ".".join(labels)
        twist = rng.random()
        if twist < 0.05:
            domain = domain.upper()
        elif twist < 0.10:
            domain += "." + rng.choice(special)
        elif twist < 0.13:
            domain = "xn--" + domain
        elif twist < 0.16:
            domain = label(rng.choice([62, 63, 64])) + "." + domain
        elif twist < 0.19:
            head = ".".join(label(60) for _ in range(4))
            domain = (head + "." + domain)[-rng.choice([251, 252, 253, 254]) :].lstrip(".-")
        elif twist < 0.21:
            domain = domain.replace(".", "..", 1) if "." in domain else "." + domain
        elif twist < 0.23:
            domain = "müller-" + domain
        domains.append(domain)
    return domains


def test_plain_domains_are_decided_as_email_validator_decides_them() -> None:
    domains = _generated_domains(4000, seed=20261205)
    emails = pl.Series([f"info@{domain}" for domain in domains])
    syntax = check_syntax_frame(emails)
    for email, *fields in syntax.rows():
        parsed = check_syntax(email)
        expected = [parsed.error, parsed.local_part, parsed.domain, parsed.ascii_domain]
        assert fields == [*expected, parsed.smtputf8], email
    valid = syntax.get_column("error").is_null().sum()
    assert 2000 < valid < len(domains)  # both sides of the rules are covered


def test_typo_suggestions_screened_at_once_agree_with_one_at_a_time() -> None:
    rng = random.Random(20261205)
    providers = sorted(FREE_MAIL_PROVIDERS)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def edited(text: str, edits: int) -> str:
        for _ in range(edits):
            at = rng.randrange(len(text))
            kind = rng.choice("dis")
            if kind == "d" and len(text) > 3:
                text = text[:at] + text[at + 1 :]
            elif kind == "i":
                text = text[:at] + rng.choice(letters) + text[at:]
            else:
                text = text[:at] + rng.choice(letters) + text[at + 1 :]
        return text

    domains = [edited(rng.choice(providers), rng.randint(0, 3)) for _ in range(3000)]
    names = ["gmail", "hotmail", "outlook", "bakkerij", "kaasmakerij-vlasbloem"]
    tlds = ["com", "nl", "cm", "con", "de", "xyz"]
    domains += [
        f"{rng.choice(['mail.', 'smtp.', ''])}{edited(name, 1)}.{tld}"
        for name, tld in itertools.product(names, tlds)
    ]
    domains += ["GMIAL.COM", "gmail.com.", "tulpenhof.nl", "müller-bau.de", "localhost", "x"]
    one_by_one = [suggest_domain(domain) for domain in domains]
    assert suggest_domains(domains) == one_by_one
    assert sum(s is not None for s in one_by_one) > 500  # many typos among them


def test_assess_emails_agrees_with_the_rules_one_address_at_a_time() -> None:
    checker = HashedVerdicts()
    result = assess_emails(pl.Series(ADDRESSES), checker)
    assert result.height == len(ADDRESSES)
    verdicts = checker.check({p.ascii_domain for p in syntax_by_address(ADDRESSES).values()})
    for email, status, reasons, suggestion, test in result.iter_rows():
        assert (status, reasons, suggestion, test) == judged_one_by_one(email, verdicts), email


def _digit_pattern_by_windows(digits: str) -> str | None:
    """phone_placeholders._digit_pattern as first written: a Python loop over the windows."""
    if len(digits) >= 4 and len(set(digits)) == 1:
        return "repeated_digit"
    if len(digits) >= phone_placeholders.MIN_RUN:
        for start in range(len(digits) - phone_placeholders.MIN_RUN + 1):
            window = digits[start : start + phone_placeholders.MIN_RUN]
            if window in "01234567890" or window in "09876543210":
                return "digit_run"
    if re.search(r"(\d)\1{6,}$", digits):
        return "repeated_digit"
    return None


def _digit_strings() -> list[str]:
    rng = random.Random(9)
    crafted = [
        "", "1", "1111", "111", "612345678", "698765432", "678901234", "6789012",
        "642871935", "600000000", "6000000", "60000000\n", "6000000\n", "0000000\n", "1111\n",
        "61111111a", "١٢٣٤٥٦٧٨", "٦٠٠٠٠٠٠٠", "6٠٠٠٠٠٠٠", "2079460123", "5550123",
        "2125550143", "7700900461", "12345", "123450", "543210", "0987654",
    ]  # fmt: skip
    runs = [
        "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 14))) for _ in range(3000)
    ]
    tails = [
        "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 6))) + digit * length
        for digit, length in itertools.product("0123456789", range(5, 10))
    ]
    return crafted + runs + tails


def test_digit_pattern_agrees_with_the_window_loop() -> None:
    strings = _digit_strings()
    assert [
        d for d in strings if phone_placeholders._digit_pattern(d) != _digit_pattern_by_windows(d)
    ] == []
    assert {_digit_pattern_by_windows(d) for d in strings} == {None, "digit_run", "repeated_digit"}


PHONES = [
    ("06 12345678", "NL"), ("+31 6 4287 1935", "NL"), ("0171 3849265", "DE"),
    ("07700 900461", "GB"), ("(212) 555-0143", "US"), ("+1 212 555 0199", None),
    ("020 7946 0321", "GB"), ("+44 20 7946 0321", "XX"), ("+31 6 66666666", None),
    ("0000000000", "NL"), ("n/a", "NL"), ("12", None), ("+30 210 123 4567", "GR"),
    ("+30 697 000 0000", "GR"), ("0049 171 3849265", "FR"), ("06-1234 5678 ext. 12", "NL"),
    ("+33 6 98 76 54 32", "FR"), ("+32 470 12 34 56", "BE"), ("1-800-FLOWERS", "US"),
    ("٠٦١٢٣٤٥٦٧٨", "NL"), ("+7 999 999 99 99", "RU"), ("+31 20 555 0123", "nl"),
]  # fmt: skip


def _e164(text: str, country: str | None) -> str | None:
    text = "+" + text[2:] if text.startswith("00") else text
    try:
        number = phonenumbers.parse(text, country if country else "NL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _status_one_by_one(text: str | None, country: str | None, phone: str | None) -> str:
    if text is None:
        return "missing"
    fake = (
        phone_placeholders.e164_placeholder_pattern(phone)
        if phone
        else phone_placeholders.placeholder_pattern(text, country)
    )
    if fake is not None:
        return "placeholder"
    return "valid" if phone is not None else "invalid"


def test_phone_statuses_agree_with_the_rules_one_row_at_a_time() -> None:
    rows = [(text, country, _e164(text, country)) for text, country in PHONES]
    rows += [(text, country, "") for text, country in PHONES[:6]]  # "" is not a parsed number
    rows += [(None, "NL", None), (None, None, "+31612345678"), ("06 12345678", None, None)]
    rows += rows[::3]  # repeated rows
    frame = pl.DataFrame(
        rows,
        schema={"phone_input": pl.String, "country": pl.String, "phone": pl.String},
        orient="row",
    )
    statuses = phone_rules.phone_statuses(frame).to_list()
    assert statuses == [_status_one_by_one(*row) for row in rows]
    assert set(statuses) == {"valid", "invalid", "placeholder", "missing"}
