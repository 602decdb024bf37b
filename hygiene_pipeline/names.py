"""Person names as a careful human would type them, in any European script.

Only names typed in ONE case (ALL CAPS or all lower) are re-cased: a mixed-case name was typed
deliberately (DeVries, McAllister, MacLeod) and is left alone.
"""

from __future__ import annotations

import re
import unicodedata

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
