"""Phone numbers to E.164 with libphonenumber, the contact's country as the default region."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberType

DEFAULT_REGION = "NL"

_TYPE_NAMES = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}


@lru_cache(maxsize=200_000)
def to_e164(text: str | None, region: str | None) -> tuple[str | None, str | None]:
    """(E.164, type) when libphonenumber calls the number valid, else (None, None).

    `00` international prefixes are read as `+` whatever the region, as Europeans write them.
    """
    if text is None or not text.strip():
        return None, None
    candidate = text.strip()
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    try:
        number = phonenumbers.parse(candidate, region or DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None, None
    if not phonenumbers.is_valid_number(number):
        return None, None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, _TYPE_NAMES.get(phonenumbers.number_type(number))
