"""Offline e-mail rules: syntax, role accounts, disposable and free-mail domains, typo suggestions.

Everything here is pure and per value (no network, no DataFrames), so the validation stage can
run it once per distinct address or domain. DNS deliverability lives in dns_check;
what kind of mailbox an address is (free-mail, role) in normalize/mailboxes.

Typo suggestions follow mailcheck.js (MIT): a domain that is a well-known provider gets no
suggestion; otherwise the closest well-known provider domain within edit distance 2; otherwise
the second-level name and the TLD are corrected separately. Guards keep company domains quiet:
short provider names (web, gmx, free, live, ...) only match with the same name (tree.fr is not
free.fr), a real TLD is never "corrected" into another one (brouwer.co stays), and a regional
variant of a multi-country provider (outlook.be) is not moved to another country.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import polars as pl
import pycountry
from disposable_email_domains import blocklist as _DISPOSABLE
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from hygiene_pipeline.normalize.mailboxes import (
    FREE_MAIL_PROVIDERS,
    PROVIDER_DOMAINS,
    local_base,
)

# Domains reserved for documentation or obviously used for tests.
TEST_DOMAINS: tuple[str, ...] = ("example.com", "example.org", "example.net", "test.com")
# A local part or a name that is one of these words (digits allowed after it) marks a test record.
TEST_WORD_PATTERN = r"^(?:test|testing|asdf|x{3,}|dummy|fake)\d*$"

# Second-level suffixes under which the registrable name is the third label.
_TWO_LEVEL_SUFFIXES = frozenset((
    "co.uk", "org.uk", "me.uk", "ltd.uk", "plc.uk", "ac.uk", "gov.uk", "com.gr", "gov.gr",
    "co.at", "or.at", "ac.at", "com.cy", "com.es", "com.pt", "com.pl", "com.tr", "co.il",
    "com.au", "co.nz", "com.br", "co.za", "co.jp",
))  # fmt: skip
# TLDs we may correct an unknown TLD into, most common first (ties go to the earlier one).
_COMMON_TLDS: tuple[str, ...] = (
    "com", "net", "org", "nl", "de", "fr", "be", "it", "gr", "eu", "uk", "co.uk", "at", "ch",
    "es", "lu", "info", "biz", "io", "pl", "pt", "dk", "se", "no", "fi", "ie", "cz",
)  # fmt: skip
# Real TLDs, so a company's real TLD is never "corrected": every ISO 3166 country code, the
# legacy gTLDs, the IANA gTLDs within one edit of a common TLD (IANA list of May 2026), and
# European city and region TLDs. Longer unknown TLDs are never close enough to be corrected.
_GENERIC_TLDS = (
    "com", "net", "org", "info", "biz", "edu", "gov", "int", "mil", "name", "pro", "mobi",
    "aero", "asia", "cat", "coop", "jobs", "museum", "tel", "travel", "app", "dev", "shop",
    "online", "store", "site", "tech", "xyz", "cloud", "email",
    "art", "bet", "bid", "bio", "bom", "cam", "eat", "esq", "eus", "fit", "frl", "ftr", "fyi",
    "gbiz", "ice", "ist", "itv", "lat", "lpl", "mit", "mom", "nec", "new", "next", "nfl", "ngo",
    "now", "ntt", "ong", "onl", "pet", "sew", "sex", "sfr", "tdk", "uno", "vet",
    "amsterdam", "berlin", "hamburg", "koeln", "cologne", "bayern", "nrw", "ruhr", "saarland",
    "paris", "bzh", "alsace", "corsica", "brussels", "vlaanderen", "gent", "swiss", "wien",
    "tirol", "london", "scot", "wales", "cymru", "barcelona", "madrid", "gal",
)  # fmt: skip
KNOWN_TLDS = frozenset(
    {country.alpha_2.lower() for country in pycountry.countries}
    | {"uk", "eu", "ac", "su"}
    | set(_GENERIC_TLDS)
    | _TWO_LEVEL_SUFFIXES
)

_TEST_WORD = re.compile(TEST_WORD_PATTERN)
_LONG_NAME = 5  # provider names this long may be matched with a different name (gmial -> gmail)


@dataclass(frozen=True, slots=True)
class AddressSyntax:
    """email-validator's view of one address; `error` is None when the syntax is fine."""

    error: str | None
    local_part: str = ""
    domain: str = ""  # Unicode form, lower-case
    ascii_domain: str = ""  # IDNA form, what DNS and the blocklists use
    smtputf8: bool = False  # the local part needs an SMTPUTF8-capable mail system


def check_syntax(email: str) -> AddressSyntax:
    """Syntax only (no DNS): quoted local parts and IP literals are rejected, as ESPs do.

    strict: a local part over 64 characters (RFC 5321) is invalid, as verifiers report it;
    email-validator otherwise lets it pass.
    """
    try:
        result = validate_email(email, check_deliverability=False, strict=True)
    except EmailNotValidError as error:
        return AddressSyntax(error=str(error))
    return AddressSyntax(
        error=None,
        local_part=result.local_part,
        domain=result.domain,
        ascii_domain=result.ascii_domain,
        smtputf8=result.smtputf8,
    )


# A plain lower-case ASCII dot-atom local part: for these, email-validator's verdict depends only
# on the domain and the length, so the domain can be validated once for all its addresses.
# Anchored for polars (Rust regex: `$` is the very end, as with re.fullmatch).
_PLAIN_LOCAL = r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$"
_MAX_LOCAL, _MAX_ADDRESS = 64, 254

SYNTAX_COLUMNS: dict[str, pl.DataType] = {
    "email": pl.String(),
    "error": pl.String(),  # null when the syntax is fine; then the AddressSyntax fields follow
    "local_part": pl.String(),
    "domain": pl.String(),
    "ascii_domain": pl.String(),
    "smtputf8": pl.Boolean(),
}
_DOMAIN_COLUMNS: dict[str, pl.DataType] = {
    "_domain": pl.String(),
    "_domain_error": pl.String(),
    "_unicode_domain": pl.String(),
    "_ascii_domain": pl.String(),
    "_domain_smtputf8": pl.Boolean(),
    "_longest_domain": pl.Int64(),
}


def check_syntax_frame(emails: pl.Series) -> pl.DataFrame:
    """`check_syntax` of each address, as SYNTAX_COLUMNS rows in the order of `emails` (no nulls).

    email-validator spends most of its time on the domain (IDNA, UTS #46), and a month of
    contacts has far fewer domains than addresses. Plain lower-case ASCII local parts take a
    shortcut: the split and the checks on the local part run on the whole column, and
    email-validator sees each of their distinct domains once. Anything else (quotes, Unicode,
    odd lengths, bad domains) gets the full check per distinct address, so the result is the
    same as calling `check_syntax` on each address.
    """
    # Only an address with exactly one @ can have a plain local part (@ is not in its alphabet):
    # then the parts around it are what str.rpartition gives.
    parts = pl.col("email").str.split("@")
    one_at = parts.list.len() == 2
    frame = (
        emails.rename("email")
        .to_frame()
        .with_columns(
            _local=pl.when(one_at).then(parts.list.first()),
            _domain=pl.when(one_at).then(parts.list.last()),
        )
        .with_columns(
            _plain=(
                pl.col("_local").str.contains(_PLAIN_LOCAL)
                & (pl.col("_local").str.len_chars() <= _MAX_LOCAL)
            ).fill_null(False)
        )
    )
    domains = frame.filter("_plain").get_column("_domain").unique()
    frame = frame.join(
        _check_domains(domains), on="_domain", how="left", maintain_order="left"
    ).with_columns(
        # An ASCII local part is as long in bytes as in characters.
        _shortcut=(
            pl.col("_plain")
            & pl.col("_domain_error").is_null()
            & (pl.col("_local").str.len_bytes() + 1 + pl.col("_longest_domain") <= _MAX_ADDRESS)
        ).fill_null(False)
    )
    full = _check_addresses(frame.filter(~pl.col("_shortcut")).get_column("email").unique())
    return frame.join(full, on="email", how="left", maintain_order="left").select(
        "email",
        *(
            pl.when("_shortcut").then(shortcut).otherwise(name).alias(name)
            for name, shortcut in (
                ("error", pl.lit(None, dtype=pl.String())),
                ("local_part", pl.col("_local")),
                ("domain", pl.col("_unicode_domain")),
                ("ascii_domain", pl.col("_ascii_domain")),
                ("smtputf8", pl.col("_domain_smtputf8")),
            )
        ),
    )


# The plainest domains: lower-case ASCII letters, digits, hyphens and dots, ending in a letter,
# with no "--" (so no Punycode and no reserved R-LDH label). email-validator passes such a domain
# unchanged when its labels and length are within the limits and it is not a special-use name;
# the rest are asked of email-validator itself.
_PLAIN_DOMAIN = r"^[a-z0-9.-]+[a-z]$"
_MAX_DOMAIN, _MAX_LABEL = 252, 63  # 252: "x@" + domain within the 254 of an address
_SPECIAL_USE = tuple(SPECIAL_USE_DOMAIN_NAMES)


def _plain_domain_passes(domain: pl.Expr) -> pl.Expr:
    """True where email-validator surely accepts the domain as it is (see _PLAIN_DOMAIN)."""
    labels = domain.str.split(".")
    return (
        domain.str.contains(_PLAIN_DOMAIN)
        & domain.str.contains(".", literal=True)
        & ~domain.str.contains("--", literal=True)
        & (domain.str.len_bytes() <= _MAX_DOMAIN)
        & labels.list.eval(
            pl.element().str.len_bytes().is_between(1, _MAX_LABEL)
            & ~pl.element().str.starts_with("-")
            & ~pl.element().str.ends_with("-")
        ).list.all()
        & ~pl.any_horizontal(
            (domain == name) | domain.str.ends_with("." + name) for name in _SPECIAL_USE
        )
    ).fill_null(False)


def _check_domains(domains: pl.Series) -> pl.DataFrame:
    """email-validator's verdict on each domain (as x@domain), with the longest of its forms
    (as given, Unicode, IDNA) in bytes, for the length limit on the whole address in each form.

    The plainest domains (most of a CRM's) are decided in polars, as email-validator would;
    `tests/test_validate_vectorized.py` compares both on generated domains.
    """
    frame = domains.rename("_domain").to_frame()
    plain = frame.filter(_plain_domain_passes(pl.col("_domain"))).select(
        "_domain",
        pl.lit(None, dtype=pl.String()).alias("_domain_error"),
        pl.col("_domain").alias("_unicode_domain"),
        pl.col("_domain").alias("_ascii_domain"),
        pl.lit(False).alias("_domain_smtputf8"),
        pl.col("_domain").str.len_bytes().cast(pl.Int64()).alias("_longest_domain"),
    )
    rest = frame.filter(~_plain_domain_passes(pl.col("_domain"))).get_column("_domain")
    return pl.concat([plain, _validated_domains(rest)], how="vertical")


def _validated_domains(domains: pl.Series) -> pl.DataFrame:
    """_check_domains through email-validator, one domain at a time."""
    rows = []
    for domain in domains:
        parsed = check_syntax("x@" + domain)
        longest = max(len(form.encode()) for form in (domain, parsed.domain, parsed.ascii_domain))
        rows.append(
            (domain, parsed.error, parsed.domain, parsed.ascii_domain, parsed.smtputf8, longest)
        )
    return pl.DataFrame(rows, schema=_DOMAIN_COLUMNS, orient="row")


def _check_addresses(emails: pl.Series) -> pl.DataFrame:
    """The full `check_syntax` of each (distinct) address."""
    rows = [(email, *_fields(check_syntax(email))) for email in emails]
    return pl.DataFrame(rows, schema=SYNTAX_COLUMNS, orient="row")


def _fields(parsed: AddressSyntax) -> tuple[str | None, str, str, str, bool]:
    """The AddressSyntax fields in SYNTAX_COLUMNS order."""
    return (parsed.error, parsed.local_part, parsed.domain, parsed.ascii_domain, parsed.smtputf8)


def _self_and_parents(domain: str) -> list[str]:
    labels = domain.lower().rstrip(".").split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def is_disposable(domain: str) -> bool:
    """A throw-away mailbox domain, or a subdomain of one (x.mailinator.com)."""
    return any(candidate in _DISPOSABLE for candidate in _self_and_parents(domain))


def is_test_address(local_part: str, domain: str) -> bool:
    """test@, asdf@, xxx@ ... or a documentation / test domain (any subdomain too)."""
    return is_test_local_part(local_part) or is_test_domain(domain)


def is_test_local_part(local_part: str) -> bool:
    """test@, asdf@, xxx@, dummy@ ... (digits may follow; a +tag is ignored)."""
    return _TEST_WORD.match(local_base(local_part)) is not None


def is_test_domain(domain: str) -> bool:
    """example.com, test.com ... or any subdomain of one: separate so it runs once per domain."""
    return any(candidate in TEST_DOMAINS for candidate in _self_and_parents(domain))


def split_domain(domain: str) -> tuple[str, str, str]:
    """(subdomain prefix, second-level name, TLD): mail.brouwer.co.uk -> (mail, brouwer, co.uk)."""
    labels = domain.split(".")
    suffix_labels = 2 if len(labels) >= 3 and ".".join(labels[-2:]) in _TWO_LEVEL_SUFFIXES else 1
    tld = ".".join(labels[-suffix_labels:])
    name = labels[-suffix_labels - 1] if len(labels) > suffix_labels else ""
    prefix = ".".join(labels[: -suffix_labels - 1])
    return prefix, name, tld


def _brand_domains() -> dict[str, int]:
    counts: dict[str, int] = {}
    for provider in FREE_MAIL_PROVIDERS:
        name = split_domain(provider)[1]
        counts[name] = counts.get(name, 0) + 1
    return counts


_PROVIDER_PARTS = {provider: split_domain(provider) for provider in FREE_MAIL_PROVIDERS}
_BRAND_DOMAIN_COUNT = _brand_domains()
_LONG_PROVIDER_NAMES = tuple(
    dict.fromkeys(name for _, name, _ in _PROVIDER_PARTS.values() if len(name) >= _LONG_NAME)
)


@lru_cache(maxsize=100_000)
def suggest_domain(domain: str) -> str | None:
    """The provider domain the writer probably meant (gmial.com -> gmail.com), else None."""
    domain = domain.lower().rstrip(".")
    if domain in PROVIDER_DOMAINS or "." not in domain:
        return None
    prefix, name, tld = split_domain(domain)
    closest = _closest_provider(domain, name, tld)
    if closest is not None:
        return closest
    fixed_tld = tld if tld in KNOWN_TLDS else _closest(tld, _COMMON_TLDS, 1, OSA.distance) or tld
    fixed_name = name
    if not prefix:
        candidate = _closest(name, _LONG_PROVIDER_NAMES, 2, Levenshtein.distance)
        if candidate is not None and f"{candidate}.{fixed_tld}" in PROVIDER_DOMAINS:
            fixed_name = candidate
    fixed = ".".join(part for part in (prefix, fixed_name, fixed_tld) if part)
    return fixed if fixed != domain else None


def suggest_domains(domains: Sequence[str]) -> list[str | None]:
    """`suggest_domain` of each domain, screened first all at once.

    A domain gets a suggestion only when it is within two edits of a free-mail provider, has a
    TLD nobody uses, or (without a subdomain) its name is within two edits of a long provider
    name; rapidfuzz finds those in one call over the whole list, and only they go through the
    rules one by one (a month has tens of thousands of company domains and few typos).
    """
    lowered = [domain.lower().rstrip(".") for domain in domains]
    near = _near_any(lowered, FREE_MAIL_PROVIDERS)
    parts = [split_domain(domain) for domain in lowered]
    names = [name if not prefix else "" for prefix, name, _ in parts]
    near_name = _near_any(names, _LONG_PROVIDER_NAMES)
    return [
        suggest_domain(domain) if near[i] or near_name[i] or parts[i][2] not in KNOWN_TLDS else None
        for i, domain in enumerate(domains)
    ]


def _near_any(words: list[str], choices: tuple[str, ...]) -> list[bool]:
    """Whether each word is within two edits (Levenshtein) of any choice."""
    if not words or not choices:
        return [False] * len(words)
    distances = process.cdist(words, choices, scorer=Levenshtein.distance, score_cutoff=2)
    return (distances <= 2).any(axis=1).tolist()


def _closest_provider(domain: str, name: str, tld: str) -> str | None:
    best, best_distance = None, 3
    # No provider further than 2 edits can win: let rapidfuzz find the few within 2 in one call.
    for index, distance in _within(domain, FREE_MAIL_PROVIDERS, 2, Levenshtein.distance):
        provider = FREE_MAIL_PROVIDERS[index]
        provider_name = _PROVIDER_PARTS[provider][1]
        long_name = len(provider_name) >= _LONG_NAME
        limit = min(2 if long_name else 1, best_distance - 1)
        if distance > limit:
            continue
        if name != provider_name and not long_name:
            continue  # short names: tree.fr is a company, not a typo of free.fr
        # Same provider name, another real TLD: a regional variant (outlook.be) or a company
        # (sky.co), unless a long brand lives on one domain only and one character slipped
        # (gmail.cm).
        if (
            name == provider_name
            and tld in KNOWN_TLDS
            and (not long_name or _BRAND_DOMAIN_COUNT[name] > 1 or distance > 1)
        ):
            continue
        best, best_distance = provider, distance
    return best


def _closest(word: str, choices: tuple[str, ...], limit: int, metric) -> str | None:
    """The first choice at the smallest distance <= limit (choices are ordered by preference)."""
    within = _within(word, choices, limit, metric)
    if not within:
        return None
    index, _ = min(within, key=lambda found: (found[1], found[0]))
    return choices[index]


def _within(word: str, choices: tuple[str, ...], limit: int, metric) -> list[tuple[int, int]]:
    """(index, distance) of each choice at most `limit` edits from `word`, in choice order."""
    found = process.extract(word, choices, scorer=metric, score_cutoff=limit, limit=None)
    return sorted((index, distance) for _, distance, index in found)
