"""Masking of personal data for anything a person sees outside the database: metadata, logs.

A preview must let an operator recognise a row's shape (which domain, which country prefix, was
there a name at all) without showing who it is: j***@example.com, +** * ****** 78, S***.
"""

from __future__ import annotations

import re

_EMAIL_IN_TEXT = re.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+")


def mask_email(email: str | None) -> str | None:
    """First character of the local part, then ***, then the domain as is: j***@example.com."""
    if email is None:
        return None
    text = email.strip()
    if not text:
        return ""
    local, at, domain = text.rpartition("@")
    if not at:  # no @: not an address, but still somebody's text
        return text[0] + "***"
    return f"{local[:1]}***@{domain}" if local else f"***@{domain}"


def mask_phone(phone: str | None) -> str | None:
    """Every digit but the last two becomes *, so the number's shape stays readable."""
    if phone is None:
        return None
    digits = sum(char.isdigit() for char in phone)
    keep_from = digits - 2
    seen = 0
    masked = []
    for char in phone:
        if char.isdigit():
            masked.append(char if seen >= keep_from else "*")
            seen += 1
        else:
            masked.append(char)
    return "".join(masked)


def mask_name(name: str | None) -> str | None:
    """The initial and ***: enough to see that a name was there, not whose it is."""
    if name is None:
        return None
    text = name.strip()
    return text[:1] + "***" if text else ""


def mask_text(text: str | None) -> str | None:
    """Free text (a bounce reason, a reason list) with any email address inside it masked."""
    if text is None:
        return None
    return _EMAIL_IN_TEXT.sub(lambda match: mask_email(match.group(0)) or "", text)
