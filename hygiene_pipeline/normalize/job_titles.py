"""Job titles: cased like a person would type them, and mapped to a function and a seniority.

What we know about titles is data, `job_titles.yaml` beside this module, validated on load:

- roles: whole titles that name one job in any language or abbreviation ("KAM", "Key Account
  Manager", "Accountmanager"; "CEO", "Geschäftsführer", "Διευθύνων Σύμβουλος"). A title that is
  one of them gets the role's function and seniority, so the same job agrees in every language,
  and duplicate detection can tell one job written two ways (`job_role_expr`) from two jobs.
- seniority and function keyword patterns for every other title, in English, Dutch, German,
  French, Greek, Spanish, Italian and Portuguese, matched on the lower-case, accent-free title,
  so "VP Sales", "vice president of sales" and "Vice-President Ventes" all give function
  `sales`, seniority `vp`. The first matching pattern wins; a title matching none has null
  function or seniority (never a guess).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import polars as pl
import yaml

TITLES_FILE = "job_titles.yaml"
_SOURCE = f"hygiene_pipeline/normalize/{TITLES_FILE}"
_SECTIONS = ("roles", "seniority", "function", "acronyms", "small_words")
_PATTERN_KINDS = {"words": r"\b(?:{})\b", "starts": r"\b(?:{})", "ends": r"(?:{})\b"}
_ROLE_FIELDS = ("function", "seniority", "titles")
_LABEL = re.compile(r"^[a-z][a-z_]*$")
_UMLAUTS = {"ä": "ae", "ö": "oe", "ü": "ue"}
_WORD = re.compile(r"[^\W_][\w&'’]*", re.UNICODE)


class JobTitlesError(ValueError):
    """A job titles file that cannot be used: the message names the file and the key."""


@dataclass(frozen=True)
class Role:
    """One job however it is written: its name in the file, function and seniority (or None)."""

    name: str
    function: str | None
    seniority: str | None


@dataclass(frozen=True)
class TitleKnowledge:
    """The parsed file: patterns as (label, regex) most senior first, roles by title key."""

    seniority: tuple[tuple[str, str], ...]
    function: tuple[tuple[str, str], ...]
    roles: Mapping[str, Role]  # role_key_expr of each listed title -> its role
    acronyms: frozenset[str]
    small_words: frozenset[str]


@lru_cache(maxsize=1)
def title_knowledge() -> TitleKnowledge:
    """The shipped `job_titles.yaml`, parsed once."""
    text = resources.files(__package__).joinpath(TITLES_FILE).read_text("utf-8")
    return parse_title_knowledge(yaml.safe_load(text), _SOURCE)


def parse_title_knowledge(data: object, source: str) -> TitleKnowledge:
    """Validate the file's data and build the patterns and the role table.

    Raises JobTitlesError naming the key at fault: a missing or unknown section, a pattern that
    does not compile, a role with an unknown function or seniority, a title listed twice.
    """
    if not isinstance(data, Mapping):
        raise JobTitlesError(f"{source}: expected a mapping with sections {list(_SECTIONS)}")
    missing = [name for name in _SECTIONS if name not in data]
    unknown = sorted(str(name) for name in data if name not in _SECTIONS)
    if missing or unknown:
        raise JobTitlesError(f"{source}: missing sections {missing}, unknown sections {unknown}")
    seniority = _patterns(data["seniority"], f"{source}: seniority")
    function = _patterns(data["function"], f"{source}: function")
    roles = _roles(data["roles"], source, {label for label, _ in seniority},
                   {label for label, _ in function})  # fmt: skip
    return TitleKnowledge(
        seniority=seniority,
        function=function,
        roles=roles,
        acronyms=_words(data["acronyms"], f"{source}: acronyms"),
        small_words=_words(data["small_words"], f"{source}: small_words"),
    )


def _patterns(section: object, where: str) -> tuple[tuple[str, str], ...]:
    """{label: {words|starts|ends: [regex]}} as (label, one regex) in the file's order."""
    if not isinstance(section, Mapping) or not section:
        raise JobTitlesError(f"{where}: expected labels mapping to words/starts/ends lists")
    out = []
    for label, kinds in section.items():
        if not isinstance(label, str) or not _LABEL.match(label):
            raise JobTitlesError(f"{where}: label {label!r} must be lower-case letters and _")
        if not isinstance(kinds, Mapping) or not kinds:
            raise JobTitlesError(f"{where}.{label}: expected words, starts and/or ends")
        parts = []
        for kind, entries in kinds.items():
            key = f"{where}.{label}.{kind}"
            if kind not in _PATTERN_KINDS:
                raise JobTitlesError(f"{key}: unknown key; use {list(_PATTERN_KINDS)}")
            if not isinstance(entries, list) or not entries:
                raise JobTitlesError(f"{key}: expected a non-empty list of patterns")
            for entry in entries:
                _check_pattern(entry, key)
            parts.append(_PATTERN_KINDS[kind].format("|".join(entries)))
        out.append((label, "|".join(parts)))
    return tuple(out)


def _check_pattern(entry: object, key: str) -> None:
    """A pattern must be a string that polars' (Rust) regex engine compiles."""
    if not isinstance(entry, str) or not entry.strip():
        raise JobTitlesError(f"{key}: {entry!r} is not a pattern (a non-empty string)")
    try:
        pl.Series([""], dtype=pl.String).str.contains(f"(?:{entry})")
    except pl.exceptions.ComputeError as error:
        raise JobTitlesError(f"{key}: pattern {entry!r} does not compile: {error}") from None


def _roles(
    section: object, source: str, seniorities: set[str], functions: set[str]
) -> dict[str, Role]:
    """Role table: the key of each listed title (and of its ae/oe/ue spelling) -> its role."""
    if not isinstance(section, Mapping):
        raise JobTitlesError(f"{source}: roles: expected role: {{function, seniority, titles}}")
    table: dict[str, Role] = {}
    listed_as: dict[str, str] = {}
    for name, fields in section.items():
        where = f"{source}: roles.{name}"
        role = _role(str(name), fields, where, seniorities, functions)
        titles = fields["titles"]
        for title, keys in zip(titles, _title_keys(titles), strict=True):
            if not keys:
                raise JobTitlesError(f"{where}.titles: {title!r} has no letters")
            for key in keys:
                other = table.get(key)
                if other is not None and other.name != role.name:
                    raise JobTitlesError(
                        f"{where}.titles: {title!r} is also a title of roles.{other.name} "
                        f"(as {listed_as[key]!r}); a title names one role"
                    )
                table[key], listed_as[key] = role, title
    return table


def _role(
    name: str, fields: object, where: str, seniorities: set[str], functions: set[str]
) -> Role:
    if not isinstance(fields, Mapping) or set(fields) != set(_ROLE_FIELDS):
        raise JobTitlesError(f"{where}: expected exactly the keys {list(_ROLE_FIELDS)}")
    function, seniority = fields["function"], fields["seniority"]
    if function is not None and function not in functions:
        raise JobTitlesError(f"{where}.function: {function!r} is no label of `function`")
    if seniority is not None and seniority not in seniorities:
        raise JobTitlesError(f"{where}.seniority: {seniority!r} is no label of `seniority`")
    titles = fields["titles"]
    if not isinstance(titles, list) or not titles or not all(isinstance(t, str) for t in titles):
        raise JobTitlesError(f"{where}.titles: expected a non-empty list of titles")
    return Role(name, function, seniority)


def _title_keys(titles: list[str]) -> list[set[str]]:
    """Per title, its key and the key of its ae/oe/ue spelling (Geschäftsführer: both)."""
    spelled = [_spell_umlauts(title) for title in titles]
    keys = pl.DataFrame({"title": titles, "spelled": spelled}).select(
        role_key_expr(pl.col("title")), role_key_expr(pl.col("spelled")).alias("spelled")
    )
    return [{key for key in row if key is not None} for row in keys.iter_rows()]


def _spell_umlauts(title: str) -> str:
    lower = title.lower()
    for letter, spelled in _UMLAUTS.items():
        lower = lower.replace(letter, spelled)
    return lower


def _words(section: object, where: str) -> frozenset[str]:
    if not isinstance(section, list) or not all(isinstance(word, str) for word in section):
        raise JobTitlesError(f"{where}: expected a list of words")
    return frozenset(word.lower() for word in section)


def fold_expr(expr: pl.Expr) -> pl.Expr:
    """Lower-case, accents off, separators as single spaces: what the patterns are matched on."""
    return (
        expr.str.to_lowercase()
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.replace_all(r"[/,;:()|+.]+", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def role_key_expr(title: pl.Expr) -> pl.Expr:
    """The folded title's letters and digits only (ß as ss): how titles are looked up in roles,
    so "Key-Account-Manager", "Key Accountmanager" and "KEY ACCOUNT MANAGER" are one title."""
    key = fold_expr(title).str.replace_all("ß", "ss").str.replace_all(r"[^\p{L}\p{N}]+", "")
    return pl.when(key.str.len_chars() > 0).then(key)


def _role_field(key: pl.Expr, field: str) -> pl.Expr:
    """The `field` of the role whose title has this key; null for a title of no role."""
    roles = title_knowledge().roles
    mapping = {title: getattr(role, field) for title, role in roles.items()}
    return key.replace_strict(mapping, default=None, return_dtype=pl.String)


def _classify(folded: pl.Expr, patterns: tuple[tuple[str, str], ...]) -> pl.Expr:
    result: pl.Expr = pl.lit(None, dtype=pl.String)
    for label, pattern in reversed(patterns):
        result = pl.when(folded.str.contains(pattern)).then(pl.lit(label)).otherwise(result)
    return result


def _role_or_patterns(title: pl.Expr, field: str, patterns: tuple[tuple[str, str], ...]) -> pl.Expr:
    """A role's title takes the role's value (even null: an Inkoper is no manager); any other
    title the first matching pattern's."""
    key = role_key_expr(title)
    is_role = key.is_in(list(title_knowledge().roles)).fill_null(False)
    return (
        pl.when(is_role)
        .then(_role_field(key, field))
        .otherwise(_classify(fold_expr(title), patterns))
    )


def job_function_expr(title: pl.Expr) -> pl.Expr:
    """sales, marketing, finance, it, hr, operations, procurement, customer_service, legal,
    product or executive; null when no role or pattern says."""
    return _role_or_patterns(title, "function", title_knowledge().function)


def job_seniority_expr(title: pl.Expr) -> pl.Expr:
    """owner, c_level, vp, director, head, manager, junior or senior; null when none says."""
    return _role_or_patterns(title, "seniority", title_knowledge().seniority)


def job_role_expr(title: pl.Expr) -> pl.Expr:
    """The role the whole title names (account_manager for "KAM" and "Key Account Manager");
    null for a title that is no role's, such as "Key Account Manager DACH"."""
    return _role_field(role_key_expr(title), "name")


@lru_cache(maxsize=100_000)
def case_job_title(title: str | None) -> str | None:
    """Re-case a title typed in one case (SALES MANAGER, vp sales); leave mixed case alone."""
    if title is None:
        return None
    cased = [char for char in title if char.lower() != char.upper()]
    if not cased or not (all(c.isupper() for c in cased) or all(c.islower() for c in cased)):
        return title
    knowledge = title_knowledge()

    def word(match: re.Match[str]) -> str:
        text = match.group(0)
        lower = text.lower()
        if lower in knowledge.acronyms:
            return text.upper()
        if lower in knowledge.small_words and match.start() > 0:
            return lower
        return lower[:1].upper() + lower[1:]

    return _WORD.sub(word, title)
