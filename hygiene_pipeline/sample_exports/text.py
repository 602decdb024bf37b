"""Spelling helpers: ASCII folding for email addresses, accent stripping, Greek to Latin."""

from __future__ import annotations

import unicodedata


def to_ascii(text: str, german: bool = False) -> str:
    if german:
        for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
            text = text.replace(umlaut, spelled).replace(umlaut.upper(), spelled.capitalize())
    text = text.replace("ß", "ss").replace("\u2019", "'")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def local_part(text: str, german: bool = False) -> str:
    folded = to_ascii(text, german).lower()
    return "".join(ch for ch in folded if ch.isascii() and (ch.isalnum() or ch == "-"))


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


GREEK_DIGRAPHS = (("ου", "ou"), ("αι", "ai"), ("ει", "ei"), ("οι", "oi"), ("μπ", "mp"),
                  ("ντ", "nt"), ("γκ", "gk"), ("αυ", "av"), ("ευ", "ev"))  # fmt: skip
GREEK_LETTERS = dict(zip("αβγδεζηθικλμνξοπρσςτυφχψω",
                         ["a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x",
                          "o", "p", "r", "s", "s", "t", "y", "f", "ch", "ps", "o"],
                         strict=True))  # fmt: skip


def greek_to_latin(text: str) -> str:
    """A rough ELOT-style transliteration, enough for invented email addresses."""
    lowered = strip_accents(text).lower()
    for greek, latin in GREEK_DIGRAPHS:
        lowered = lowered.replace(greek, latin)
    latin = "".join(GREEK_LETTERS.get(ch, ch) for ch in lowered)
    return " ".join(word.capitalize() for word in latin.split(" "))
