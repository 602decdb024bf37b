"""Placeholder phone numbers: made-up numbers that libphonenumber may still call valid.

A fact about a number, not a verdict on a contact: validation marks such a phone `placeholder`,
and duplicate detection never matches two people on one (06 12345678 is everybody's).

Patterns: one digit repeated, an ascending or descending run (123456, 987654), seven or more
identical trailing digits, the NANP 555-01xx fiction range and Ofcom's drama ranges.
"""

from __future__ import annotations

import re

import phonenumbers

from hygiene_pipeline.normalize.phones import DEFAULT_REGION

MIN_RUN = 6  # an ascending/descending run this long inside a national number is fake

_ASCENDING = "01234567890"  # keyboard order: ...7890 counts as ascending
_DESCENDING = "09876543210"
# Any MIN_RUN-long window of either order, in one regex: one C call instead of a Python loop.
_RUN_WINDOWS = {
    order[start : start + MIN_RUN]
    for order in (_ASCENDING, _DESCENDING)
    for start in range(len(order) - MIN_RUN + 1)
}
_DIGIT_RUN = re.compile("|".join(sorted(_RUN_WINDOWS)))
_SAME_DIGIT_TAIL = re.compile(r"(\d)\1{6,}$")  # 7+ identical trailing digits: 06 00000000

# Ofcom numbers reserved for TV, radio and drama, as national significant number prefixes
# (the leading 0 dropped). Each prefix covers a block of 1000 numbers, 028 9649 6 a block of 1000.
UK_DRAMA_PREFIXES: tuple[str, ...] = (
    "1134960",  # Leeds 0113 496 0000-0999
    "1144960",  # Sheffield
    "1154960",  # Nottingham
    "1164960",  # Leicester
    "1174960",  # Bristol
    "1184960",  # Reading
    "1214960",  # Birmingham
    "1314960",  # Edinburgh
    "1414960",  # Glasgow
    "1514960",  # Liverpool
    "1614960",  # Manchester 0161 496 0000-0999
    "1914980",  # Tyneside 0191 498 0000-0999
    "1632960",  # no area 01632 960000-960999
    "2079460",  # London 020 7946 0000-0999
    "2896496",  # Belfast 028 9649 6000-6999
    "2920180",  # Cardiff 029 2018 0000-0999
    "3069990",  # non-geographic 03069 990000-990999
    "7700900",  # mobile 07700 900000-900999
    "8081570",  # freephone 08081 570000-570999
    "9098790",  # premium 0909 879 0000-0999
)


def _region(country: str | None) -> str:
    """The contact's ISO2 country when libphonenumber knows it, else DEFAULT_REGION."""
    region = (country or "").strip().upper()
    return region if region in phonenumbers.SUPPORTED_REGIONS else DEFAULT_REGION


def placeholder_pattern(phone_input: str, country: str | None = None) -> str | None:
    """Name of the fake-number pattern `phone_input` matches, or None for a plausible number.

    Parsed like normalize does (region = the contact's country, default NL; 00 read as +).
    When libphonenumber cannot parse the text, the bare digits are checked instead, so
    "0000000000" is a placeholder and not merely invalid.
    """
    text = phone_input.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, _region(country))
        national = phonenumbers.national_significant_number(number)
        country_code = number.country_code
    except phonenumbers.NumberParseException:
        national = re.sub(r"\D", "", phone_input)
        country_code = None
    return _digit_pattern(national) or _fictional_range(national, country_code)


def e164_placeholder_pattern(e164: str) -> str | None:
    """`placeholder_pattern` for a number normalize already parsed: no second parse needed.

    E.164 is the country code followed by the national significant number, and country codes
    are prefix-free, so the split is unambiguous.
    """
    digits = e164.lstrip("+")
    for size in (1, 2, 3):
        country_code = int(digits[:size] or 0)
        if country_code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            national = digits[size:]
            return _digit_pattern(national) or _fictional_range(national, country_code)
    return _digit_pattern(digits)


def _digit_pattern(digits: str) -> str | None:
    """Runs once per distinct number (half a million a month): cheap checks first."""
    if len(digits) >= 4 and digits.count(digits[0]) == len(digits):  # one digit, repeated
        return "repeated_digit"
    if _DIGIT_RUN.search(digits):
        return "digit_run"
    # The regex tries every position. A match needs the two characters before the last one to be
    # equal (the last may be a newline, which `$` matches before): most numbers fail that first.
    if len(digits) >= 7 and digits[-2] == digits[-3] and _SAME_DIGIT_TAIL.search(digits):
        return "repeated_digit"
    return None


def _fictional_range(national: str, country_code: int | None) -> str | None:
    if country_code in (1, None):
        # NANP 555-0100..0199 is reserved for fiction, with or without an area code.
        if len(national) == 10 and national[3:8] == "55501":
            return "us_fictional_555"
        if len(national) == 7 and national.startswith("55501"):
            return "us_fictional_555"
    if (
        country_code in (44, None)
        and len(national) == 10
        and national.startswith(UK_DRAMA_PREFIXES)
    ):
        return "uk_drama_range"
    return None
