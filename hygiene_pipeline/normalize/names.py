"""Person names as a careful human would type them, in any European script.

Only names typed in ONE case (ALL CAPS or all lower) are re-cased: a mixed-case name was typed
deliberately (DeVries, McAllister, MacLeod) and is left alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nameparser import HumanName
from nameparser.config import Constants

# Lower-case name particles (Dutch, German, French, Italian, Spanish, Portuguese).
PARTICLES = frozenset(
    {"van", "der", "den", "de", "het", "ter", "ten", "te", "von", "zu", "vom", "zum", "da", "di",
     "du", "des", "del", "della", "dos", "das", "do", "la", "le", "y", "e", "af", "av"}
)  # fmt: skip
_APOSTROPHE_PARTICLES = frozenset({"d", "l", "dell"})  # d'Artagnan, l'Hermite, dell'Acqua
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"([\s\-'’]+)")


def strip_symbols(text: str) -> str:
    """Drop emoji, pictographs and other symbol characters (categories So, Sk, Cs, Co, Cn)."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("So", "Sk", "Cs", "Co", "Cn") or char in "\u200d\ufe0f\ufe0e":
            continue
        kept.append(char)
    return "".join(kept)


def clean_name(value: str | None) -> str | None:
    """Trim, collapse spaces, drop symbols, and fix the case of single-case names."""
    if value is None:
        return None
    text = _SPACES.sub(" ", strip_symbols(unicodedata.normalize("NFC", value))).strip(" .,;")
    if not text:
        return None
    if _is_single_case(text):
        return case_name(text)
    return text


def _is_single_case(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    cased = [char for char in letters if char.lower() != char.upper()]
    if not cased:
        return False  # scripts without case (e.g. CJK) stay as written
    return all(char.isupper() for char in cased) or all(char.islower() for char in cased)


def case_name(text: str) -> str:
    """Case every part of a name: particles lower, O'/Mc prefixes, hyphenated parts, any script."""
    parts = _TOKEN.split(text.lower())
    words = [index for index, part in enumerate(parts) if part and not _TOKEN.fullmatch(part)]
    out = list(parts)
    for position, index in enumerate(words):
        word = parts[index]
        following = parts[index + 1] if index + 1 < len(parts) else ""
        has_more = position < len(words) - 1
        if word in PARTICLES and has_more and " " in following:
            continue  # "van der Berg": particles stay lower before the surname
        if word in _APOSTROPHE_PARTICLES and following[:1] in "'’" and has_more:
            continue  # d'Artagnan
        out[index] = _capitalize(word)
    return "".join(out)


def _capitalize(word: str) -> str:
    if word.startswith("mc") and len(word) > 2:
        return "Mc" + word[2].upper() + word[3:]
    # Mac- is left as Mac+lower: Machado, Macey and Mack outnumber MacLeod in our users' data.
    return word[:1].upper() + word[1:]


# Salutations and titles moved out of a name into `salutation` (lower-case, dots dropped).
# Curated rather than nameparser's 812 titles, which include words that are also given names
# (Dean, King, Major, Judge): a CRM first name "Dean" must stay a name.
SALUTATIONS = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "mevr", "mevrouw", "dhr",
     "mw", "ir", "ing", "drs", "herr", "frau", "hr", "mag", "dipl-ing", "mme", "madame",
     "mlle", "mademoiselle", "monsieur", "me", "sig", "sigra", "signor", "signora",
     "dott", "dottssa", "avv", "sra", "srta", "κος", "κα", "κυρια", "κυριος", "δρ", "καθ",
     "г-н", "г-жа"}
)  # fmt: skip
# Suffixes moved out of a last name into `name_suffix`, with the form they are written in.
SUFFIXES = {
    "jr": "Jr.", "junior": "Jr.", "jnr": "Jr.", "sr": "Sr.", "senior": "Sr.", "snr": "Sr.",
    "jun": "jun.", "sen": "sen.", "ii": "II", "iii": "III", "iv": "IV", "phd": "PhD",
    "md": "MD", "mba": "MBA", "msc": "MSc", "bsc": "BSc", "esq": "Esq.",
}  # fmt: skip


@dataclass(frozen=True)
class NameParts:
    """A person's name split the way a CRM holds it, and what was done to get there."""

    salutation: str | None
    first_name: str | None
    last_name: str | None
    suffix: str | None
    rules: tuple[str, ...]


def _word_key(word: str) -> str:
    return (
        unicodedata.normalize("NFKD", word.lower())
        .replace(".", "")
        .strip(",")
        .translate(_DROP_MARKS)
    )


_DROP_MARKS = {cp: None for cp in range(0x0300, 0x0370)}


def _tidy(value: str | None) -> str | None:
    if value is None:
        return None
    text = _SPACES.sub(" ", strip_symbols(unicodedata.normalize("NFC", value))).strip(" ;")
    return text or None


def _leading_salutations(words: list[str]) -> tuple[list[str], list[str]]:
    taken: list[str] = []
    while len(words) > len(taken) and _word_key(words[len(taken)]) in SALUTATIONS:
        taken.append(words[len(taken)])
    return taken, words[len(taken) :]


def _trailing_suffixes(words: list[str]) -> tuple[list[str], list[str]]:
    taken: list[str] = []
    while len(words) - len(taken) > 1 and _word_key(words[-1 - len(taken)]) in SUFFIXES:
        taken.insert(0, words[-1 - len(taken)])
    return words[: len(words) - len(taken)], taken


def _display_salutation(words: list[str]) -> str | None:
    if not words:
        return None
    return " ".join(case_name(word) if _is_single_case(word) else word for word in words)


def _display_suffix(words: list[str]) -> str | None:
    if not words:
        return None
    return " ".join(SUFFIXES[_word_key(word)] for word in words)


_SUFFIX_WORDS = ("jr", "sr", "jnr", "snr", "junior", "senior", "jun", "sen", "ii", "iii", "iv",
                 "esq")  # fmt: skip
_FULL_NAME_PARSER = Constants(
    titles=SALUTATIONS,
    suffix_acronyms=[key for key in SUFFIXES if key not in _SUFFIX_WORDS],
    suffix_not_acronyms=_SUFFIX_WORDS,
    first_name_titles=[],
)


def _split_full_name(text: str) -> tuple[str | None, str | None]:
    """First and last name of a full name: nameparser knows particles and "Last, First"."""
    parsed = HumanName(text, constants=_FULL_NAME_PARSER)
    first = " ".join(part for part in (parsed.first, parsed.middle) if part) or None
    return first, parsed.last or None


@lru_cache(maxsize=200_000)
def split_name(first: str | None, last: str | None) -> NameParts:
    """Salutation, first name, last name and suffix from a CRM's first and last name fields.

    Handles a full name in one field ("Dr. Jan van der Berg Jr." as the first name with no last
    name, or "Berg, Jan"), a salutation or suffix typed into a name field, and fixes the case of
    single-case names (see `clean_name`). Names stay in their own script.
    """
    rules: list[str] = []
    first_text, last_text = _tidy(first), _tidy(last)
    if (first_text, last_text) != (first, last):
        rules.append("symbols_removed")
    if first_text and first_text.endswith(",") and last_text:
        first_text, last_text = last_text, first_text.rstrip(",")  # "Berg," + "Jan"
        rules.append("last_first_swapped")
    first_words = first_text.split(" ") if first_text else []
    last_words = last_text.split(" ") if last_text else []
    salutation, first_words = _leading_salutations(first_words)
    if not first_words and not salutation:
        salutation, last_words = _leading_salutations(last_words)
    if not first_words and salutation and len(last_words) > 1:
        first_words, last_words = last_words, []  # "Dr." + "Jan van der Berg": one full name
    last_words, suffix = _trailing_suffixes(last_words)
    if not last_words:
        first_words, suffix = _trailing_suffixes(first_words)
    if salutation:
        rules.append("salutation_moved")
    if suffix:
        rules.append("suffix_moved")
    first_out = " ".join(first_words) or None
    last_out = " ".join(last_words) or None
    if last_out is None and first_out and (" " in first_out or "," in first_out):
        first_out, last_out = _split_full_name(first_out)
        rules.append("full_name_split")
    cased_first, cased_last = clean_name(first_out), clean_name(last_out)
    if (cased_first, cased_last) != (first_out, last_out):
        rules.append("recased")
    return NameParts(
        _display_salutation(salutation), cased_first, cased_last, _display_suffix(suffix),
        tuple(rules),
    )  # fmt: skip
