"""Raw export rows to canonical contacts: one normalized row per raw row, the raw never touched.

Vectorized polars where the rule is simple; per-value Python (names, phones, countries) only over
distinct values, so the cost follows the number of different values, not of rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from hygiene_pipeline import schema
from hygiene_pipeline.countries import country_code
from hygiene_pipeline.crm_formats import FORMATS_BY_SYSTEM, CrmFormat
from hygiene_pipeline.names import clean_name
from hygiene_pipeline.phones import DEFAULT_REGION, to_e164

# Canonical text fields pulled out of each export before cleaning.
_SOURCE_FIELDS = (
    "first_name", "last_name", "email", "phone", "company", "job_title", "owner", "lead_source",
    "lifecycle_stage", "lead_status", "country", "created_at", "updated_at", "last_activity_at",
    "unsubscribed", "bounce_count", "hard_bounce_reason", "invalid_email_flag",
)  # fmt: skip

# Date and time shapes CRMs write; ISO first. Day-first vs month-first is decided per column later.
_DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
)
_TRUE_WORDS = ("true", "yes", "y", "1", "ja", "oui", "wahr", "si", "sí", "vrai")

# HubSpot writes lifecycle stages as display labels; the standard is HubSpot's internal value.
_LIFECYCLE_STAGES = {
    "subscriber": "subscriber",
    "lead": "lead",
    "marketing qualified lead": "marketingqualifiedlead",
    "marketingqualifiedlead": "marketingqualifiedlead",
    "mql": "marketingqualifiedlead",
    "sales qualified lead": "salesqualifiedlead",
    "salesqualifiedlead": "salesqualifiedlead",
    "sql": "salesqualifiedlead",
    "opportunity": "opportunity",
    "customer": "customer",
    "evangelist": "evangelist",
    "other": "other",
}


def normalize_contacts(raw: pl.DataFrame, *, default_region: str = DEFAULT_REGION) -> pl.DataFrame:
    """The canonical contact table (schema.NORMALIZED_CONTACTS), one row per raw row, same order."""
    if raw.height == 0:
        return schema.empty(schema.NORMALIZED_CONTACTS)
    systems = raw.get_column("source_system").unique(maintain_order=True).to_list()
    unknown = [system for system in systems if system not in FORMATS_BY_SYSTEM]
    if unknown:
        raise ValueError(f"no column mapping for source systems {unknown}")
    order = pl.int_range(pl.len()).alias("_order")
    parts = [
        _extract(raw.with_columns(order).filter(pl.col("source_system") == system), fmt)
        for system in systems
        for fmt in [FORMATS_BY_SYSTEM[system]]
    ]
    fields = pl.concat(parts).sort("_order").drop("_order")
    return schema.conform(_clean(fields, default_region), schema.NORMALIZED_CONTACTS)


def _extract(rows: pl.DataFrame, fmt: CrmFormat) -> pl.DataFrame:
    """The canonical text fields of one CRM's rows: first non-blank of the mapped columns."""
    columns = []
    for field in _SOURCE_FIELDS:
        sources = [name for name in fmt.source_columns(field) if name in rows.columns]
        candidates = [_blank_to_null(pl.col(name)) for name in sources]
        value = pl.coalesce(candidates) if candidates else pl.lit(None, dtype=pl.String)
        columns.append(value.alias(field))
    keep = ["_order", "snapshot", "contact_id", "source_file", "source_row", "source_system"]
    return rows.select([*keep, *columns])


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    trimmed = expr.cast(pl.String).str.strip_chars()
    return pl.when(trimmed == "").then(None).otherwise(trimmed)


def _clean(fields: pl.DataFrame, default_region: str) -> pl.DataFrame:
    country = _map_distinct(fields.get_column("country"), country_code)
    fields = fields.with_columns(country.alias("country"))
    # A national number is read in the contact's country; without one, the country of the email's
    # TLD (.de, .fr, ...) is a better guess than the configured default.
    tld = _email(pl.col("email")).str.extract(r"\.([a-z]{2})$").str.to_uppercase()
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
        _email(pl.col("email")).alias("email"),
        pl.col("phone").alias("phone_input"),
        e164.struct.field("phone").alias("phone"),
        e164.struct.field("phone_type").alias("phone_type"),
        _collapse_spaces(pl.col("company")).alias("company"),
        _collapse_spaces(pl.col("job_title")).alias("job_title"),
        _collapse_spaces(pl.col("owner")).alias("owner"),
        _collapse_spaces(pl.col("lead_source")).alias("lead_source"),
        _lifecycle(pl.col("lifecycle_stage")).alias("lifecycle_stage"),
        _collapse_spaces(pl.col("lead_status")).alias("lead_status"),
        *(_datetime(pl.col(name)).alias(name) for name in _DATE_FIELDS),
        _boolean(pl.col("unsubscribed")).fill_null(False).alias("unsubscribed"),
        _bounce().alias("bounce"),
        pl.col("hard_bounce_reason").alias("bounce_reason"),
    )


_DATE_FIELDS = ("created_at", "updated_at", "last_activity_at")
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


def _email(expr: pl.Expr) -> pl.Expr:
    """Trim, drop a `mailto:` prefix, angle brackets and trailing dots, lower-case."""
    cleaned = (
        expr.str.strip_chars()
        .str.replace(r"(?i)^mailto:", "")
        .str.strip_chars("<> \t")
        .str.strip_chars_end(".")
        .str.to_lowercase()
    )
    return pl.when(cleaned == "").then(None).otherwise(cleaned)


def _lifecycle(expr: pl.Expr) -> pl.Expr:
    folded = expr.str.to_lowercase().str.replace_all(r"[\s_\-]+", " ").str.strip_chars()
    return folded.replace_strict(_LIFECYCLE_STAGES, default="other", return_dtype=pl.String)


def _datetime(expr: pl.Expr) -> pl.Expr:
    attempts = [
        expr.str.to_datetime(fmt, strict=False, time_unit="us") for fmt in _DATETIME_FORMATS
    ]
    # HubSpot's API-style exports write epoch milliseconds.
    epoch_ms = (
        pl.when(expr.str.contains(r"^\d{12,13}$"))
        .then(expr.cast(pl.Int64, strict=False).cast(pl.Datetime("ms")).cast(pl.Datetime("us")))
        .otherwise(None)
    )
    return pl.coalesce([*attempts, epoch_ms])


def _boolean(expr: pl.Expr) -> pl.Expr:
    folded = expr.str.to_lowercase()
    return pl.when(folded.is_null()).then(None).otherwise(folded.is_in(_TRUE_WORDS))


def _bounce() -> pl.Expr:
    """none / soft / hard: a hard-bounce reason or an invalid-address flag is hard."""
    bounced = pl.col("bounce_count").cast(pl.Int64, strict=False).fill_null(0) > 0
    hard = pl.col("hard_bounce_reason").is_not_null() | _boolean(
        pl.col("invalid_email_flag")
    ).fill_null(False)
    return (
        pl.when(hard)
        .then(pl.lit("hard"))
        .when(bounced)
        .then(pl.lit("soft"))
        .otherwise(pl.lit("none"))
    )
