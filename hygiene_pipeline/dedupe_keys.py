"""Comparison keys for duplicate detection: folded names, email parts, company keys, blocks.

Everything here is a vectorized polars expression over whole columns; nothing loops over rows.

Folding: lower-case, a few letters NFKD cannot split (ß, æ, ø, ł ...), NFKD, drop combining marks.
Scripts without a Latin form (Greek, Cyrillic) stay in their own letters, accent-free and
lower-case: they still compare and block among themselves, they just never meet a transliterated
spelling (transliteration is a later issue).
"""

from __future__ import annotations

import polars as pl

from hygiene_pipeline.email_rules import (
    FREE_MAIL_FAMILY_PATTERN,
    FREE_MAIL_PROVIDERS,
    ROLE_ACCOUNTS,
)
from hygiene_pipeline.names import PARTICLES

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
    "name+domain+title",
    "domain+initial+title",
)


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
    """Folded letters of a first name, without particles that slipped in ("Jan de" -> "jan")."""
    folded = fold(expr.str.strip_chars(), german=german)
    return _letters_only(folded.str.replace(_TRAILING_PARTICLES, ""))


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


def _per_distinct_value(frame: pl.DataFrame, column: str, **keys: pl.Expr) -> pl.DataFrame:
    """Compute `keys` from `column` once per distinct value (names repeat a lot) and join back."""
    distinct = frame.select(pl.col(column).unique().drop_nulls()).with_columns(**keys)
    return frame.join(distinct, on=column, how="left")


def contact_features(contacts: pl.DataFrame) -> pl.DataFrame:
    """One row per contact (`idx` = its row number) with every key the matcher compares."""
    frame = _per_distinct_value(
        contacts,
        "first_name",
        first=first_name_key(pl.col("first_name")),
        first_de=first_name_key(pl.col("first_name"), german=True),
    )
    frame = _per_distinct_value(
        frame,
        "last_name",
        last=last_name_key(pl.col("last_name")),
        last_de=last_name_key(pl.col("last_name"), german=True),
    )
    frame = _per_distinct_value(frame, "company", company_key=company_key(pl.col("company")))
    frame = _per_distinct_value(frame, "job_title", title=title_key(pl.col("job_title")))
    email = pl.col("email").str.strip_chars().str.to_lowercase()
    frame = frame.select(
        "idx",
        "first",
        "last",
        "first_de",
        "last_de",
        email=pl.when(email.str.contains("@")).then(email),
        phone=pl.col("phone").str.strip_chars(),
        mobile=pl.col("phone_type").fill_null("") == "mobile",
        company="company_key",
        title="title",
    )
    frame = frame.with_columns(
        local=pl.col("email").str.extract(r"^(.+)@[^@]+$").str.replace(r"\+.*$", ""),
        domain=pl.col("email").str.extract(r"@([^@]+)$"),
    )
    frame = _per_distinct_value(
        frame,
        "domain",
        corp_domain=pl.when(~is_free_mail(pl.col("domain"))).then(pl.col("domain")),
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
    for first_column, last_column in (("first", "last"), ("first_de", "last_de")):
        first, last = pl.col(first_column).fill_null(""), pl.col(last_column).fill_null("")
        f1, l1 = first.str.slice(0, 1), last.str.slice(0, 1)
        spellings += [first + last, last + first, f1 + last, last + f1, first + l1, l1 + first]
        spellings += [first, last]
    from_name = pl.any_horizontal([core == spelling for spelling in spellings])
    usable = (
        (core.str.len_chars() >= 5)
        & ~local.is_in(ROLE_ACCOUNTS)
        & (core.str.contains(r"\d") | ~from_name)
    )
    return pl.when(usable).then(local)


def _name_keys(features: pl.DataFrame) -> pl.DataFrame:
    """Long frame (idx, name_key, ...): last name's first 4 letters + first initial.

    Both spellings (plain and German ae/oe/ue) and the swapped order (first name in the last name
    field) are emitted, so Müller/Mueller and swapped names land in one block.
    """
    context = ("idx", "company", "corp_domain", "personal_local", "title")
    parts = []
    for first, last in (("first", "last"), ("first_de", "last_de")):
        for key in (
            pl.col(last).str.slice(0, 4) + pl.col(first).str.slice(0, 1),
            pl.col(first).str.slice(0, 4) + pl.col(last).str.slice(0, 1),
        ):
            parts.append(features.select(*context, name_key=key))
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
      only lets match on the same mobile (phone block) or the same job title. So the corporate
      domain blocks (with the name key, or with the last name's initial) include the job title.
      If that guard is ever relaxed, drop "title" from these two blocks.
    """

    def block(frame: pl.DataFrame, block_type: str, *columns: str) -> pl.DataFrame:
        return frame.select(
            block_type=pl.lit(BLOCK_TYPES.index(block_type), dtype=pl.UInt8),
            key=key_hash(*columns),
            idx="idx",
        )

    names = _name_keys(features)
    initials = pl.concat(
        [
            features.select("idx", "corp_domain", "title", initial=pl.col(last).str.slice(0, 1))
            for last in ("last", "last_de")
        ]
    )
    parts = [
        block(features, "email", "email"),
        block(features, "phone", "phone"),
        block(names, "name+company", "name_key", "company"),
        block(names, "name+local", "name_key", "personal_local"),
        block(names, "name+domain+title", "name_key", "corp_domain", "title"),
        block(initials, "domain+initial+title", "corp_domain", "initial", "title"),
    ]
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
