"""Comparison keys for duplicate detection: name forms, email parts, company keys, blocks.

The matching keys themselves (ASCII and nickname-canonical names, phonetic last name, company
key, email domains) are normalization's: normalized_contacts carries them, and a caller without
them gets them from the same functions (`with_matching_keys`). This module only derives what
the comparisons need from them, as vectorized polars expressions over whole columns (Python
runs once per distinct value at most).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from hygiene_pipeline.normalize.companies import PLACEHOLDERS, company_key
from hygiene_pipeline.normalize.emails import email_domain_expr
from hygiene_pipeline.normalize.job_titles import (
    job_function_expr,
    job_role_expr,
    job_seniority_expr,
)
from hygiene_pipeline.normalize.mailboxes import ROLE_ACCOUNTS, is_free_mail
from hygiene_pipeline.normalize.matching_keys import ascii_series, name_keys
from hygiene_pipeline.normalize.names import PARTICLES
from hygiene_pipeline.normalize.phone_placeholders import e164_placeholder_pattern

# Name particles stripped from the front of a last name before comparing ("van der Berg" and
# "Berg" compare as "berg") and from the end of a first name ("Jan de" + "Vries" -> "jan").
# Dutch "'t" (van 't Hek) is a particle here although names.py has no casing rule for it.
NAME_PARTICLES = (*sorted(PARTICLES - {"e", "y"}), "'t", "’t")

# Company keys that name no employer to share: two students or two retirees do not work
# together. companies.PLACEHOLDERS covers "n/a", "privé" ...; these are not placeholders there.
_NO_EMPLOYER = (*PLACEHOLDERS, "student", "retired", "home")

BLOCK_TYPES = (
    "email",
    "phone",
    "name+company",
    "name+local",
    "identifier",
    "name+identifier",
)
IDENTIFIER_PREFIX = "id:"  # feature columns of DedupeConfig.identifiers: "id:date_of_birth"
# normalized_contacts' columns of what a job title says (normalization's job_titles).
TITLE_COLUMNS = ("job_function", "job_seniority")


def _alternatives(words: tuple[str, ...]) -> str:
    return "|".join(word.replace("'", "['’]") for word in words if not word.startswith("’"))


_PARTICLE_ALT = _alternatives(NAME_PARTICLES)
_LEADING_PARTICLES = rf"^(?:(?:{_PARTICLE_ALT})\s+)+(\S)"
_TRAILING_PARTICLES = rf"(?:\s+(?:{_PARTICLE_ALT}))+$"


def _letters_only(expr: pl.Expr) -> pl.Expr:
    out = expr.str.replace_all(r"[^a-z]", "")
    return pl.when(out.str.len_chars() > 0).then(out)


def first_name_key(ascii_name: pl.Expr) -> pl.Expr:
    """Letters of an ASCII first name, without particles that slipped in.

    "Jan de" -> "jan"; and "de Wit" (a last name typed into the first-name field) -> "wit", so
    swapped names compare like the last-name key does.
    """
    out = ascii_name.str.strip_chars().str.to_lowercase()
    out = out.str.replace(_TRAILING_PARTICLES, "").str.replace(_LEADING_PARTICLES, "${1}")
    return _letters_only(out)


def last_name_key(ascii_name: pl.Expr) -> pl.Expr:
    """Letters of an ASCII last name without leading particles ("van der Berg" -> "berg")."""
    out = ascii_name.str.strip_chars().str.to_lowercase()
    return _letters_only(out.str.replace(_LEADING_PARTICLES, "${1}"))


def _squash(expr: pl.Expr) -> pl.Expr:
    """Lower-case letters and digits only; null when none are left."""
    out = expr.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "")
    return pl.when(out.str.len_chars() > 0).then(out)


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


def with_matching_keys(contacts: pl.DataFrame) -> pl.DataFrame:
    """`contacts` with every MATCHING_KEY_COLUMNS column: the one place dedupe gets them from.

    The columns already on the input are kept (normalized_contacts carries them); a key that is
    absent, or blank where its source is not, is computed by normalization's own functions
    (`matching_keys.name_keys`, `companies.company_key`, `emails.email_domain_expr`,
    `mailboxes.is_free_mail`), so dedupe keeps no second transliteration, nickname table or
    company key.
    """
    missing = [name for name in MATCHING_KEY_COLUMNS if _lacks(contacts, name)]
    if not missing:
        return contacts
    computed: dict[str, pl.Series] = {}
    if any(name in missing for name in _NAME_KEY_COLUMNS):
        keys = name_keys(contacts.get_column("first_name"), contacts.get_column("last_name"))
        computed.update({name: keys.get_column(name) for name in _NAME_KEY_COLUMNS})
    if "company_key" in missing:
        computed["company_key"] = company_key(contacts.get_column("company"))
    if {"email_domain", "company_domain"} & set(missing):
        email = pl.col("email").str.strip_chars().str.to_lowercase()
        domains = contacts.select(email_domain_expr(email).alias("email_domain"))
        free = _per_distinct_value(
            domains,
            "email_domain",
            free=pl.col("email_domain").map_elements(
                is_free_mail, return_dtype=pl.Boolean, skip_nulls=True
            ),
        )
        computed["email_domain"] = free.get_column("email_domain")
        computed["company_domain"] = free.select(
            pl.when(~pl.col("free")).then(pl.col("email_domain")).alias("company_domain")
        ).to_series()
    return contacts.with_columns(
        pl.coalesce(pl.col(name), pl.lit(computed[name])).alias(name)
        if name in contacts.columns
        else pl.lit(computed[name]).alias(name)
        for name in missing
    )


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


def matching_keys_source(contacts: pl.DataFrame) -> str:
    """Where `with_matching_keys` takes the keys from: "input", or "computed" for any missing."""
    return "computed" if any(_lacks(contacts, name) for name in MATCHING_KEY_COLUMNS) else "input"


def _identifier(name: str) -> pl.Expr:
    value = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(value.str.len_chars() > 0).then(value).alias(IDENTIFIER_PREFIX + name)


def identifier_columns(features: pl.DataFrame) -> list[str]:
    return [name for name in features.columns if name.startswith(IDENTIFIER_PREFIX)]


def _real_phone(phone: pl.Series) -> pl.Expr:
    """The phone unless it is a placeholder (drama ranges, 0612345678): those are no evidence.

    Only numbers shared by 2+ records can link anything, so only those are checked, once per
    distinct number (a placeholder is shared by hundreds).
    """
    shared = phone.filter(phone.is_duplicated() & phone.is_not_null()).unique()
    pattern = shared.map_elements(e164_placeholder_pattern, return_dtype=pl.String)
    placeholders = shared.filter(pattern.is_not_null())
    return pl.when(~pl.col("phone").is_in(placeholders.implode())).then(pl.col("phone"))


def _with_name_forms(
    frame: pl.DataFrame,
    raw: str,
    key: Callable[[pl.Expr], pl.Expr],
    forms: tuple[str, str],
    also: str,
    **extra: pl.Expr,
) -> pl.DataFrame:
    """Add, once per distinct name, forms[0] = `key` of its ASCII form and forms[1] = `key` of
    its other umlaut spelling (Müller: mueller and muller; the same for a name without umlauts),
    plus `extra` expressions over the name's columns (raw, raw_ascii and `also`).
    """
    on = [raw, f"{raw}_ascii", also]
    distinct = frame.select(on).unique()
    names = distinct.get_column(raw)
    plain, stripped, expanded = (
        key(pl.col(f"{raw}_ascii")),
        key(pl.lit(ascii_series(names, "strip"))),
        key(pl.lit(ascii_series(names, "expand"))),
    )
    other = pl.when(stripped != plain).then(stripped).otherwise(expanded).fill_null(plain)
    distinct = distinct.with_columns(plain.alias(forms[0]), other.alias(forms[1]), **extra)
    return frame.join(distinct, on=on, how="left", nulls_equal=True)


def contact_features(contacts: pl.DataFrame, identifiers: tuple[str, ...] = ()) -> pl.DataFrame:
    """One row per contact (`idx` = its row number) with every key the matcher compares.

    `identifiers` (DedupeConfig.identifiers) are kept trimmed, blank = null, as "id:<name>".

    Names: `first`/`last` from the ASCII forms (particles stripped, letters only), `first_de` /
    `last_de` the other umlaut spelling (Müller: mueller and muller), `first_canon` the
    nickname-canonical first name, `last_full` every letter of the last name (particles kept:
    for spotting name-spelled emails), `last_phon` the phonetic last name (blocking).

    Job title: `title` the folded text, `title_role` the role the whole title names and
    `title_level` its function and seniority (see `_with_title_keys`).
    """
    # Only the columns used below: every join then carries a narrow frame.
    used = ("idx", "first_name", "last_name", "email", "phone", "phone_type", "company",
            "job_title", *TITLE_COLUMNS, *identifiers, *MATCHING_KEY_COLUMNS)  # fmt: skip
    frame = with_matching_keys(contacts.select(_present(contacts, used)))
    frame = _with_name_forms(
        frame, "first_name", first_name_key, ("first", "first_de"), also="first_name_canonical",
        first_canon=first_name_key(pl.col("first_name_canonical")),
    )  # fmt: skip
    frame = _with_name_forms(
        frame, "last_name", last_name_key, ("last", "last_de"), also="last_name_phonetic",
        last_full=_letters_only(pl.col("last_name_ascii").str.to_lowercase()),
        last_phon=_squash(pl.col("last_name_phonetic")),
    )  # fmt: skip
    company = _squash(pl.col("company_key"))
    frame = _per_distinct_value(
        frame, "company_key", company_squashed=pl.when(~company.is_in(_NO_EMPLOYER)).then(company)
    )
    frame = _with_title_keys(frame)
    email = pl.col("email").str.strip_chars().str.to_lowercase()
    domain = pl.col("company_domain").str.strip_chars().str.to_lowercase()
    frame = frame.with_columns(pl.col("phone").str.strip_chars())
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
        phone=_real_phone(frame.get_column("phone")),
        mobile=pl.col("phone_type").fill_null("") == "mobile",
        company="company_squashed",
        title="title",
        title_role="title_role",
        title_level="title_level",
        corp_domain=pl.when(domain.str.len_chars() > 0).then(domain),
    )
    frame = frame.with_columns(local=_local_part(pl.col("email")))
    # jan.jansen2@ is what a namesake gets when jan.jansen@ is taken: 1-2 trailing digits do
    # not make a name-spelled local part personal (a year, jjansen1978, does).
    local_core = pl.col("local").str.replace_all(r"[^a-z0-9]", "")
    frame = frame.with_columns(local_core=local_core.str.replace(r"(\D)\d{1,2}$", "${1}"))
    frame = _with_personal_local(frame).drop("local_core")
    return _with_initial_choices(frame).sort("idx")


def _with_title_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """Add, once per distinct job title, what duplicate detection compares titles by.

    - `title`: the folded text (Geschäftsführer: geschaeftsfuehrer), as typed;
    - `title_role`: the role the whole title names in normalization's table, the same for one
      job in any language or abbreviation (KAM, Key Account Manager, Accountmanager);
    - `title_level`: "function/seniority" when both are known (sales/manager for Verkoopmanager
      and for Sales Manager DACH alike): many jobs share one, so it only says two titles do not
      contradict each other.

    Function and seniority come from normalized_contacts' job_function and job_seniority when
    the input carries them, else from normalization's own functions on job_title.
    """
    carried = [name for name in TITLE_COLUMNS if name in frame.columns]
    on = ["job_title", *carried]
    titles = frame.select(on).unique()
    if len(carried) < len(TITLE_COLUMNS):
        titles = titles.with_columns(
            job_function=job_function_expr(pl.col("job_title")),
            job_seniority=job_seniority_expr(pl.col("job_title")),
        )
    folded = ascii_series(titles.get_column("job_title"))  # Geschäftsführer: geschaeftsfuehrer
    function, seniority = pl.col("job_function"), pl.col("job_seniority")
    known = function.is_not_null() & seniority.is_not_null()
    titles = titles.select(
        *on,
        title=_squash(pl.lit(folded)),
        title_role=job_role_expr(pl.col("job_title")),
        title_level=pl.when(known).then(pl.concat_str(function, pl.lit("/"), seniority)),
    )
    return frame.join(titles, on=on, how="left", nulls_equal=True)


def _present(frame: pl.DataFrame, names: tuple[str, ...]) -> list[str]:
    """`names` that are columns of `frame`, each once, in order."""
    return [name for name in dict.fromkeys(names) if name in frame.columns]


def _local_part(email: pl.Expr) -> pl.Expr:
    """What `^(.+)@[^@]+$` captures (all before the last @, on one line), without its +tag.

    A match test and a replace are much cheaper than a capture group over a million addresses.
    """
    has_local = email.str.contains(r"^[^\n]+@[^@]+$")
    return pl.when(has_local).then(email.str.replace(r"@[^@]+$", "").str.replace(r"\+.*$", ""))


_INITIAL_CONTEXTS = ("company", "phone", "corp_domain")


def _with_initial_choices(frame: pl.DataFrame) -> pl.DataFrame:
    """`initial_choices` of a record whose first name is an initial: the most full first names
    (nickname-canonical, so Wim and Willem are one) with that initial and the same last name at
    one of its company, phone or corporate domain. One means the initial can stand for one name
    only; more, that S. Hartmann may be Stefan or Sabine. Null for other records.
    """
    initial = pl.col("first").str.len_chars() == 1
    initials = frame.filter(initial).select("idx", "last", "first", *_INITIAL_CONTEXTS)
    counts = []
    for context in _INITIAL_CONTEXTS:
        # Only full names at a company, phone or domain some initial has can count for it.
        shared = pl.col(context).is_in(initials.get_column(context).drop_nulls().implode())
        full_names = (
            frame.filter(
                ~initial & pl.col(context).is_not_null() & shared & pl.col("last").is_not_null()
            )
            .group_by(context, "last", first=pl.col("first").str.slice(0, 1))
            .agg(choices=pl.col("first_canon").fill_null(pl.col("first")).n_unique())
        )
        counts.append(
            initials.join(full_names, on=[context, "last", "first"]).select("idx", "choices")
        )
    per_record = pl.concat(counts).group_by("idx").agg(initial_choices=pl.col("choices").max())
    return frame.join(per_record, on="idx", how="left")


def _with_personal_local(frame: pl.DataFrame) -> pl.DataFrame:
    """Add `personal_local`: the email local part (needs columns idx, local, local_core) when it
    says something about the person.

    Role boxes (info@) and local parts spelled from the name itself (jan.jansen@, jjansen@) are
    shared by namesakes, so they are not evidence; "jansen.j1978" or "bolle" are.

    The cheap tests run on every record; the 60 exact spellings (`_spelled_from_name`) only on
    the few records that those tests leave undecided.
    """
    local, core = pl.col("local"), pl.col("local_core")
    long_enough = (core.str.len_chars() >= 5) & ~local.is_in(ROLE_ACCOUNTS)
    # A digit (a year, jjansen1978) makes even a name-spelled local part personal.
    digits = core.str.contains(r"\d")
    frame = frame.with_columns(_undecided=long_enough & ~digits & ~_holds_name_part())
    spelled = frame.filter("_undecided").filter(_spelled_from_name()).get_column("idx")
    from_name = pl.col("idx").is_in(spelled.implode())
    usable = (long_enough & digits) | (pl.col("_undecided") & ~from_name)
    return frame.with_columns(personal_local=pl.when(usable).then(local)).drop("_undecided")


def _holds_name_part() -> pl.Expr:
    """The local part (column local_core) holds the first name or the last name's first three
    letters, or a name is unreadable: possibly spelled from the name."""
    core = pl.col("local_core")
    # Transliterations differ (Λαμπράκη: lampraki or lambraki), so a local part holding the first
    # name or the last name's first three letters counts as spelled from the name too.
    holds = []
    for name in ("first", "first_canon", "last", "last_full"):
        part = pl.col(name).fill_null("")
        part = part.str.slice(0, 3) if name.startswith("last") else part
        holds.append((part.str.len_chars() >= 3) & core.str.contains(part, literal=True))
    # A name still in another script (no transliteration available) cannot be checked against an
    # ASCII local part: treat the local part as possibly spelled from the name.
    unreadable = [
        pl.col(name).fill_null("").str.contains(r"[^a-z]") for name in ("first", "last_full")
    ]
    return pl.any_horizontal(*holds, *unreadable)


def _spelled_from_name() -> pl.Expr:
    """The local part (column local_core) is one of the usual spellings of the name: jan.jansen,
    jansenjan, jjansen, jansenj, janj, jjan, jan, jansen (in every spelling of the names)."""
    core = pl.col("local_core")
    spellings = []
    for first_column in ("first", "first_de", "first_canon"):
        for last_column in ("last", "last_de", "last_full"):
            first, last = pl.col(first_column).fill_null(""), pl.col(last_column).fill_null("")
            f1, l1 = first.str.slice(0, 1), last.str.slice(0, 1)
            spellings += [first + last, last + first, f1 + last, last + f1, first + l1, l1 + first]
            spellings += [first, last]
    return pl.any_horizontal([core == spelling for spelling in spellings])


def _name_keys() -> list[pl.Expr]:
    """The name keys of a record: last name's first 4 letters + first initial.

    Emitted for the ASCII and the other umlaut spelling, in the swapped order too (first name in
    the last-name field), and as phonetic last name + initial of the nickname-canonical first
    name, so Müller/Mueller, swapped names, Meyer/Meijer and Kees/Cornelis land in one block.
    """
    keys = []
    for first, last in (("first", "last"), ("first_de", "last_de")):
        keys.append(pl.col(last).str.slice(0, 4) + pl.col(first).str.slice(0, 1))
        keys.append(pl.col(first).str.slice(0, 4) + pl.col(last).str.slice(0, 1))
    keys.append(pl.lit("~") + pl.col("last_phon") + pl.col("first_canon").str.slice(0, 1))
    return keys


def rows_of(keys: pl.Series, wanted: pl.Series) -> pl.Series:
    """For each value of `wanted`, the row of `keys` that holds it; null where none does.

    `keys` are distinct non-negative integers of modest size (record idx, plan slots): a
    lookup table indexed by value stands in for a hash join, which costs far more at a million
    rows.
    """
    key_values, wanted_values = keys.to_numpy(), wanted.to_numpy()
    size = max(int(key_values.max(initial=0)), int(wanted_values.max(initial=0))) + 1
    row_of = np.full(size, -1, dtype=np.int64)
    row_of[key_values] = np.arange(key_values.size)
    rows = pl.Series(wanted.name, row_of[wanted_values])
    return pl.select(pl.when(rows >= 0).then(rows)).to_series()


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
      block) or are two mailboxes at one company, which the colleague guard in scoring
      only lets match on the same mobile (phone block); so a domain is no block of its own.
    - DedupeConfig.identifiers (date of birth, national id, postcode: none in CRM exports) block
      alone and with the name key.
    """

    name_keys = [f"name_key_{position}" for position in range(len(_name_keys()))]
    frame = features.with_columns(
        key.alias(name) for key, name in zip(_name_keys(), name_keys, strict=True)
    )
    parts = [
        _block(frame, "email", [key_hash("email")]),
        _block(frame, "phone", [key_hash("phone")]),
        _block(frame, "name+company", [key_hash(name, "company") for name in name_keys]),
        _block(frame, "name+local", [key_hash(name, "personal_local") for name in name_keys]),
    ]
    identifiers = identifier_columns(features)
    # Each identifier tagged with its position: one national id never equals another kind of id.
    tagged = [f"identifier_{position}" for position in range(len(identifiers))]
    frame = frame.with_columns(
        pl.concat_str(pl.lit(f"{position}:"), pl.col(column)).alias(tagged[position])
        for position, column in enumerate(identifiers)
    )
    parts.append(_block(frame, "identifier", [key_hash(name) for name in tagged]))
    parts.append(
        _block(
            frame,
            "name+identifier",
            [key_hash(name, column) for column in identifiers for name in name_keys],
        )
    )
    return pl.concat(parts)


def _block(frame: pl.DataFrame, block_type: str, keys: list[pl.Expr]) -> pl.DataFrame:
    """Rows (block_type, key, idx) of one block type: each record's distinct non-null keys.

    A record's keys are made distinct within its own row (a name key often equals its umlaut
    form), which is much cheaper than a `unique` over millions of (key, idx) rows.
    """
    if not keys:
        return pl.DataFrame(
            schema={"block_type": pl.UInt8, "key": pl.UInt64, "idx": frame.schema["idx"]}
        )
    columns = [f"_key_{position}" for position in range(len(keys))]
    hashed = frame.select(
        "idx", *[key.alias(name) for key, name in zip(keys, columns, strict=True)]
    )
    distinct = []
    for position, name in enumerate(columns):
        earlier = [(pl.col(name) != pl.col(other)).fill_null(True) for other in columns[:position]]
        distinct.append(pl.when(pl.all_horizontal(pl.lit(True), *earlier)).then(name).alias(name))
    return (
        hashed.select("idx", *distinct)
        .unpivot(index="idx", value_name="key")
        .drop_nulls("key")
        .select(
            block_type=pl.lit(BLOCK_TYPES.index(block_type), dtype=pl.UInt8),
            key="key",
            idx="idx",
        )
    )


def candidate_pairs(keys: pl.DataFrame, block_cap: int) -> tuple[pl.DataFrame, dict]:
    """Pairs (a, b) with a < b sharing a block of at most `block_cap` records, plus block stats.

    A bigger block (a placeholder phone on 500 rows, info@ on a whole company) is not evidence
    and would cost n² comparisons, so it is skipped and counted.
    """
    stats = {
        block_type: {"blocks": 0, "skipped_blocks": 0, "skipped_block_rows": 0}
        for block_type in BLOCK_TYPES
    }
    idx_type = keys.schema["idx"]
    parts = [pl.DataFrame(schema={"a": idx_type, "b": idx_type})]
    # One block type at a time: grouping and joining on the single 64-bit key is much cheaper
    # than on (block_type, key).
    for (block_type,), part in sorted(keys.partition_by("block_type", as_dict=True).items()):
        sizes = part.group_by("key").agg(size=pl.len())
        size = pl.col("size")
        counts = sizes.select(
            blocks=(size >= 2).sum(),
            skipped_blocks=(size > block_cap).sum(),
            skipped_block_rows=size.filter(size > block_cap).sum(),
        )
        stats[BLOCK_TYPES[block_type]] = {
            name: int(counts.item(0, name)) for name in counts.columns
        }
        usable = sizes.filter((size >= 2) & (size <= block_cap)).get_column("key")
        parts.append(_pairs_in_blocks(part.filter(pl.col("key").is_in(usable.implode()))))
    pairs = pl.concat(parts).unique()
    return pairs, stats


def _pairs_in_blocks(members: pl.DataFrame) -> pl.DataFrame:
    """Pairs (a, b), a < b, of records sharing a `key`."""
    members = members.select("key", "idx")
    return (
        members.join(members, on="key", suffix="_b")
        .filter(pl.col("idx") < pl.col("idx_b"))
        .select(a="idx", b="idx_b")
    )
