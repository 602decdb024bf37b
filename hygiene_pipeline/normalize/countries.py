"""Country text as users type it (English, native names, codes) to ISO 3166-1 alpha-2."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import pycountry

# Native and common names pycountry does not know. Keys are case-folded and accent-free.
_ALIASES = {
    "nederland": "NL", "holland": "NL", "the netherlands": "NL", "pays-bas": "NL",
    "niederlande": "NL", "belgie": "BE", "belgique": "BE", "belgien": "BE",
    "deutschland": "DE", "allemagne": "DE", "duitsland": "DE", "frankreich": "FR",
    "frankrijk": "FR", "ellada": "GR", "ελλαδα": "GR", "ελλάδα": "GR", "hellas": "GR",
    "uk": "GB", "england": "GB", "scotland": "GB", "wales": "GB", "great britain": "GB",
    "grande-bretagne": "GB", "royaume-uni": "GB", "verenigd koninkrijk": "GB",
    "osterreich": "AT", "schweiz": "CH", "suisse": "CH", "svizzera": "CH", "espana": "ES",
    "italia": "IT", "luxemburg": "LU", "danmark": "DK", "sverige": "SE", "norge": "NO",
    "suomi": "FI", "polska": "PL", "cesko": "CZ", "eire": "IE", "usa": "US",
    "united states of america": "US", "u.s.a.": "US", "u.s.": "US",
}  # fmt: skip


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@lru_cache(maxsize=4096)
def country_code(value: str | None) -> str | None:
    """ISO alpha-2 for a country name or code, or None when it is blank or unrecognised."""
    if value is None or not value.strip():
        return None
    folded = _fold(value)
    if folded in _ALIASES:
        return _ALIASES[folded]
    try:
        return pycountry.countries.lookup(value.strip()).alpha_2
    except LookupError:
        return None
