"""Raw export rows to canonical contacts: one normalized row per raw row, the raw never touched.

`source_fields` reads each CRM's columns into one model (which header holds what, dates,
booleans, opt-outs, bounces); this module cleans the values (names, emails, phones, companies,
job titles, countries, vocabularies), adds the keys duplicate detection compares, and lists every
change it made (`normalization_changes`: field, before, after, rule) so a steward can audit it.

Vectorized polars where the rule is simple; per-value Python (names, phones, countries,
transliteration) only over distinct values, so the cost follows the number of different values,
not of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from hygiene_pipeline import schema
from hygiene_pipeline.ingest.formats import formats_from_export_files
from hygiene_pipeline.normalize.companies import company_display_expr, company_key
from hygiene_pipeline.normalize.countries import country_code
from hygiene_pipeline.normalize.emails import email_columns, email_domain_expr
from hygiene_pipeline.normalize.job_titles import (
    case_job_title,
    job_function_expr,
    job_seniority_expr,
)
from hygiene_pipeline.normalize.mailboxes import is_free_mail
from hygiene_pipeline.normalize.matching_keys import name_keys
from hygiene_pipeline.normalize.names import SALUTATIONS, SUFFIXES, clean_name, split_name
from hygiene_pipeline.normalize.phones import DEFAULT_REGION, phone_cells
from hygiene_pipeline.normalize.source_fields import source_fields
from hygiene_pipeline.normalize.vocabularies import Vocabulary, load_vocabularies

# Fields compared for the change log: normalized column <- source field.
CHANGE_FIELDS = ("first_name", "last_name", "email", "phone", "company", "job_title", "owner",
                 "lead_source", "lifecycle_stage", "lead_status", "country")  # fmt: skip
_NAME_PARTS = {"salutation": pl.String, "first_name": pl.String, "last_name": pl.String,
               "name_suffix": pl.String, "name_rule": pl.String}  # fmt: skip


def normalize_contacts(
    raw: pl.DataFrame,
    *,
    default_region: str = DEFAULT_REGION,
    export_files: pl.DataFrame | None = None,
    vocabularies: Mapping[str, Vocabulary] | None = None,
) -> pl.DataFrame:
    """The canonical contact table (schema.NORMALIZED_CONTACTS), one row per raw row, same order.

    `export_files` (the month's rows of that table) says how each file was read; it is needed for
    files read through a user column mapping, optional for the built-in CRM formats.
    """
    contacts, _ = normalize_with_changes(
        raw, default_region=default_region, export_files=export_files, vocabularies=vocabularies
    )
    return contacts


def normalize_with_changes(
    raw: pl.DataFrame,
    *,
    default_region: str = DEFAULT_REGION,
    export_files: pl.DataFrame | None = None,
    vocabularies: Mapping[str, Vocabulary] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """normalized_contacts and normalization_changes for one month of raw rows."""
    vocabularies = vocabularies or load_vocabularies()
    fields = contact_fields(raw, export_files=export_files, vocabularies=vocabularies)
    return normalize_fields(fields, default_region=default_region, vocabularies=vocabularies)


def contact_fields(
    raw: pl.DataFrame,
    *,
    export_files: pl.DataFrame | None = None,
    vocabularies: Mapping[str, Vocabulary] | None = None,
) -> pl.DataFrame:
    """The raw rows read as the canonical fields (`source_fields`), one per raw row, in order.

    Cleaning starts from these and never reads the raw rows again, so a caller holding a
    month can let the raw rows go before `normalize_fields` (BENCHMARKS.md: the step's peak).
    """
    formats = formats_from_export_files(export_files) if raw.height else {}
    return source_fields(raw, formats, vocabularies or load_vocabularies())


def normalize_fields(
    fields: pl.DataFrame,
    *,
    default_region: str = DEFAULT_REGION,
    vocabularies: Mapping[str, Vocabulary] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """normalized_contacts and normalization_changes from `contact_fields`' rows."""
    if fields.height == 0:
        return (
            schema.empty(schema.NORMALIZED_CONTACTS),
            schema.empty(schema.NORMALIZATION_CHANGES),
        )
    vocabularies = vocabularies or load_vocabularies()
    cleaned = _clean(fields, default_region, vocabularies)
    contacts = schema.conform(cleaned, schema.NORMALIZED_CONTACTS)
    return contacts, _changes(fields, cleaned)


def _clean(
    fields: pl.DataFrame, default_region: str, vocabularies: Mapping[str, Vocabulary]
) -> pl.DataFrame:
    country = _map_distinct(fields.get_column("country"), country_code)
    fields = fields.with_columns(country.alias("country"))
    fields = fields.with_columns(*email_columns(fields.get_column("email")).get_columns())
    # A national number is read in the contact's country; without one, the country of the email's
    # TLD (.de, .fr, ...) is a better guess than the configured default.
    tld = pl.col("email").str.extract(r"\.([a-z]{2})$").str.to_uppercase()
    tld_country = (
        pl.when(tld == "UK").then(pl.lit("GB")).when(tld.is_in(_NON_COUNTRY_TLDS)).then(None)
    ).otherwise(tld)
    region = pl.coalesce(pl.col("country"), tld_country, pl.lit(default_region))
    regions = fields.select(region.alias("region")).get_column("region")
    phones = phone_cells(fields.get_column("phone"), regions)
    names = _names(fields.get_column("first_name"), fields.get_column("last_name"))
    companies = _per_distinct(fields.get_column("company"), _company_columns)
    titles = _per_distinct(fields.get_column("job_title"), _job_title_columns)
    lead_sources = vocabularies["lead_sources"]
    stages = vocabularies["lifecycle_stages"]
    statuses = vocabularies["lead_statuses"]
    out = fields.with_columns(
        pl.col("phone").alias("phone_input"),
        *phones.get_columns(),
        *names.get_columns(),
        *companies.get_columns(),
        *titles.get_columns(),
        _per_distinct(
            fields.get_column("lead_source"),
            lambda d: d.with_columns(
                lead_sources.map_expr(_collapse_spaces(pl.col("value"))).alias("lead_source")
            ),
        ).to_series(),
        _per_distinct(
            fields.get_column("lifecycle_stage"),
            lambda d: d.with_columns(stages.map_expr(pl.col("value")).alias("lifecycle_stage")),
        ).to_series(),
        _collapse_spaces(pl.col("owner")).alias("owner"),
        _per_distinct(
            fields.get_column("lead_status"),
            lambda d: d.with_columns(
                statuses.map_expr(_collapse_spaces(pl.col("value"))).alias("lead_status")
            ),
        ).to_series(),
        email_domain_expr(pl.col("email")).alias("email_domain"),
    )
    free = _map_distinct(
        out.get_column("email_domain"),
        lambda domain: None if domain is None else is_free_mail(domain),
        return_dtype=pl.Boolean,
    )
    out = out.with_columns(
        pl.when(free.not_()).then(pl.col("email_domain")).alias("company_domain"),
    )
    return out


def _company_columns(distinct: pl.DataFrame) -> pl.DataFrame:
    display = distinct.select(company_display_expr(_collapse_spaces(pl.col("value"))))
    company = display.to_series().alias("company")
    return distinct.with_columns(company, company_key(company))


def _job_title_columns(distinct: pl.DataFrame) -> pl.DataFrame:
    collapsed = distinct.select(_collapse_spaces(pl.col("value"))).to_series()
    cased = collapsed.map_elements(case_job_title, pl.String, skip_nulls=True)
    return distinct.with_columns(cased.alias("job_title")).with_columns(
        job_function_expr(pl.col("job_title")).alias("job_function"),
        job_seniority_expr(pl.col("job_title")).alias("job_seniority"),
    )


def _per_distinct(
    values: pl.Series, compute: Callable[[pl.DataFrame], pl.DataFrame]
) -> pl.DataFrame:
    """Columns computed by `compute` over the distinct values (column `value`), in row order.

    Companies, titles and vocabularies repeat a lot: running their regexes on the distinct
    values instead of a million rows is most of normalize's speed.
    """
    frame = values.alias("value").to_frame()
    distinct = compute(frame.unique())
    joined = frame.join(distinct, on="value", how="left", nulls_equal=True, maintain_order="left")
    return joined.drop("value")


# Two-letter TLDs that mostly do not name the user's country (.uk is mapped to GB separately).
_NON_COUNTRY_TLDS = ("EU", "IO", "AI", "CO", "ME", "TV", "FM", "LY", "AM")


def _name_key_expr(expr: pl.Expr, token: str) -> pl.Expr:
    """The first (`^`) or last (`$`) word of a name, folded as names.SALUTATIONS/SUFFIXES are."""
    pattern = r"^(\S+)" if token == "^" else r"(\S+)$"
    return (
        expr.str.to_lowercase()
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.extract(pattern)
        .str.replace_all(r"\.", "")
        .str.strip_chars(",")
    )


def _names(first: pl.Series, last: pl.Series) -> pl.DataFrame:
    """Salutation, names, suffix, the rule applied and the matching keys, one row per contact.

    Computed once per distinct (first, last) pair. Most pairs need only casing and symbol
    removal, done once per distinct first and last name; only pairs that may hold a title, a
    suffix, a full name or "Last, First" are split together in Python.
    """
    frame = pl.DataFrame({"first": first, "last": last})
    pairs = frame.unique()
    salutations, suffixes = list(SALUTATIONS), list(SUFFIXES)
    needs_pair = pairs.select(
        (
            pl.col("first").str.contains(",").fill_null(False)
            | (pl.col("last").is_null() & pl.col("first").str.contains(" ").fill_null(False))
            | _name_key_expr(pl.col("first"), "^").is_in(salutations).fill_null(False)
            | _name_key_expr(pl.col("last"), "^").is_in(salutations).fill_null(False)
            | _name_key_expr(pl.col("last"), "$").is_in(suffixes).fill_null(False)
            | _name_key_expr(pl.col("first"), "$").is_in(suffixes).fill_null(False)
        ).alias("pair")
    ).to_series()
    simple = pairs.with_columns(
        pl.lit(None, dtype=pl.String).alias("salutation"),
        _map_distinct(pairs.get_column("first"), clean_name).alias("first_name"),
        _map_distinct(pairs.get_column("last"), clean_name).alias("last_name"),
        pl.lit(None, dtype=pl.String).alias("name_suffix"),
    ).with_columns(
        pl.when(
            pl.col("first_name").ne_missing(pl.col("first"))
            | pl.col("last_name").ne_missing(pl.col("last"))
        )
        .then(pl.lit("name_cleaned"))
        .alias("name_rule"),
    )
    split_rows = pairs.filter(needs_pair)
    parts = [_split_pair(first, last) for first, last in split_rows.iter_rows()]
    split = split_rows.with_columns(
        pl.DataFrame(parts, schema=_NAME_PARTS, orient="row") if parts else
        pl.DataFrame(schema=_NAME_PARTS)
    )  # fmt: skip
    resolved = pl.concat([simple.filter(~needs_pair), split])
    resolved = pl.concat(
        [resolved, name_keys(resolved.get_column("first_name"), resolved.get_column("last_name"))],
        how="horizontal",
    )
    joined = frame.join(
        resolved, on=["first", "last"], how="left", nulls_equal=True, maintain_order="left"
    )
    return joined.drop("first", "last")


def _split_pair(first: str | None, last: str | None) -> tuple[str | None, ...]:
    parts = split_name(first, last)
    return (parts.salutation, parts.first_name, parts.last_name, parts.suffix,
            "+".join(parts.rules) or None)  # fmt: skip


def _changes(fields: pl.DataFrame, cleaned: pl.DataFrame) -> pl.DataFrame:
    """One row per (contact, field) whose normalized value differs from the source value."""
    before = fields.select("snapshot", "contact_id", *CHANGE_FIELDS)
    after = cleaned.select(
        *(pl.col(name).alias(f"{name}__after") for name in CHANGE_FIELDS),
        pl.col("name_rule"),
        pl.col("email_others").list.len().alias("_emails"),
        pl.col("phone_others").list.len().alias("_phones"),
    )
    # Lazily, so each field's filter copies only the columns its changes keep, not all of them
    # (at a million contacts, a quarter of a gigabyte for the phones alone).
    both = pl.concat([before, after], how="horizontal").lazy()
    parts = []
    for name in CHANGE_FIELDS:
        old, new = pl.col(name).cast(pl.String), pl.col(f"{name}__after").cast(pl.String)
        parts.append(
            both.filter(old.ne_missing(new)).select(
                "snapshot",
                "contact_id",
                pl.lit(name).alias("field"),
                old.alias("before"),
                new.alias("after"),
                _rule(name, old, new).alias("rule"),
            )
        )
    changes = pl.concat([part.collect() for part in parts])  # one at a time: the smaller peak
    return schema.conform(changes, schema.NORMALIZATION_CHANGES)


def _rule(field: str, before: pl.Expr, after: pl.Expr) -> pl.Expr:
    """Which rule changed a field, for the steward reading the change log."""
    if field in ("first_name", "last_name"):
        return pl.coalesce(pl.col("name_rule"), pl.lit("name_cleaned"))
    if field == "email":
        return (
            pl.when(pl.col("_emails") > 0)
            .then(pl.lit("email_several_addresses"))
            .otherwise(pl.lit("email_cleaned"))
        )
    if field == "phone":
        return (
            pl.when(after.is_null())
            .then(pl.lit("phone_not_valid"))
            .when(pl.col("_phones") > 0)
            .then(pl.lit("phone_e164_several_numbers"))
            .otherwise(pl.lit("phone_e164"))
        )
    if field == "country":
        return (
            pl.when(after.is_null()).then(pl.lit("country_unknown")).otherwise(pl.lit("iso_3166"))
        )
    if field in ("lead_source", "lifecycle_stage"):
        return pl.lit(f"{field}_vocabulary")
    if field == "lead_status":
        spaced = before.str.replace_all(r"\s+", " ").str.strip_chars() == after
        return pl.when(spaced).then(pl.lit("spaces")).otherwise(pl.lit("lead_status_vocabulary"))
    if field == "job_title":
        recased = before.str.to_lowercase().str.replace_all(r"\s+", " ") == after.str.to_lowercase()
        return pl.when(recased).then(pl.lit("job_title_recased")).otherwise(pl.lit("spaces"))
    if field == "company":
        return pl.lit("company_cleaned")
    return pl.lit("spaces")


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
