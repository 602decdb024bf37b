"""phone_status per contact: valid, invalid, placeholder or missing.

- missing: no phone text at all (`phone_input` is null).
- placeholder: a made-up number, even when libphonenumber accepts it (see
  `normalize.phone_placeholders`).
  Checked before "valid" because fake numbers such as 06 12345678 are valid to libphonenumber.
- valid: normalize produced an E.164 `phone`.
- invalid: anything else (unparseable, wrong length, unassigned range).

Only distinct (phone_input, country, phone) values go through Python; the rest is a join.
"""

from __future__ import annotations

import polars as pl

from hygiene_pipeline.normalize.phone_placeholders import (
    e164_placeholder_pattern,
    placeholder_pattern,
)


def phone_statuses(contacts: pl.DataFrame) -> pl.Series:
    """phone_status for each row of a frame with phone_input, phone and country columns.

    Valid numbers are checked from their E.164 form, once per distinct number; only the
    distinct (text, country) pairs normalize could not read are parsed again, to tell a fake
    (07700 900461) from a plain invalid one. Only the few fakes are matched back to the rows.
    """
    keys = ["phone_input", "country"]
    phones = contacts.select(*keys, "phone")
    typed = phones.filter(pl.col("phone_input").is_not_null())
    parsed = (pl.col("phone") != "").fill_null(False)  # as `if phone`: "" is parsed again
    fake_unparsed = _fake_unparsed(typed.filter(~parsed).select(keys).unique())
    fake_numbers = _fake_numbers(typed.filter(parsed).get_column("phone").unique())
    joined = phones.join(
        fake_unparsed, on=keys, how="left", nulls_equal=True, maintain_order="left"
    )
    placeholder = (
        pl.when(parsed)
        .then(pl.col("phone").is_in(fake_numbers.implode()))
        .otherwise(pl.col("_fake"))
    )
    return joined.select(
        pl.when(pl.col("phone_input").is_null())
        .then(pl.lit("missing"))
        .when(placeholder.fill_null(False))
        .then(pl.lit("placeholder"))
        .when(pl.col("phone").is_not_null())
        .then(pl.lit("valid"))
        .otherwise(pl.lit("invalid"))
        .alias("phone_status")
    ).to_series()


def _fake_numbers(numbers: pl.Series) -> pl.Series:
    """The distinct E.164 `numbers` that match a placeholder pattern."""
    fake = [e164_placeholder_pattern(number) is not None for number in numbers]
    return numbers.filter(pl.Series(fake, dtype=pl.Boolean()))


def _fake_unparsed(pairs: pl.DataFrame) -> pl.DataFrame:
    """The distinct (phone_input, country) `pairs` that are placeholders, marked _fake."""
    fake = [placeholder_pattern(text, country) is not None for text, country in pairs.iter_rows()]
    return pairs.filter(pl.Series(fake, dtype=pl.Boolean())).with_columns(_fake=pl.lit(True))
