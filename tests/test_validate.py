"""The validation stage end to end: real email-validator, phonenumbers and a real dnsmasq.

All people and company domains are invented. Provider domains (gmail.com, gmx.de, ...) are real
because the rules are about them; dnsmasq serves them locally (tests/dns_server.py: TEST_ZONE).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import phonenumbers
import polars as pl
import pytest

from hygiene_pipeline import schema
from hygiene_pipeline.normalize.mailboxes import is_free_mail, is_role_account
from hygiene_pipeline.normalize.phone_placeholders import placeholder_pattern
from hygiene_pipeline.validate import contacts as validate
from hygiene_pipeline.validate import email_rules, phone_rules
from hygiene_pipeline.validate.contacts import ISSUES, stale_cutoff, validate_contacts
from hygiene_pipeline.validate.dns_check import DomainChecker, DomainVerdict
from hygiene_pipeline.validate.email_rules import (
    AddressSyntax,
    check_syntax,
    is_disposable,
    is_test_address,
    suggest_domain,
)
from hygiene_pipeline.validate.job_changes import COLUMNS as JOB_CHANGE_COLUMNS
from hygiene_pipeline.validate.job_changes import find_job_changes
from tests.builders import syntax_by_address

TODAY = datetime.date(2026, 10, 31)  # end of the October 2026 partition
SNAPSHOT = datetime.date(2026, 10, 1)
RECENT = datetime.datetime(2026, 9, 14, 10, 30)
FAST = {"timeout": 0.3, "retries": 1}
CANARY = {"canary": "gmail.com"}  # explicit, so a HYGIENE_DNS_CANARY in the environment is moot


def e164(phone_input: str | None, country: str | None) -> str | None:
    """What normalize puts in `phone`: E.164 when libphonenumber calls the number valid."""
    if phone_input is None:
        return None
    text = "+" + phone_input[2:] if phone_input.startswith("00") else phone_input
    try:
        number = phonenumbers.parse(text, country or "NL")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def bare(contact_id: str, **fields: Any) -> dict[str, Any]:
    """A NORMALIZED_CONTACTS row: ids and lineage, the given fields, None everywhere else."""
    row: dict[str, Any] = dict.fromkeys(schema.NORMALIZED_CONTACTS)
    row.update(
        snapshot=SNAPSHOT,
        contact_id=contact_id,
        source_file="hubspot/contacts-2026-10.csv",
        source_row=2,
        source_system="hubspot",
    )
    row.update(fields)
    return row


def contact(contact_id: str, **fields: Any) -> dict[str, Any]:
    """A complete, clean Dutch contact (no issues), with `fields` overriding; phone derived."""
    defaults = {
        "first_name": "Femke",
        "last_name": "Vlasbloem",
        "email": "femke.vlasbloem@kaasmakerij-vlasbloem.nl",
        "phone_input": "+31 6 4287 1935",
        "company": "Kaasmakerij Vlasbloem",
        "job_title": "Inkoper",
        "owner": "Sanne Hoogeveen-Lak",
        "lead_source": "ORGANIC_SEARCH",
        "lifecycle_stage": "customer",
        "country": "NL",
        "created_at": datetime.datetime(2023, 4, 3, 9, 12),
        "updated_at": RECENT,
        "unsubscribed": False,
        "bounce": "none",
    }
    row = bare(contact_id, **(defaults | fields))
    if "phone" not in fields:
        row["phone"] = e164(row["phone_input"], row["country"])
    return row


def frame(rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=schema.NORMALIZED_CONTACTS, orient="row")


def run(rows: Iterable[dict[str, Any]], checker: DomainChecker) -> dict[str, dict[str, Any]]:
    result = validate_contacts(frame(rows), today=TODAY, domain_checker=checker)
    return {row["contact_id"]: row for row in result.iter_rows(named=True)}


@pytest.fixture(scope="module")
def checker(dns_server: str) -> DomainChecker:
    return DomainChecker.from_env(dns_server, **CANARY, **FAST)


# --- email_status ---------------------------------------------------------------------------

K = "kaasmakerij-vlasbloem.nl"  # a company domain with MX, for the syntax cases


def syntax(message: str) -> str:
    return f"syntax: An email address {message}."


def local_chars(chars: str) -> str:
    return f"syntax: The email address contains invalid characters before the @-sign: {chars}."


def domain_chars(chars: str) -> str:
    return f"syntax: The part after the @-sign contains invalid characters: {chars}."


QUOTED = "syntax: Quoting the part before the @-sign is not allowed here."
IP_LITERAL = "syntax: A bracketed IP address after the @-sign is not allowed here."
TWO_DOTS = syntax("cannot have two periods in a row")
DOT_BEFORE_AT = syntax("cannot have a period immediately before the @-sign")
NO_PERIOD = "syntax: The part after the @-sign is not valid. It should have a period."
NOT_A_TLD = (
    "syntax: The part after the @-sign is not valid. It is not within a valid top-level domain."
)
RESERVED = (
    "syntax: The part after the @-sign is a special-use or reserved name that cannot be used "
    "with email."
)
ZERO_WIDTH = "syntax: The email address contains unsafe characters: ZERO WIDTH SPACE."

EMAIL_CASES = [
    # (case, email, email_status, email_reasons, email_suggestion)
    ("company_nl", "femke.vlasbloem@kaasmakerij-vlasbloem.nl", "valid", [], None),
    ("company_fr", "oceane.bourdillat@boulangerie-bourdillat.fr", "valid", [], None),
    ("company_gr", "eleni.papadakou@elaiourgeio-papadakou.gr", "valid", [], None),
    ("company_be", "wout.ruigewaard@brouwerij-ruigewaard.be", "valid", [], None),
    ("a_record_only", "sjoerd.hofstede@alleen-web.nl", "valid", [], None),
    ("aaaa_record_only", "lieselotte.ambrosch@v6-only.de", "valid", [], None),
    ("idn_domain", "k.ambrosch@müller-bau.de", "valid", [], None),
    ("free_mail_gmail", "thijmen.ruigewaard@gmail.com", "valid", ["free_mail"], None),
    ("free_mail_gmx", "wiebke.kettenreiter@gmx.de", "valid", ["free_mail"], None),
    ("unicode_local_de", "jürgen.ambrosch@müller-bau.de", "valid", ["smtputf8"], None),
    ("unicode_local_gr", "ελένη@elaiourgeio-papadakou.gr", "valid", ["smtputf8"], None),
    ("missing", None, "missing", [], None),
    (
        "quoted_local_part",
        '"femke vlasbloem"@kaasmakerij-vlasbloem.nl',
        "invalid",
        ["syntax: Quoting the part before the @-sign is not allowed here."],
        None,
    ),
    (
        "ip_literal",
        "femke@[192.0.2.10]",
        "invalid",
        ["syntax: A bracketed IP address after the @-sign is not allowed here."],
        None,
    ),
    (
        "consecutive_dots",
        "femke..vlasbloem@kaasmakerij-vlasbloem.nl",
        "invalid",
        ["syntax: An email address cannot have two periods in a row."],
        None,
    ),
    (
        "no_at_sign",
        "femke.vlasbloem.kaasmakerij-vlasbloem.nl",
        "invalid",
        ["syntax: An email address must have an @-sign."],
        None,
    ),
    (
        "space_in_local_part",
        "femke vlasbloem@kaasmakerij-vlasbloem.nl",
        "invalid",
        ["syntax: The email address contains invalid characters before the @-sign: SPACE."],
        None,
    ),
    (
        "reserved_tld",
        "femke@kaasmakerij.test",
        "invalid",
        [
            "syntax: The part after the @-sign is a special-use or reserved name that cannot "
            "be used with email."
        ],
        None,
    ),
    (
        "domain_not_found",
        "gwendal.kerbiriou@bestaat-niet-bakkerij.fr",
        "invalid",
        ["domain_not_found"],
        None,
    ),
    ("null_mx", "klant@nullmx-winkel.nl", "invalid", ["null_mx"], None),
    ("no_mail_host", "maarten.dijkhof@geen-mail.nl", "invalid", ["no_mail_host"], None),
    ("dns_timeout", "marit.zonneveld@traag-dns.nl", "unknown", ["dns_unavailable: timeout"], None),
    ("dns_servfail", "bram.ettekoven@kapot-dns.nl", "unknown", ["dns_unavailable: servfail"], None),
    ("disposable", "k7q2x@mailinator.com", "risky", ["disposable"], None),
    ("disposable_subdomain", "k7q2x@wegwerp.mailinator.com", "risky", ["disposable"], None),
    ("role_account", "info@stahlbau-kettenreiter.de", "risky", ["role_account"], None),
    ("role_with_tag", "verkoop+crm@kaasmakerij-vlasbloem.nl", "risky", ["role_account"], None),
    ("role_at_free_mail", "contact@gmail.com", "risky", ["role_account", "free_mail"], None),
    (
        "typo_registered_domain",  # outlok.com has mail: deliverable, but surely a typo
        "anouk.vreeswijk@outlok.com",
        "risky",
        ["typo_domain"],
        "anouk.vreeswijk@outlook.com",
    ),
    (
        "typo_tld",
        "stavros.kyriazidis@gmail.con",
        "invalid",
        ["domain_not_found", "typo_domain"],
        "stavros.kyriazidis@gmail.com",
    ),
    (
        "typo_also_on_blocklist",  # disposable-email-domains lists gmial.com, hotmial.com
        "nikos.varvaressos@gmial.com",
        "invalid",
        ["domain_not_found", "disposable", "typo_domain"],
        "nikos.varvaressos@gmail.com",
    ),
    (
        "typo_company_tld",
        "pieter.dijkhof@kaasmakerij-vlasbloem.nll",
        "invalid",
        ["domain_not_found", "typo_domain"],
        "pieter.dijkhof@kaasmakerij-vlasbloem.nl",
    ),
    # Syntax corner cases. Messages are email-validator's; "syntax: " marks them as such.
    ("quoted_dot_atom", f'"femke.vlasbloem"@{K}', "invalid", [QUOTED], None),
    ("quoted_at_sign", f'"femke@kantoor"@{K}', "invalid", [QUOTED], None),
    ("quoted_escaped_quote", f'"femke\\"v"@{K}', "invalid", [QUOTED], None),
    (
        "quoted_empty",
        f'""@{K}',
        "invalid",
        ["syntax: There must be something before the @-sign."],
        None,
    ),
    ("quoted_and_ip_literal", '"femke"@[192.0.2.10]', "invalid", [QUOTED], None),
    ("ipv6_literal", "femke@[ipv6:2001:db8::1]", "invalid", [IP_LITERAL], None),
    ("unclosed_ip_literal", "femke@[192.0.2.10", "invalid", [domain_chars("'['")], None),
    ("bare_ip_address", "femke@192.0.2.10", "invalid", [NOT_A_TLD], None),
    ("consecutive_dots_domain", "femke@kaasmakerij..vlasbloem.nl", "invalid", [TWO_DOTS], None),
    ("three_dots", f"femke...vlasbloem@{K}", "invalid", [TWO_DOTS], None),
    ("leading_dot", f".femke@{K}", "invalid", [syntax("cannot start with a period")], None),
    ("trailing_dot_local", f"femke.@{K}", "invalid", [DOT_BEFORE_AT], None),
    ("double_dot_before_at", f"femke..@{K}", "invalid", [DOT_BEFORE_AT], None),
    (
        "dot_after_at",
        f"femke@.{K}",
        "invalid",
        [syntax("cannot have a period immediately after the @-sign")],
        None,
    ),
    ("trailing_dot_domain", f"femke@{K}.", "invalid", [syntax("cannot end with a period")], None),
    (
        "hyphen_after_at",
        "femke@-kaasmakerij.nl",
        "invalid",
        [syntax("cannot have a hyphen immediately after the @-sign")],
        None,
    ),
    (
        "hyphen_before_dot",
        "femke@kaasmakerij-.nl",
        "invalid",
        [syntax("cannot have a period and a hyphen next to each other")],
        None,
    ),
    ("underscore_in_domain", "femke@kaas_makerij.nl", "invalid", [domain_chars("'_'")], None),
    ("no_tld", "femke@kaasmakerij", "invalid", [NO_PERIOD], None),
    ("localhost", "femke@localhost", "invalid", [NO_PERIOD], None),
    ("numeric_tld", "femke@kaasmakerij.123", "invalid", [NOT_A_TLD], None),
    (
        "nothing_after_at",
        "femke@",
        "invalid",
        ["syntax: There must be something after the @-sign."],
        None,
    ),
    (
        "nothing_before_at",
        f"@{K}",
        "invalid",
        ["syntax: There must be something before the @-sign."],
        None,
    ),
    ("double_at", f"femke@@{K}", "invalid", [domain_chars("'@'")], None),
    ("two_at_signs", "femke@kaasmakerij@vlasbloem.nl", "invalid", [domain_chars("'@'")], None),
    (
        "display_name",
        f"femke vlasbloem <femke@{K}>",
        "invalid",
        [
            "syntax: A display name and angle brackets around the email address are not "
            "permitted here."
        ],
        None,
    ),
    ("comma", f"femke,vlasbloem@{K}", "invalid", [local_chars("','")], None),
    ("comment_parentheses", f"femke(kantoor)@{K}", "invalid", [local_chars("'(', ')'")], None),
    ("backslash", f"femke\\vlasbloem@{K}", "invalid", [local_chars('"\\"')], None),
    ("tab", f"femke\tv@{K}", "invalid", [local_chars("U+0009")], None),
    ("space_in_domain", "femke@kaasmakerij vlasbloem.nl", "invalid", [domain_chars("SPACE")], None),
    ("local_tld", "femke@kaasmakerij.local", "invalid", [RESERVED], None),
    ("invalid_tld", "femke@kaasmakerij.invalid", "invalid", [RESERVED], None),
    ("onion_tld", "femke@kaasmakerij.onion", "invalid", [RESERVED], None),
    ("local_part_64", "a" * 64 + f"@{K}", "valid", [], None),
    (
        "local_part_65",  # RFC 5321's limit; email-validator only enforces it when strict
        "a" * 65 + f"@{K}",
        "invalid",
        ["syntax: The email address is too long before the @-sign (1 character too many)."],
        None,
    ),
    ("label_63", "femke@" + "b" * 63 + ".nl", "invalid", ["domain_not_found"], None),
    (
        "label_64",
        "femke@" + "b" * 64 + ".nl",
        "invalid",
        [
            "syntax: After the @-sign, periods cannot be separated by so many characters "
            "(1 character too many)."
        ],
        None,
    ),
    ("apostrophe", f"o'brien@{K}", "valid", [], None),
    ("plus_tag", f"femke+nieuwsbrief@{K}", "valid", [], None),
    ("every_special_character", f"f.v-w_9=x!#$%&*/?^`{{|}}~@{K}", "valid", [], None),
    ("one_letter_local", f"x@{K}", "valid", [], None),
    ("mail_subdomain", "wout@post.brouwerij-ruigewaard.be", "valid", [], None),
    # Unicode: SMTPUTF8 local parts are valid (with a note), IDN domains go to DNS as IDNA.
    ("unicode_local_fr", "océane@boulangerie-bourdillat.fr", "valid", ["smtputf8"], None),
    ("unicode_dotted_gr", "ελένη.παπαδάκου@elaiourgeio-papadakou.gr", "valid", ["smtputf8"], None),
    ("idn_ascii_form", "k.ambrosch@xn--mller-bau-q9a.de", "valid", [], None),
    ("emoji_local", f"femke😀@{K}", "valid", ["smtputf8"], None),
    ("ligature_local", f"ﬁnn@{K}", "valid", ["smtputf8"], None),
    ("role_at_idn", "admin@müller-bau.de", "risky", ["role_account"], None),
    ("cjk_address", "用户@例子.广告", "invalid", ["domain_not_found", "smtputf8"], None),
    ("idn_tld", "femke@kaasmakerij-vlasbloem.xn--p1ai", "invalid", ["domain_not_found"], None),
    (
        "emoji_domain",
        "femke@kaasmakerij😀.nl",
        "invalid",
        [
            "syntax: The part after the @-sign is invalid (Codepoint U+1F600 at position 12 of "
            "'kaasmakerij😀' not allowed)."
        ],
        None,
    ),
    ("zero_width_space_local", f"femke\u200b@{K}", "invalid", [ZERO_WIDTH], None),
    (
        "zero_width_space_domain",
        "femke@kaasmakerij\u200b-vlasbloem.nl",
        "invalid",
        [ZERO_WIDTH],
        None,
    ),
    # More typos: the suggestion is offered whatever DNS says.
    (
        "one_letter_tld",
        "femke@kaasmakerij-vlasbloem.n",
        "invalid",
        ["domain_not_found", "typo_domain"],
        f"femke@{K}",
    ),
    (
        "typo_missing_letter",
        "jan.dijkhof@gmai.com",
        "invalid",
        ["domain_not_found", "typo_domain"],
        "jan.dijkhof@gmail.com",
    ),
    (
        "typo_regional_provider",
        "sanne@hotmai.nl",
        "invalid",
        ["domain_not_found", "typo_domain"],
        "sanne@hotmail.nl",
    ),
]


@pytest.fixture(scope="module")
def email_results(checker: DomainChecker) -> dict[str, dict[str, Any]]:
    return run([contact(case, email=email) for case, email, *_ in EMAIL_CASES], checker)


@pytest.mark.parametrize(
    ("case", "email", "status", "reasons", "suggestion"),
    EMAIL_CASES,
    ids=[case[0] for case in EMAIL_CASES],
)
def test_email_status(
    email_results: dict[str, dict[str, Any]],
    case: str,
    email: str | None,
    status: str,
    reasons: list[str],
    suggestion: str | None,
) -> None:
    row = email_results[case]
    assert (row["email_status"], row["email_reasons"], row["email_suggestion"]) == (
        status,
        reasons,
        suggestion,
    )


def test_every_email_status_is_covered() -> None:
    assert {case[2] for case in EMAIL_CASES} == set(schema.EMAIL_STATUSES)


def test_the_address_table_has_80_distinct_addresses_and_the_named_corner_cases() -> None:
    addresses = [email for _, email, *_ in EMAIL_CASES if email is not None]
    assert len(set(addresses)) == len(addresses) >= 80
    local_parts = [email.rpartition("@")[0] for email in addresses]
    assert sum(local.startswith('"') for local in local_parts) >= 5  # quoted local parts
    assert sum("@[" in email for email in addresses) >= 4  # IP literals
    assert sum(".." in email for email in addresses) >= 4  # consecutive dots
    assert sum(not email.isascii() for email in addresses) >= 10  # unicode


def test_network_off_makes_dns_dependent_verdicts_unknown() -> None:
    rows = [
        contact("company", email="femke.vlasbloem@kaasmakerij-vlasbloem.nl"),
        contact("free", email="thijmen.ruigewaard@gmail.com"),
        contact("gone", email="gwendal.kerbiriou@bestaat-niet-bakkerij.fr"),
        contact("role", email="info@stahlbau-kettenreiter.de"),
        contact("syntax", email="femke..vlasbloem@kaasmakerij-vlasbloem.nl"),
        contact("none", email=None),
    ]
    results = run(rows, DomainChecker.from_env("off"))
    got = {key: (row["email_status"], row["email_reasons"]) for key, row in results.items()}
    assert got == {
        "company": ("unknown", ["network_checks_off"]),
        "free": ("unknown", ["network_checks_off", "free_mail"]),
        "gone": ("unknown", ["network_checks_off"]),  # never invalid without a network answer
        "role": ("risky", ["network_checks_off", "role_account"]),
        "syntax": ("invalid", ["syntax: An email address cannot have two periods in a row."]),
        "none": ("missing", []),
    }


def test_unreliable_resolver_never_makes_an_address_invalid(dns_server: str) -> None:
    # A canary this resolver cannot resolve stands for a machine without internet.
    offline = DomainChecker.from_env(dns_server, canary="canary-ontbreekt.nl", **FAST)
    rows = [
        contact("gone", email="gwendal.kerbiriou@bestaat-niet-bakkerij.fr"),
        contact("nullmx", email="klant@nullmx-winkel.nl"),
        contact("company", email="oceane.bourdillat@boulangerie-bourdillat.fr"),
    ]
    reason = "dns_unreliable: canary canary-ontbreekt.nl did not resolve"
    for row in run(rows, offline).values():
        assert (row["email_status"], row["email_reasons"]) == ("unknown", [reason])


# --- phone_status ---------------------------------------------------------------------------

PHONE_CASES = [
    # (case, phone_input, country, phone_status)
    ("nl_mobile", "+31 6 4287 1935", "NL", "valid"),
    ("nl_landline", "020 794 3812", "NL", "valid"),
    ("nl_no_country_defaults_to_nl", "06 4287 1935", None, "valid"),
    ("nl_00_prefix", "0031 6 42871935", "NL", "valid"),
    ("fr_mobile", "06 71 28 45 93", "FR", "valid"),
    ("fr_landline", "04 72 18 36 59", "FR", "valid"),
    ("de_mobile", "0171 3849265", "DE", "valid"),
    ("de_landline", "089 2741 9386", "DE", "valid"),
    ("gr_mobile", "694 318 2756", "GR", "valid"),
    ("gr_landline", "210 748 3921", "GR", "valid"),
    ("gb_mobile", "07781 462918", "GB", "valid"),
    ("gb_landline", "0131 228 4719", "GB", "valid"),
    ("be_mobile", "0470 58 21 93", "BE", "valid"),
    ("be_landline", "02 513 84 20", "BE", "valid"),
    ("us_landline", "(212) 748-3921", "US", "valid"),
    ("us_555_fictional", "(212) 555-0143", "US", "placeholder"),  # libphonenumber: valid
    ("us_555_0100_no_area_code", "555-0100", "US", "placeholder"),
    ("repeated_digit", "+31 6 66666666", "NL", "placeholder"),  # libphonenumber: valid pager
    ("all_zeros", "0000000000", "NL", "placeholder"),  # libphonenumber cannot even parse it
    ("zeros_after_mobile_prefix", "06-00000000", "NL", "placeholder"),
    ("ascending_run", "06 12345678", "NL", "placeholder"),  # libphonenumber: valid mobile
    ("ascending_run_be", "+32 470 12 34 56", "BE", "placeholder"),
    ("descending_run", "030 98765432", "DE", "placeholder"),
    ("fr_run", "01 23 45 67 89", "FR", "placeholder"),
    ("uk_drama_mobile", "07700 900461", "GB", "placeholder"),
    ("uk_drama_london", "020 7946 0321", "GB", "placeholder"),  # libphonenumber: valid
    ("uk_drama_leeds", "0113 496 0555", "GB", "placeholder"),
    ("uk_drama_manchester", "+44 161 496 0734", None, "placeholder"),
    ("too_short", "06 4287", "NL", "invalid"),
    ("too_short_de", "+49 171 38", "DE", "invalid"),
    ("not_a_number", "bel receptie", "NL", "invalid"),
    ("missing", None, "NL", "missing"),
]


@pytest.fixture(scope="module")
def phone_results(checker: DomainChecker) -> dict[str, dict[str, Any]]:
    rows = [
        contact(case, phone_input=text, country=country) for case, text, country, _ in PHONE_CASES
    ]
    return run(rows, checker)


@pytest.mark.parametrize(
    ("case", "phone_input", "country", "status"), PHONE_CASES, ids=[c[0] for c in PHONE_CASES]
)
def test_phone_status(
    phone_results: dict[str, dict[str, Any]],
    case: str,
    phone_input: str | None,
    country: str | None,
    status: str,
) -> None:
    assert phone_results[case]["phone_status"] == status


def test_every_phone_status_is_covered() -> None:
    assert {case[3] for case in PHONE_CASES} == set(schema.PHONE_STATUSES)


def test_placeholder_pattern_names_the_pattern() -> None:
    assert placeholder_pattern("(212) 555-0143", "US") == "us_fictional_555"
    assert placeholder_pattern("07700 900461", "GB") == "uk_drama_range"
    assert placeholder_pattern("06 12345678", "NL") == "digit_run"
    assert placeholder_pattern("+31 6 66666666", None) == "repeated_digit"
    assert placeholder_pattern("+31 6 4287 1935", "XX") is None  # unknown country


# --- issues ---------------------------------------------------------------------------------

ISSUE_CASES = [
    # (case, overrides, issues)
    ("clean", {}, []),
    ("missing_email", {"email": None}, ["missing_email"]),
    ("missing_phone", {"phone_input": None}, ["missing_phone"]),
    ("missing_owner", {"owner": None}, ["missing_owner"]),
    ("blank_owner", {"owner": "  "}, ["missing_owner"]),
    ("missing_source", {"lead_source": None}, ["missing_source"]),
    ("missing_company", {"company": None}, ["missing_company"]),
    ("stale", {"updated_at": datetime.datetime(2025, 10, 30, 23, 59)}, ["stale"]),
    ("exactly_12_months", {"updated_at": datetime.datetime(2025, 10, 31, 0, 0)}, []),
    (
        "never_updated_old_record",
        {"updated_at": None, "created_at": datetime.datetime(2024, 3, 1)},
        ["stale"],
    ),
    ("no_dates_at_all", {"updated_at": None, "created_at": None}, []),
    ("test_local_part", {"email": "test@kaasmakerij-vlasbloem.nl"}, ["test_record"]),
    ("asdf_local_part", {"email": "asdf123@boulangerie-bourdillat.fr"}, ["test_record"]),
    ("xxx_local_part", {"email": "xxxx@stahlbau-kettenreiter.de"}, ["test_record"]),
    ("dummy_first_name", {"first_name": "Dummy"}, ["test_record"]),
    ("fake_last_name", {"last_name": "FAKE"}, ["test_record"]),
    ("test_names", {"first_name": "Test", "last_name": "Test"}, ["test_record"]),
    (
        "example_domain",  # example.com publishes a null MX, so the address is also invalid
        {"email": "femke.vlasbloem@example.com"},
        ["test_record", "bounced_but_marketable"],
    ),
    (
        "test_com_domain",
        {"email": "femke.vlasbloem@test.com"},
        ["test_record", "bounced_but_marketable"],
    ),
    ("surname_testa_is_real", {"first_name": "Giulia", "last_name": "Testa"}, []),
    ("soft_bounce", {"bounce": "soft"}, ["bounced_but_marketable"]),
    ("hard_bounce", {"bounce": "hard"}, ["bounced_but_marketable"]),
    ("invalid_email", {"email": "klant@nullmx-winkel.nl"}, ["bounced_but_marketable"]),
    ("hard_bounce_unsubscribed", {"bounce": "hard", "unsubscribed": True}, ["unsubscribed"]),
    ("unsubscribed", {"unsubscribed": True}, ["unsubscribed"]),
    ("unsubscribed_unknown", {"unsubscribed": None}, []),
    ("no_legal_basis", {"legal_basis": None, "unknown_fields": []}, ["no_legal_basis"]),
    (
        "legal_basis_given",
        {"legal_basis": "Freely given consent from contact", "unknown_fields": []},
        [],
    ),
    ("legal_basis_not_exported", {"legal_basis": None, "unknown_fields": ["legal_basis"]}, []),
    ("created_by_sales_extension", {"source_detail": "EXTENSION"}, ["created_by_sales_tool"]),
    ("created_in_crm_ui", {"source_detail": "CRM_UI"}, []),
    ("purchased_list", {"lead_source": "purchased_list"}, ["purchased_list"]),
]


@pytest.fixture(scope="module")
def issue_results(checker: DomainChecker) -> dict[str, dict[str, Any]]:
    rows = [contact(case, **overrides) for case, overrides, _ in ISSUE_CASES]
    rows.append(bare("bare_record"))
    return run(rows, checker)


@pytest.mark.parametrize(
    ("case", "overrides", "issues"), ISSUE_CASES, ids=[c[0] for c in ISSUE_CASES]
)
def test_issues(
    issue_results: dict[str, dict[str, Any]],
    case: str,
    overrides: dict[str, Any],
    issues: list[str],
) -> None:
    assert issue_results[case]["issues"] == issues


def test_bare_record_lists_issues_in_documented_order(
    issue_results: dict[str, dict[str, Any]],
) -> None:
    assert issue_results["bare_record"]["issues"] == [
        "missing_email",
        "missing_phone",
        "missing_owner",
        "missing_source",
        "missing_company",
    ]
    assert issue_results["bare_record"]["email_status"] == "missing"
    assert issue_results["bare_record"]["phone_status"] == "missing"


def test_a_job_change_found_since_last_month_is_an_issue(checker: DomainChecker) -> None:
    people = [contact(name) for name in ("moved", "stayed", "went_private", "new")]
    before = frame(people).with_columns(
        company_domain=pl.lit("kaasmakerij-vlasbloem.nl"),
        email_domain=pl.lit("kaasmakerij-vlasbloem.nl"),
        company_key=pl.lit("kaasmakerij vlasbloem"),
    )
    now = frame(
        [
            contact(
                "moved",
                company="Stahlbau Kettenreiter GmbH",
                email="femke.vlasbloem@stahlbau-kettenreiter.de",
            ),
            contact("stayed", company="Kaasmakerij Vlasbloem B.V."),
            contact("went_private", email="femke.vlasbloem@gmail.com"),
        ]
    ).with_columns(
        company_key=pl.when(pl.col("contact_id") == "moved")
        .then(pl.lit("stahlbau kettenreiter"))
        .otherwise(pl.lit("kaasmakerij vlasbloem")),
        email_domain=pl.col("email").str.extract(r"@(.+)$"),
        company_domain=pl.when(pl.col("contact_id") == "went_private")
        .then(None)
        .otherwise(pl.col("email").str.extract(r"@(.+)$")),
    )
    changes = find_job_changes(now, before.select(JOB_CHANGE_COLUMNS), SNAPSHOT)
    assert dict(changes.select("contact_id", "kind").iter_rows()) == {
        "moved": "company_changed", "went_private": "work_to_personal"}  # fmt: skip
    moved = changes.row(0, named=True)
    assert (moved["before_domain"], moved["after_domain"]) == (
        "kaasmakerij-vlasbloem.nl", "stahlbau-kettenreiter.de")  # fmt: skip
    results = validate_contacts(now, today=TODAY, domain_checker=checker, job_changes=changes)
    issues = dict(results.select("contact_id", "issues").iter_rows())
    assert "job_change" in issues["moved"] and "job_change" in issues["went_private"]
    assert "job_change" not in issues["stayed"]


def test_every_issue_is_covered_and_documented() -> None:
    covered = {issue for _, _, issues in ISSUE_CASES for issue in issues} | {"job_change"}
    assert covered == set(ISSUES)
    assert all(f"- {issue}:" in (validate.__doc__ or "") for issue in ISSUES)


@pytest.mark.parametrize(
    ("today", "cutoff"),
    [
        (datetime.date(2026, 10, 31), datetime.datetime(2025, 10, 31)),
        (datetime.date(2024, 2, 29), datetime.datetime(2023, 2, 28)),
        (datetime.date(2026, 1, 31), datetime.datetime(2025, 1, 31)),
    ],
)
def test_stale_cutoff_is_twelve_calendar_months(
    today: datetime.date, cutoff: datetime.datetime
) -> None:
    assert stale_cutoff(today) == cutoff


# --- the table contract and speed -----------------------------------------------------------


def test_output_is_the_contract_one_row_per_input_in_order(checker: DomainChecker) -> None:
    rows = [
        contact("hs-0042", email="info@stahlbau-kettenreiter.de"),
        contact("hs-0007", email=None, phone_input=None),
        contact("hs-0042", email="info@stahlbau-kettenreiter.de"),  # duplicate export row
        contact("hs-0100"),
    ]
    result = validate_contacts(frame(rows), today=TODAY, domain_checker=checker)
    assert result.schema == pl.Schema(schema.VALIDATION_RESULTS)
    assert result["contact_id"].to_list() == ["hs-0042", "hs-0007", "hs-0042", "hs-0100"]
    assert result["snapshot"].to_list() == [SNAPSHOT] * 4
    assert result["email_status"].to_list() == ["risky", "missing", "risky", "valid"]


def test_empty_month_gives_typed_empty_frame(checker: DomainChecker) -> None:
    result = validate_contacts(
        schema.empty(schema.NORMALIZED_CONTACTS), today=TODAY, domain_checker=checker
    )
    assert result.height == 0
    assert result.schema == pl.Schema(schema.VALIDATION_RESULTS)


class RecordingChecker(DomainChecker):
    """A real (network-off) checker that records which domains it was asked about."""

    def __init__(self) -> None:
        super().__init__(network=False)
        self.calls: list[list[str]] = []

    def check(self, domains: Iterable[str]) -> dict[str, DomainVerdict]:
        asked = list(domains)
        self.calls.append(asked)
        return super().check(asked)


def test_only_distinct_values_go_through_python(monkeypatch: pytest.MonkeyPatch) -> None:
    syntax_calls: list[str] = []
    phone_calls: list[str] = []
    real_syntax = email_rules.check_syntax
    real_placeholder = phone_rules.placeholder_pattern
    real_e164_placeholder = phone_rules.e164_placeholder_pattern

    def counting_syntax(email: str) -> AddressSyntax:
        syntax_calls.append(email)
        return real_syntax(email)

    def counting_placeholder(text: str, country: str | None = None) -> str | None:
        phone_calls.append(text)
        return real_placeholder(text, country)

    def counting_e164_placeholder(e164: str) -> str | None:
        phone_calls.append(e164)
        return real_e164_placeholder(e164)

    monkeypatch.setattr(email_rules, "check_syntax", counting_syntax)
    monkeypatch.setattr(phone_rules, "placeholder_pattern", counting_placeholder)
    monkeypatch.setattr(phone_rules, "e164_placeholder_pattern", counting_e164_placeholder)
    people = [
        contact("a", email="femke.vlasbloem@kaasmakerij-vlasbloem.nl"),
        contact("b", email="pieter.dijkhof@kaasmakerij-vlasbloem.nl", phone_input="06 12345678"),
        contact("c", email="wiebke.kettenreiter@gmx.de", phone_input="0171 3849265", country="DE"),
        contact(
            "d", email="ελένη@elaiourgeio-papadakou.gr", phone_input="07700 900461", country="GB"
        ),
        contact("e", email=None, phone_input=None),
    ]
    rows = [
        person | {"contact_id": f"{person['contact_id']}{i}"}
        for i in range(4000)
        for person in people
    ]
    checker = RecordingChecker()
    result = validate_contacts(frame(rows), today=TODAY, domain_checker=checker)

    assert result.height == 20_000
    # Plain ASCII addresses on plain domains cost no email-validator call (their domains are
    # decided in polars); others one per address.
    assert sorted(syntax_calls) == ["ελένη@elaiourgeio-papadakou.gr"]
    assert checker.calls == [["elaiourgeio-papadakou.gr", "gmx.de", "kaasmakerij-vlasbloem.nl"]]
    # Valid numbers are checked from their E.164 form, invalid ones parsed again.
    assert sorted(phone_calls) == ["+31612345678", "+31642871935", "+491713849265", "07700 900461"]
    assert dict(result["phone_status"].value_counts().rows()) == {
        "placeholder": 8_000,
        "valid": 8_000,
        "missing": 4_000,
    }


@pytest.mark.parametrize(
    "email",
    [
        "femke.vlasbloem@kaasmakerij-vlasbloem.nl",
        "femke.vlasbloem@KAASMAKERIJ-vlasbloem.nl",
        "Femke.Vlasbloem@kaasmakerij-vlasbloem.nl",
        "info+crm@stahlbau-kettenreiter.de",
        "postmaster@stahlbau-kettenreiter.de",
        "k.ambrosch@müller-bau.de",
        "k.ambrosch@xn--mller-bau-q9a.de",
        "jürgen@müller-bau.de",
        "femke..vlasbloem@kaasmakerij-vlasbloem.nl",
        ".femke@kaasmakerij-vlasbloem.nl",
        "femke.@kaasmakerij-vlasbloem.nl",
        '"femke vlasbloem"@kaasmakerij-vlasbloem.nl',
        '"femke"@kaasmakerij-vlasbloem.nl',
        "femke@[192.0.2.10]",
        "femke@kaasmakerij..nl",
        "femke@-kaasmakerij.nl",
        "femke@kaasmakerij",
        "femke@kaasmakerij.test",
        "femke@",
        "@kaasmakerij-vlasbloem.nl",
        "femke@@kaasmakerij-vlasbloem.nl",
        "Femke Vlasbloem <femke@kaasmakerij-vlasbloem.nl>",
        "a" * 64 + "@kaasmakerij-vlasbloem.nl",
        "a" * 65 + "@kaasmakerij-vlasbloem.nl",
        "a" * 60 + "@" + "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + ".nl",
        "a" * 64 + "@" + "b" * 60 + "." + "c" * 60 + "." + "d" * 63 + ".nl",
        "femke@" + "b" * 64 + ".nl",
    ],
)
def test_check_syntax_frame_agrees_with_email_validator_address_by_address(email: str) -> None:
    assert syntax_by_address([email, email]) == {email: check_syntax(email)}


# --- the offline rules on their own ---------------------------------------------------------


@pytest.mark.parametrize(
    ("domain", "suggestion"),
    [
        ("gmial.com", "gmail.com"),
        ("hotmial.com", "hotmail.com"),
        ("gmail.con", "gmail.com"),
        ("outlok.com", "outlook.com"),
        ("gmail.cm", "gmail.com"),
        ("gmial.con", "gmail.com"),  # name and TLD fixed separately
        ("yaho.fr", "yahoo.fr"),
        ("hotmial.co.uk", "hotmail.co.uk"),
        ("wanado.fr", "wanadoo.fr"),
        ("kpmail.nl", "kpnmail.nl"),
        ("zigo.nl", "ziggo.nl"),
        ("telenet.b", "telenet.be"),
        ("libero.ti", "libero.it"),
        ("otenet.g", "otenet.gr"),
        ("tonline.de", "t-online.de"),
        ("gmx.dee", "gmx.de"),
        ("brouwer.nll", "brouwer.nl"),
        ("brouwer.cmo", "brouwer.com"),
        # No suggestion: providers themselves and legitimate company domains.
        ("gmail.com", None),
        ("gmx.net", None),
        ("brouwer.nl", None),
        ("brouwer.co", None),  # .co is a real TLD
        ("kaas.frl", None),  # .frl (Friesland) is a real TLD
        ("tree.fr", None),  # not free.fr: short provider names need the same name
        ("lives.nl", None),
        ("outlook.be", None),  # a regional variant, not a typo of outlook.de
        ("laposte.fr", None),
        ("orange.nl", None),
        ("kaasmakerij-vlasbloem.nl", None),
        ("mail.stahlbau-kettenreiter.de", None),
    ],
)
def test_suggest_domain(domain: str, suggestion: str | None) -> None:
    assert suggest_domain(domain) == suggestion


def test_offline_flags() -> None:
    assert is_disposable("mailinator.com")
    assert is_disposable("x.mailinator.com")
    assert is_disposable("Wegwerp.Mailinator.com.")
    assert not is_disposable("kaasmakerij-vlasbloem.nl")
    assert not is_disposable("com")
    assert is_role_account("Info+nieuwsbrief")
    assert is_role_account("no-reply")
    assert not is_role_account("femke.vlasbloem")
    assert is_free_mail("gmx.de") and is_free_mail("otenet.gr") and is_free_mail("ziggo.nl")
    assert not is_free_mail("kaasmakerij-vlasbloem.nl")
    # Country domains of the big providers are free-mail too, without listing each one.
    assert is_free_mail("hotmail.fr") and is_free_mail("yahoo.co.uk") and is_free_mail("GMX.AT")
    assert not is_free_mail("outlook-consultancy.nl")
    assert is_test_address("dummy", "kaasmakerij-vlasbloem.nl")
    assert is_test_address("femke", "mail.example.org")
    assert not is_test_address("contest", "kaasmakerij-vlasbloem.nl")
