"""Keys that let duplicates meet across scripts, spellings and nicknames.

- `to_ascii`: lower-case ASCII. Greek follows ELOT 743 / ISO 843 (the passport standard: Γιώργος
  -> giorgos, Παπαδόπουλος -> papadopoulos, Μπακογιάννης -> bakogiannis), then anyascii for every
  other script (Иванова -> ivanova, Łukasz -> lukasz, Straße -> strasse). German umlauts are
  spelled out (Müller -> mueller) because that is how Germans type them without the key; with
  `umlauts="strip"` they lose the dots instead (Müller -> muller). Dedupe compares a name in both
  forms, so "Müller" meets "Mueller" (expanded) and "Muller" (stripped).
- `phonetic`: Metaphone (jellyfish) of the ASCII letters, spaces and particles kept in
  (van der Berg -> vanderberg), so Meyer / Meijer / Maier meet.
- `canonical_first_name`: the nickname-canonical form: first the continental European diminutives
  of `given_name_diminutives.yaml` (Kees -> cornelis, Sepp -> josef, Γιάννης -> ioannis), then the
  English `nicknames` data set (Bob -> robert, Bill -> william, Liz -> elizabeth); a name neither
  knows stays itself.

Per value with a cache; the Series helpers call Python once per distinct non-ASCII value only.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache
from importlib import resources
from typing import Literal

import jellyfish
import polars as pl
import yaml
from anyascii import anyascii
from nicknames import NickNamer

from hygiene_pipeline.normalize.names import strip_symbols

Umlauts = Literal["expand", "strip"]

_GERMAN = {"ä": "ae", "ö": "oe", "ü": "ue"}
_GREEK_VOICELESS = "θκξπστφχψ"
_DIAERESIS = "\u0308"
# ELOT 743 digraphs, on lower-case Greek without accents (a diaeresis keeps vowels apart).
_GREEK_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (rf"([αεη])υ(?!{_DIAERESIS})(?=[{_GREEK_VOICELESS}]|\b|$)", r"\1f"),
        (rf"([αεη])υ(?!{_DIAERESIS})", r"\1v"),
        (rf"ου(?!{_DIAERESIS})", "ou"),
        (r"\bμπ|μπ\b", "b"),
        (r"μπ", "mp"),
        (r"\bντ", "d"),
        (r"ντ", "nt"),
        (r"\bγκ", "g"),
        (r"γγ", "ng"),
        (r"γκ", "gk"),
        (r"γξ", "nx"),
        (r"γχ", "nch"),
    )
)
_NON_KEY = re.compile(r"[^a-z0-9' -]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=500_000)
def to_ascii(text: str | None, umlauts: Umlauts = "expand") -> str | None:
    """Lower-case ASCII spelling of a name or company; None when nothing is left."""
    if text is None:
        return None
    out = strip_symbols(unicodedata.normalize("NFC", text)).lower()
    if umlauts == "expand":
        for letter, spelled in _GERMAN.items():
            out = out.replace(letter, spelled)
    decomposed = unicodedata.normalize("NFD", out)
    if any("\u0370" <= char <= "\u03ff" for char in decomposed):
        decomposed = "".join(
            char for char in decomposed if not unicodedata.combining(char) or char == _DIAERESIS
        )
        for pattern, replacement in _GREEK_RULES:
            decomposed = pattern.sub(replacement, decomposed)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    ascii_text = anyascii(unicodedata.normalize("NFC", stripped)).lower()
    ascii_text = _SPACES.sub(" ", _NON_KEY.sub(" ", ascii_text.replace("`", "'"))).strip(" '-")
    return ascii_text or None


@lru_cache(maxsize=500_000)
def phonetic(ascii_name: str | None) -> str | None:
    """Metaphone of the letters of an ASCII name (spaces, hyphens, apostrophes dropped)."""
    if ascii_name is None:
        return None
    letters = re.sub(r"[^a-z]", "", ascii_name.lower())
    return jellyfish.metaphone(letters) or None if letters else None


_NICKNAMES = NickNamer()
# Given names in their own right in our users' languages that the English data set lists as
# nicknames (Jan -> Janet, Anna -> Bryanna, Maria -> Marietta, Michael -> Miguel): kept as written.
_GIVEN_NAMES = frozenset(
    {"jan", "anna", "maria", "marie", "eva", "lisa", "emma", "sophie", "michael", "lena", "laura",
     "jean", "marc", "lea", "tina", "nico", "max", "kim", "ella", "noah", "sandra", "frank",
     "bert", "gert", "ben", "tim", "chris", "alex", "sam", "ina", "nina", "anja", "elena",
     "eleni", "jana", "hanna", "hannah", "sara", "sarah", "luca", "marco", "dana", "ida",
     "john", "peter"}
)  # fmt: skip


DIMINUTIVES_FILE = "given_name_diminutives.yaml"


def european_diminutives() -> Mapping[str, str | None]:
    """ASCII form -> canonical full name from DIMINUTIVES_FILE; None for an ambiguous form.

    Every full name maps to itself, every form to its full name, each in both umlaut spellings
    (Käthe: kaethe and kathe) and Greek by ELOT. A form listed under two full names (Jo:
    Johannes and Johanna) is ambiguous: None, so the caller leaves it as it is.
    """
    return _diminutives()[0]


def diminutive_groups() -> Mapping[str, frozenset[str]]:
    """ASCII name -> every full name DIMINUTIVES_FILE lists it under, ambiguous forms included.

    Jo -> {johannes, johanna}; a full name -> itself. A weaker relation than the canonical key:
    Jos and Jef are both listed under Jozef, so beside one email address they may be one man.
    """
    return _diminutives()[1]


@lru_cache(maxsize=1)
def _diminutives() -> tuple[dict[str, str | None], dict[str, frozenset[str]]]:
    text = resources.files(__package__).joinpath(DIMINUTIVES_FILE).read_text("utf-8")
    return diminutive_table(yaml.safe_load(text), DIMINUTIVES_FILE)


def diminutive_table(
    data: object, source: str
) -> tuple[dict[str, str | None], dict[str, frozenset[str]]]:
    """Validate {language: {full name: [forms]}} data; build (`european_diminutives`,
    `diminutive_groups`)."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{source}: expected languages mapping full names to forms")
    canonicals: dict[str, str] = {}
    targets: dict[str, set[str]] = {}
    for language, entries in data.items():
        if not isinstance(entries, Mapping):
            raise ValueError(f"{source}: {language}: expected full name: [forms]")
        for full, forms in entries.items():
            if not isinstance(forms, list) or not all(isinstance(f, str) for f in forms):
                raise ValueError(f"{source}: {language}: {full}: forms must be a list of names")
            canonical = to_ascii(str(full))
            if canonical is None:
                raise ValueError(f"{source}: {language}: {full!r} has no letters")
            for spelling in _spellings(str(full)):
                canonicals[spelling] = canonical
            for form in forms:
                for spelling in _spellings(form):
                    targets.setdefault(spelling, set()).add(canonical)
    chained = sorted(name for name in targets if name in canonicals)
    if chained:
        raise ValueError(f"{source}: full names listed as forms of another name: {chained}")
    table: dict[str, str | None] = dict(canonicals)
    groups = {name: frozenset({canonical}) for name, canonical in canonicals.items()}
    for form, names in targets.items():
        table[form] = next(iter(names)) if len(names) == 1 else None
        groups[form] = frozenset(names)
    return table, groups


def _spellings(name: str) -> set[str]:
    return {s for s in (to_ascii(name), to_ascii(name, "strip")) if s is not None}


@lru_cache(maxsize=200_000)
def canonical_first_name(ascii_name: str | None) -> str | None:
    """The canonical name behind a nickname (bob -> robert), or the name itself if none is known.

    European diminutives come first (`european_diminutives`: kees -> cornelis; an ambiguous form
    such as jo stays jo), and their answer is final: the English data set would turn willem into
    william. Other names go through the `nicknames` data set.

    That data set is a graph of relations in both directions (it even lists robert as a nickname
    of bill), so one canonical is chosen deterministically: among the name and its canonicals,
    others win only when they have more nicknames than the name (so robert stays robert); then
    the one sharing most relations with the name (bill -> william, not robert), then the one with
    most nicknames, then the longest, then alphabetically. Applied until stable, so every member
    of a chain (jack -> john -> johnathan) ends on the same key. European given names the data
    set calls nicknames (Jan, Anna, Maria) stay themselves: see _GIVEN_NAMES.
    """
    if ascii_name is None:
        return None
    name = ascii_name.strip().lower()
    european = european_diminutives()
    if name in european:
        return european[name] or name
    seen = {name}
    while name not in _GIVEN_NAMES:
        following = _one_step(name)
        if following in seen:
            return following
        seen.add(following)
        name = following
    return name


def _one_step(name: str) -> str:
    canonicals = _NICKNAMES.canonicals_of(name)
    if not canonicals:
        return name
    own = _NICKNAMES.nicknames_of(name)
    related = {name} | own | canonicals
    stronger = [c for c in canonicals if len(_NICKNAMES.nicknames_of(c)) > len(own)]
    if not stronger:
        return name

    def score(candidate: str) -> tuple[int, int, int, str]:
        nicknames = _NICKNAMES.nicknames_of(candidate)
        overlap = len(({candidate} | nicknames) & related)
        return overlap, len(nicknames), len(candidate), candidate

    return max(stronger, key=score)


def ascii_series(values: pl.Series, umlauts: Umlauts = "expand") -> pl.Series:
    """`to_ascii` over a column: ASCII values vectorized, Python once per distinct other value."""
    is_ascii = values.str.contains(r"^[\x00-\x7f]*$")
    simple = (
        values.str.to_lowercase()
        .str.replace_all(r"[^a-z0-9' -]+", " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars(" '-")
    )
    simple = pl.select(pl.when(simple.str.len_chars() > 0).then(simple)).to_series()
    others = values.filter(~is_ascii.fill_null(True)).unique().to_list()
    mapping = {value: to_ascii(value, umlauts) for value in others}
    mapped = values.replace_strict(mapping, default=None, return_dtype=pl.String)
    return (
        pl.select(pl.when(is_ascii).then(simple).otherwise(mapped)).to_series().alias(values.name)
    )


def map_distinct_strings(values: pl.Series, function: Callable[[str], str | None]) -> pl.Series:
    """Apply a str -> str|None function once per distinct non-null value."""
    mapping = {value: function(value) for value in values.unique().to_list() if value is not None}
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)


def phonetic_series(ascii_names: pl.Series) -> pl.Series:
    """`phonetic` over a column of ASCII names, once per distinct value."""
    return map_distinct_strings(ascii_names, phonetic)


def canonical_first_name_series(ascii_names: pl.Series) -> pl.Series:
    """`canonical_first_name` over a column of ASCII first names, once per distinct value."""
    return map_distinct_strings(ascii_names, canonical_first_name)


def name_keys(first_name: pl.Series, last_name: pl.Series) -> pl.DataFrame:
    """The four name keys normalized_contacts carries, one row per input row."""
    first_ascii = ascii_series(first_name).alias("first_name_ascii")
    last_ascii = ascii_series(last_name).alias("last_name_ascii")
    return pl.DataFrame(
        [
            first_ascii,
            last_ascii,
            canonical_first_name_series(first_ascii).alias("first_name_canonical"),
            phonetic_series(last_ascii).alias("last_name_phonetic"),
        ]
    )
