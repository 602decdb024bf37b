"""The suppression list: keyed hashes of emails that must never come back.

People who unsubscribed, hard-bounced or asked to be erased are kept as HMAC-SHA256 of their
normalized email, keyed by a secret only the user holds (HYGIENE_SUPPRESSION_KEY), so the list
proves "we must not contact this address" without storing the address, and a re-import is caught.
"""

from __future__ import annotations

import hashlib
import hmac
import os

import polars as pl

KEY_VARIABLE = "HYGIENE_SUPPRESSION_KEY"
_MIN_KEY_BYTES = 16
# The delete reasons whose email goes on the list.
SUPPRESS_REASONS = ("erasure_request", "unsubscribed", "hard_bounce")

SUPPRESSION_LIST = {
    "snapshot": pl.Date(),  # the month the entry was made
    "email_hmac": pl.String(),  # hex HMAC-SHA256 of the normalized email
    "reason": pl.String(),  # erasure_request, unsubscribed or hard_bounce
}


class SuppressionKeyError(RuntimeError):
    """No usable key: suppression refuses to run rather than hash with a guessable default."""


def suppression_key(environ: dict[str, str] | None = None) -> bytes:
    """The secret from the environment only; never logged, never defaulted."""
    value = (environ if environ is not None else os.environ).get(KEY_VARIABLE, "")
    key = value.strip().encode("utf-8")
    if len(key) < _MIN_KEY_BYTES:
        problem = "is not set" if not key else f"is shorter than {_MIN_KEY_BYTES} characters"
        raise SuppressionKeyError(
            f"{KEY_VARIABLE} {problem}. The prune list keeps unsubscribed, bounced and erased "
            "emails as keyed hashes and refuses to run without a secret key. Create one with "
            '`python -c "import secrets; print(secrets.token_hex(32))"`, keep it in your '
            f"secret store, and export {KEY_VARIABLE} before starting Dagster. Use the same key "
            "every month: a new key cannot recognise entries made with the old one."
        )
    return key


def email_hmacs(emails: pl.Series, key: bytes) -> pl.Series:
    """Hex HMAC-SHA256 per email (null stays null), computed once per distinct address."""
    distinct = emails.drop_nulls().unique().to_list()
    digests = {
        email: hmac.new(key, email.encode("utf-8"), hashlib.sha256).hexdigest()
        for email in distinct
    }
    return emails.replace_strict(digests, default=None, return_dtype=pl.String).alias("email_hmac")
