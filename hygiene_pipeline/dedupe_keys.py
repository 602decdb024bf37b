"""Comparison keys for duplicate detection: folded names, email parts, company keys, blocks.

Everything here is a vectorized polars expression over whole columns; nothing loops over rows.

Folding: lower-case, a few letters NFKD cannot split (ß, æ, ø, ł ...), NFKD, drop combining marks.
Scripts without a Latin form (Greek, Cyrillic) stay in their own letters, accent-free and
lower-case: they still compare and block among themselves, they just never meet a transliterated
spelling (transliteration is a later issue).
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from typing import Any

import polars as pl

from hygiene_pipeline.email_rules import (
    FREE_MAIL_FAMILY_PATTERN,
    FREE_MAIL_PROVIDERS,
    ROLE_ACCOUNTS,
)
from hygiene_pipeline.names import PARTICLES
from hygiene_pipeline.phone_rules import e164_placeholder_pattern

# Name particles stripped from the front of a last name before comparing ("van der Berg" and
# "Berg" compare as "berg") and from the end of a first name ("Jan de" + "Vries" -> "jan").
# Dutch "'t" (van 't Hek) is a particle here although names.py has no casing rule for it.
NAME_PARTICLES = (*sorted(PARTICLES - {"e", "y"}), "'t", "’t")

# Letters NFKD leaves alone, folded by hand (after lower-casing).
_SPECIAL_FOLDS = {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "ð": "d",
                  "þ": "th", "ı": "i"}  # fmt: skip
# German spelling without umlauts (Müller -> Mueller): names are also compared in this form.
_GERMAN_FOLDS = {"ä": "ae", "ö": "oe", "ü": "ue"}


# Company values that name no company: two "n/a" records do not work together.
_COMPANY_PLACEHOLDERS = (
    "na", "nvt", "none", "unknown", "onbekend", "unbekannt", "inconnu", "private", "privat",
    "prive", "particulier", "selfemployed", "freelance", "freelancer", "zzp", "self", "test",
    "student", "retired", "geen", "keine", "aucune", "home", "company", "x",
)  # fmt: skip
# Legal-form words dropped from the end of a company name ("Acme B.V." == "ACME BV" == "Acme").
_LEGAL_FORMS = (
    "bv", "nv", "vof", "cv", "bvba", "sprl", "srl", "gmbh", "ag", "kg", "kgaa", "ug", "ev",
    "sa", "sas", "sarl", "sasu", "eurl", "spa", "sl", "slu", "ltd", "limited", "inc", "llc",
    "plc", "co", "corp", "oy", "oyj", "ab", "as", "asa", "aps", "se", "sro", "kft", "spzoo",
)  # fmt: skip

BLOCK_TYPES = (
    "email",
    "phone",
    "name+company",
    "name+local",
    "identifier",
    "name+identifier",
)
IDENTIFIER_PREFIX = "id:"  # feature columns of DedupeConfig.identifiers: "id:date_of_birth"


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(word.replace("'", "['’]") for word in words if not word.startswith("’"))


_PARTICLE_ALT = _alternatives(NAME_PARTICLES)
_LEADING_PARTICLES = rf"^(?:(?:{_PARTICLE_ALT})\s+)+(\S)"
_TRAILING_PARTICLES = rf"(?:\s+(?:{_PARTICLE_ALT}))+$"
_TRAILING_LEGAL_FORMS = rf"(?:\s+(?:{'|'.join(_LEGAL_FORMS)}))+$"


def fold(expr: pl.Expr, *, german: bool = False) -> pl.Expr:
    """Lower-case and strip accents; `german=True` first spells ä/ö/ü as ae/oe/ue."""
    out = expr.str.normalize("NFC").str.to_lowercase()
    if german:
        out = out.str.replace_many(list(_GERMAN_FOLDS), list(_GERMAN_FOLDS.values()))
    out = out.str.replace_many(list(_SPECIAL_FOLDS), list(_SPECIAL_FOLDS.values()))
    return out.str.normalize("NFKD").str.replace_all(r"\p{M}", "")


def _letters_only(expr: pl.Expr) -> pl.Expr:
    out = expr.str.replace_all(r"[^\p{L}]", "")
    return pl.when(out.str.len_chars() > 0).then(out)


def first_name_key(expr: pl.Expr, *, german: bool = False) -> pl.Expr:
    """Folded letters of a first name, without particles that slipped in.

    "Jan de" -> "jan"; and "de Wit" (a last name typed into the first-name field) -> "wit", so
    swapped names compare like the last-name key does.
    """
    folded = fold(expr.str.strip_chars(), german=german)
    folded = folded.str.replace(_TRAILING_PARTICLES, "").str.replace(_LEADING_PARTICLES, "${1}")
    return _letters_only(folded)


def last_name_key(expr: pl.Expr, *, german: bool = False) -> pl.Expr:
    """Folded letters of a last name without leading particles ("van der Berg" -> "berg")."""
    folded = fold(expr.str.strip_chars(), german=german)
    return _letters_only(folded.str.replace(_LEADING_PARTICLES, "${1}"))


def company_key(expr: pl.Expr) -> pl.Expr:
    """Company name ignoring case, accents, punctuation and a trailing legal form; null if none."""
    out = fold(expr).str.replace_all(r"[.'’]", "").str.replace_all("&", " and ")
    out = out.str.replace_all(r"[^\p{L}\p{N}]+", " ").str.strip_chars()
    out = out.str.replace(_TRAILING_LEGAL_FORMS, "").str.replace_all(" ", "")
    return pl.when((out.str.len_chars() > 0) & ~out.is_in(_COMPANY_PLACEHOLDERS)).then(out)


def title_key(expr: pl.Expr) -> pl.Expr:
    """Job title ignoring case, accents, spacing and punctuation; null if blank."""
    out = fold(expr).str.replace_all(r"[^\p{L}\p{N}]+", "")
    return pl.when(out.str.len_chars() > 0).then(out)


def is_free_mail(domain: pl.Expr) -> pl.Expr:
    """A consumer provider's domain: sharing it says nothing about a shared employer."""
    return domain.is_in(FREE_MAIL_PROVIDERS) | domain.str.contains(FREE_MAIL_FAMILY_PATTERN)


def _per_distinct_value(
    frame: pl.DataFrame, columns: str | list[str], **keys: pl.Expr
) -> pl.DataFrame:
    """Compute `keys` from `columns` once per distinct value (names repeat a lot) and join back."""
    on = [columns] if isinstance(columns, str) else columns
    distinct = frame.select(on).unique().with_columns(**keys)
    return frame.join(distinct, on=on, how="left", nulls_equal=True)


# --- the matching keys normalization provides (one adapter) ----------------------------------

# Columns the normalization stage adds to normalized_contacts for matching (names agreed with it).
MATCHING_KEY_COLUMNS = (
    "first_name_ascii",  # ASCII transliteration (Greek -> Latin), lower-case
    "last_name_ascii",
    "first_name_canonical",  # nickname-canonical first name (bob -> robert)
    "last_name_phonetic",
    "company_key",  # company name without legal form and punctuation
    "email_domain",
    "company_domain",  # the email domain when it is not free-mail
)
_NAME_KEY_COLUMNS = MATCHING_KEY_COLUMNS[:4]


def with_matching_keys(contacts: pl.DataFrame) -> pl.DataFrame:
    """`contacts` with every MATCHING_KEY_COLUMNS column: the one place dedupe gets them from.

    In order: the columns already on the input (normalized_contacts carries them); else the
    normalization's own functions (`matching_keys.name_keys`, `companies.company_key`) when they
    are installed; else a fallback from this module's folding: ASCII = accent-free lower case
    (Greek stays Greek), canonical = ASCII (no nickname table), phonetic = ASCII. The fallback
    never transliterates or knows nicknames, so it finds fewer duplicates, never more: dedupe
    keeps no second transliteration or nickname table.
    """
    missing = [name for name in MATCHING_KEY_COLUMNS if _lacks(contacts, name)]
    if not missing:
        return contacts
    added: dict[str, pl.Series | pl.Expr] = {}
    name_keys = _normalization_function("matching_keys", "name_keys")
    if name_keys is not None and any(name in missing for name in _NAME_KEY_COLUMNS):
        keys = name_keys(contacts.get_column("first_name"), contacts.get_column("last_name"))
        added.update({name: keys.get_column(name) for name in _NAME_KEY_COLUMNS})
    company_keys = _normalization_function("companies", "company_key")
    if company_keys is not None:
        added["company_key"] = company_keys(contacts.get_column("company")).alias("company_key")
    email = pl.col("email").str.strip_chars().str.to_lowercase()
    domain = email.str.extract(r"@([^@\s]+)$")
    fallback: dict[str, pl.Series | pl.Expr] = {
        "first_name_ascii": fold(pl.col("first_name").str.strip_chars()),
        "last_name_ascii": fold(pl.col("last_name").str.strip_chars()),
        "first_name_canonical": fold(pl.col("first_name").str.strip_chars()),
        "last_name_phonetic": fold(pl.col("last_name").str.strip_chars()),
        "company_key": company_key(pl.col("company")),
        "email_domain": domain,
        "company_domain": pl.when(~is_free_mail(domain)).then(domain),
    }
    computed = contacts.select(**{name: added.get(name, fallback[name]) for name in missing})
    return contacts.with_columns(
        pl.coalesce(pl.col(name), computed.get_column(name)).alias(name)
        if name in contacts.columns
        else computed.get_column(name)
        for name in missing
    )


# The normalized column each matching key is computed from.
_KEY_SOURCES = {
    "first_name_ascii": "first_name",
    "last_name_ascii": "last_name",
    "first_name_canonical": "first_name",
    "last_name_phonetic": "last_name",
    "company_key": "company",
    "email_domain": "email",
    "company_domain": "email",
}


def _lacks(contacts: pl.DataFrame, name: str) -> bool:
    """True when the key column is absent, or null on a row whose source value is not.

    (company_domain is null on free-mail rows by design, so it is judged by email_domain.)
    """
    if name not in contacts.columns:
        return True
    judged = "email_domain" if name == "company_domain" else name
    if judged not in contacts.columns:
        return True
    source = _KEY_SOURCES[name]
    blank = contacts.get_column(judged).is_null() & contacts.get_column(source).is_not_null()
    return bool(blank.any())


def _normalization_function(module: str, name: str) -> Callable[..., Any] | None:
    """A public function of the normalization's modules, or None while it is not there."""
    qualified = f"hygiene_pipeline.{module}"
    if importlib.util.find_spec(qualified) is None:
        return None
    return getattr(importlib.import_module(qualified), name, None)


def matching_keys_source(contacts: pl.DataFrame) -> str:
    """Where `with_matching_keys` takes the name keys from: input, matching_keys or fallback."""
    if all(name in contacts.columns for name in MATCHING_KEY_COLUMNS):
        return "input"
    if _normalization_function("matching_keys", "name_keys") is not None:
        return "matching_keys"
    return "fallback"


def _other_spelling(key: Callable[..., pl.Expr], raw: str, ascii_key: pl.Expr) -> pl.Expr:
    """The raw name's umlaut spelling the ASCII key does not use (Müller: mueller <-> muller).

    Greek and other scripts have no second spelling: the ASCII key itself.
    """
    stripped, german = key(pl.col(raw)), key(pl.col(raw), german=True)
    other = pl.when(stripped != ascii_key).then(stripped).otherwise(german)
    return pl.when(other.str.contains(r"[^a-z]")).then(ascii_key).otherwise(other)


def _identifier(name: str) -> pl.Expr:
    value = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(value.str.len_chars() > 0).then(value).alias(IDENTIFIER_PREFIX + name)


def identifier_columns(features: pl.DataFrame) -> list[str]:
    return [name for name in features.columns if name.startswith(IDENTIFIER_PREFIX)]


def _real_phone(phone: pl.Expr) -> pl.Expr:
    """The phone unless it is a placeholder (drama ranges, 0612345678): those are no evidence.

    Only numbers shared by 2+ records can link anything, so only those are checked.
    """
    shared = phone.is_duplicated() & phone.is_not_null()
    pattern = (
        pl.when(shared)
        .then(phone)
        .map_elements(e164_placeholder_pattern, return_dtype=pl.String, skip_nulls=True)
    )
    return pl.when(pattern.is_null()).then(phone)


def _squash(expr: pl.Expr) -> pl.Expr:
    out = fold(expr).str.replace_all(r"[^\p{L}\p{N}]+", "")
    return pl.when(out.str.len_chars() > 0).then(out)


def contact_features(contacts: pl.DataFrame, identifiers: tuple[str, ...] = ()) -> pl.DataFrame:
    """One row per contact (`idx` = its row number) with every key the matcher compares.

    `identifiers` (DedupeConfig.identifiers) are kept trimmed, blank = null, as "id:<name>".

    Names: `first`/`last` from the ASCII forms (particles stripped, letters only), `first_de` /
    `last_de` German ae/oe/ue spellings, `first_canon` the nickname-canonical first name,
    `last_full` every letter of the last name (particles kept: for spotting name-spelled emails),
    `last_phon` the phonetic last name (blocking).
    """
    frame = with_matching_keys(contacts)
    frame = _per_distinct_value(
        frame,
        ["first_name", "first_name_ascii", "first_name_canonical"],
        first=first_name_key(pl.col("first_name_ascii")),
        first_de=_other_spelling(
            first_name_key, "first_name", first_name_key(pl.col("first_name_ascii"))
        ),
        first_canon=first_name_key(pl.col("first_name_canonical")),
    )
    frame = _per_distinct_value(
        frame,
        ["last_name", "last_name_ascii", "last_name_phonetic"],
        last=last_name_key(pl.col("last_name_ascii")),
        last_de=_other_spelling(
            last_name_key, "last_name", last_name_key(pl.col("last_name_ascii"))
        ),
        last_full=_letters_only(fold(pl.col("last_name_ascii"))),
        last_phon=_squash(pl.col("last_name_phonetic")),
    )
    frame = _per_distinct_value(
        frame,
        "company_key",
        company_squashed=pl.when(~_squash(pl.col("company_key")).is_in(_COMPANY_PLACEHOLDERS)).then(
            _squash(pl.col("company_key"))
        ),
    )
    frame = _per_distinct_value(frame, "job_title", title=title_key(pl.col("job_title")))
    email = pl.col("email").str.strip_chars().str.to_lowercase()
    domain = pl.col("company_domain").str.strip_chars().str.to_lowercase()
    frame = frame.select(
        "idx",
        "first",
        "last",
        "first_de",
        "last_de",
        "first_canon",
        "last_full",
        "last_phon",
        *[_identifier(name) for name in identifiers],
        email=pl.when(email.str.contains("@")).then(email),
        phone=_real_phone(pl.col("phone").str.strip_chars()),
        mobile=pl.col("phone_type").fill_null("") == "mobile",
        company="company_squashed",
        title="title",
        corp_domain=pl.when(domain.str.len_chars() > 0).then(domain),
    )
    frame = frame.with_columns(
        local=pl.col("email").str.extract(r"^(.+)@[^@]+$").str.replace(r"\+.*$", ""),
    )
    # jan.jansen2@ is what a namesake gets when jan.jansen@ is taken: 1-2 trailing digits do
    # not make a name-spelled local part personal (a year, jjansen1978, does).
    local_core = pl.col("local").str.replace_all(r"[^a-z0-9]", "")
    frame = frame.with_columns(local_core=local_core.str.replace(r"(\D)\d{1,2}$", "${1}"))
    return frame.with_columns(personal_local=_personal_local()).drop("local_core").sort("idx")


def _personal_local() -> pl.Expr:
    """The email local part (needs column local_core) when it says something about the person.

    Role boxes (info@) and local parts spelled from the name itself (jan.jansen@, jjansen@) are
    shared by namesakes, so they are not evidence; "jansen.j1978" or "bolle" are.
    """
    local, core = pl.col("local"), pl.col("local_core")
    spellings = []
    for first_column in ("first", "first_de", "first_canon"):
        for last_column in ("last", "last_de", "last_full"):
            first, last = pl.col(first_column).fill_null(""), pl.col(last_column).fill_null("")
            f1, l1 = first.str.slice(0, 1), last.str.slice(0, 1)
            spellings += [first + last, last + first, f1 + last, last + f1, first + l1, l1 + first]
            spellings += [first, last]
    from_name = pl.any_horizontal([core == spelling for spelling in spellings])
    # Transliterations differ (Λαμπράκη: lampraki or lambraki), so a local part holding the first
    # name or the last name's first four letters counts as spelled from the name too.
    for name in ("first", "first_canon", "last", "last_full"):
        part = pl.col(name).fill_null("")
        part = pl.when(name.startswith("last")).then(part.str.slice(0, 4)).otherwise(part)
        from_name = from_name | (
            (part.str.len_chars() >= 3) & core.str.contains(part, literal=True)
        )
    # A name still in another script (no transliteration available) cannot be checked against an
    # ASCII local part: treat the local part as possibly spelled from the name.
    unreadable = pl.any_horizontal(
        pl.col(name).fill_null("").str.contains(r"[^a-z]") for name in ("first", "last_full")
    )
    from_name = from_name | unreadable
    usable = (
        (core.str.len_chars() >= 5)
        & ~local.is_in(ROLE_ACCOUNTS)
        & (core.str.contains(r"\d") | ~from_name)
    )
    return pl.when(usable).then(local)


def _name_keys(features: pl.DataFrame) -> pl.DataFrame:
    """Long frame (idx, name_key, ...): last name's first 4 letters + first initial.

    Emitted for the ASCII and the other umlaut spelling, in the swapped order too (first name in
    the last-name field), and as phonetic last name + initial of the nickname-canonical first
    name, so Müller/Mueller, swapped names, Meyer/Meijer and Kees/Cornelis land in one block.
    """
    context = ("idx", "company", "personal_local", *identifier_columns(features))
    keys = []
    for first, last in (("first", "last"), ("first_de", "last_de")):
        keys.append(pl.col(last).str.slice(0, 4) + pl.col(first).str.slice(0, 1))
        keys.append(pl.col(first).str.slice(0, 4) + pl.col(last).str.slice(0, 1))
    keys.append(pl.lit("~") + pl.col("last_phon") + pl.col("first_canon").str.slice(0, 1))
    parts = [features.select(*context, name_key=key) for key in keys]
    return pl.concat(parts).drop_nulls("name_key").unique(["idx", "name_key"])


def key_hash(*columns: str) -> pl.Expr:
    """64-bit hash of one or more key columns; null when any of them is null.

    Hashes only decide which records get compared: a collision adds a candidate pair that the
    exact comparison in scoring then rejects, it can never create a match.
    """
    present = pl.all_horizontal(pl.col(columns).is_not_null())
    hashed = pl.col(columns[0]).hash() if len(columns) == 1 else pl.struct(columns).hash()
    return pl.when(present).then(hashed)


def blocking_keys(features: pl.DataFrame) -> pl.DataFrame:
    """Long frame (block_type, key, idx): records sharing a (block_type, key) get compared.

    `block_type` indexes BLOCK_TYPES; `key` is a hash of the block's key fields.

    Blocks only pair records that some match rule could accept, which keeps them small without
    losing a single acceptable pair:
    - a name key alone is never a block: every rule needs an exact field to agree besides the
      names (email, phone, company, personal email local part), so name keys are combined with
      those fields;
    - two records with the same corporate email domain either have the same address (email
      block) or are two mailboxes at one company, which the colleague guard in dedupe_scoring
      only lets match on the same mobile (phone block); so a domain is no block of its own.
    - DedupeConfig.identifiers (date of birth, national id, postcode: none in CRM exports) block
      alone and with the name key.
    """

    def block(frame: pl.DataFrame, block_type: str, *columns: str) -> pl.DataFrame:
        return frame.select(
            block_type=pl.lit(BLOCK_TYPES.index(block_type), dtype=pl.UInt8),
            key=key_hash(*columns),
            idx="idx",
        )

    names = _name_keys(features)
    parts = [
        block(features, "email", "email"),
        block(features, "phone", "phone"),
        block(names, "name+company", "name_key", "company"),
        block(names, "name+local", "name_key", "personal_local"),
    ]
    for position, column in enumerate(identifier_columns(features)):
        tagged = pl.concat_str(pl.lit(f"{position}:"), pl.col(column)).alias("identifier")
        parts.append(block(features.with_columns(tagged), "identifier", "identifier"))
        parts.append(block(names.with_columns(tagged), "name+identifier", "name_key", column))
    return pl.concat(parts).drop_nulls("key").unique()


def candidate_pairs(keys: pl.DataFrame, block_cap: int) -> tuple[pl.DataFrame, dict]:
    """Pairs (a, b) with a < b sharing a block of at most `block_cap` records, plus block stats.

    A bigger block (a placeholder phone on 500 rows, info@ on a whole company) is not evidence
    and would cost n² comparisons, so it is skipped and counted.
    """
    sizes = keys.group_by("block_type", "key").agg(size=pl.len())
    per_type = (
        sizes.group_by("block_type")
        .agg(
            blocks=(pl.col("size") >= 2).sum(),
            skipped_blocks=(pl.col("size") > block_cap).sum(),
            skipped_block_rows=pl.col("size").filter(pl.col("size") > block_cap).sum(),
        )
        .sort("block_type")
    )
    stats = {
        block_type: {"blocks": 0, "skipped_blocks": 0, "skipped_block_rows": 0}
        for block_type in BLOCK_TYPES
    }
    for row in per_type.iter_rows(named=True):
        stats[BLOCK_TYPES[row["block_type"]]] = {
            "blocks": int(row["blocks"]),
            "skipped_blocks": int(row["skipped_blocks"]),
            "skipped_block_rows": int(row["skipped_block_rows"] or 0),
        }
    usable = sizes.filter((pl.col("size") >= 2) & (pl.col("size") <= block_cap))
    members = keys.join(usable.select("block_type", "key"), on=["block_type", "key"], how="semi")
    pairs = (
        members.join(members, on=["block_type", "key"], suffix="_b")
        .filter(pl.col("idx") < pl.col("idx_b"))
        .select(a="idx", b="idx_b")
        .unique()
    )
    return pairs, stats
