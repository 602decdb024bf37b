"""Raw export rows to canonical contacts: one normalized row per raw row, the raw never touched.

source_fields.py reads each CRM's columns into one model (which header holds what, dates,
booleans, opt-outs, bounces); this module cleans the values (names, emails, phones, countries).

Vectorized polars where the rule is simple; per-value Python (names, phones, countries) only over
distinct values, so the cost follows the number of different values, not of rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from hygiene_pipeline import schema
from hygiene_pipeline.countries import country_code
from hygiene_pipeline.crm_formats import formats_from_export_files
from hygiene_pipeline.emails import clean_email_expr
from hygiene_pipeline.names import clean_name
from hygiene_pipeline.phones import DEFAULT_REGION, to_e164
from hygiene_pipeline.source_fields import source_fields


def normalize_contacts(
    raw: pl.DataFrame,
    *,
    default_region: str = DEFAULT_REGION,
    export_files: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The canonical contact table (schema.NORMALIZED_CONTACTS), one row per raw row, same order.

    `export_files` (the month's rows of that table) says how each file was read; it is needed for
    files read through a user column mapping, optional for the built-in CRM formats.
    """
    if raw.height == 0:
        return schema.empty(schema.NORMALIZED_CONTACTS)
    fields = source_fields(raw, formats_from_export_files(export_files))
    return schema.conform(_clean(fields, default_region), schema.NORMALIZED_CONTACTS)


def _clean(fields: pl.DataFrame, default_region: str) -> pl.DataFrame:
    country = _map_distinct(fields.get_column("country"), country_code)
    fields = fields.with_columns(country.alias("country"))
    # A national number is read in the contact's country; without one, the country of the email's
    # TLD (.de, .fr, ...) is a better guess than the configured default.
    tld = clean_email_expr(pl.col("email")).str.extract(r"\.([a-z]{2})$").str.to_uppercase()
    tld_country = (
        pl.when(tld == "UK").then(pl.lit("GB")).when(tld.is_in(_NON_COUNTRY_TLDS)).then(None)
    ).otherwise(tld)
    region = pl.coalesce(pl.col("country"), tld_country, pl.lit(default_region))
    phone_pairs = fields.select(
        pl.struct(pl.col("phone"), region.alias("region")).alias("pair")
    ).get_column("pair")
    e164 = _map_distinct(
        phone_pairs,
        lambda pair: _struct_result(to_e164(pair["phone"], pair["region"])),
        return_dtype=pl.Struct({"phone": pl.String, "phone_type": pl.String}),
    )
    return fields.with_columns(
        _map_distinct(fields.get_column("first_name"), clean_name).alias("first_name"),
        _map_distinct(fields.get_column("last_name"), clean_name).alias("last_name"),
        clean_email_expr(pl.col("email")).alias("email"),
        pl.col("phone").alias("phone_input"),
        e164.struct.field("phone").alias("phone"),
        e164.struct.field("phone_type").alias("phone_type"),
        _collapse_spaces(pl.col("company")).alias("company"),
        _collapse_spaces(pl.col("job_title")).alias("job_title"),
        _collapse_spaces(pl.col("owner")).alias("owner"),
        _collapse_spaces(pl.col("lead_source")).alias("lead_source"),
        _collapse_spaces(pl.col("lead_status")).alias("lead_status"),
    )


# Two-letter TLDs that mostly do not name the user's country (.uk is mapped to GB separately).
_NON_COUNTRY_TLDS = ("EU", "IO", "AI", "CO", "ME", "TV", "FM", "LY", "AM")


def _struct_result(pair: tuple[str | None, str | None]) -> dict[str, str | None]:
    return {"phone": pair[0], "phone_type": pair[1]}


def _map_distinct(
    values: pl.Series,
    function: Callable[[Any], Any],
    *,
    return_dtype: pl.DataType | type[pl.DataType] = pl.String,
) -> pl.Series:
    """Apply a Python function once per distinct value and broadcast the results back."""
    frame = values.alias("value").to_frame()
    distinct = frame.unique(maintain_order=True)
    results = pl.Series(
        "result",
        [function(value) for value in distinct.get_column("value").to_list()],
        dtype=return_dtype,
    )
    mapping = distinct.with_columns(results)
    return frame.join(mapping, on="value", how="left", nulls_equal=True, maintain_order="left")[
        "result"
    ]


def _collapse_spaces(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(r"\s+", " ").str.strip_chars()
