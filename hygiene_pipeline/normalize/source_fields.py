"""Raw export rows to canonical *source* fields: what each CRM's columns say, in one model.

This is the per-CRM reading, before any cleaning: which header holds the email, how a CRM writes
a yes, a date, an opt-out or a bounce. The result has one row per raw row, in raw order; text
fields are trimmed and blank is null, but otherwise as exported (contacts.py cleans them).

- Dates: see dates; day-first versus month-first is decided per file and column.
- Booleans, marketing statuses, bounce types and lifecycle labels: the words of
  `vocabularies.yaml`, in every language it lists; anything else is null (unknown), never false.
- Unsubscribed: the CRM's opt-out flag (HubSpot, Salesforce) or marketing status (Pipedrive
  `Unsubscribed`); false when the file has such a column and the cell says nothing, null (unknown)
  when the file has no such column at all.
- `unknown_fields`: the facts that decide actions (lifecycle_stage, unsubscribed, bounce) that
  the row's file cannot tell, so later stages never take "no column" for "no".
- Bounce (none / soft / hard, reason kept): hard when the CRM names a hard bounce (HubSpot's hard
  bounce reason or invalid-address flag, a bounce type "hard") or the bounce reason carries a
  permanent SMTP code (5xx, 5.x.x) or says the mailbox does not exist; soft for any other bounce
  evidence (a bounce count above 0, a bounced flag or date, a temporary 4xx reason).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

import polars as pl

from hygiene_pipeline.ingest.formats import SOURCE_FIELDS, CrmFormat
from hygiene_pipeline.ingest.recognition import built_in_format_for, missing_decisions
from hygiene_pipeline.normalize.dates import (
    AMBIGUOUS,
    CONFLICTING,
    DAY_FIRST,
    MONTH_FIRST,
    numeric_date_order,
    parse_datetimes,
)
from hygiene_pipeline.normalize.vocabularies import Vocabulary, load_vocabularies

log = logging.getLogger(__name__)

LINEAGE = ("snapshot", "contact_id", "source_file", "source_row", "source_system")

SOURCE_FIELD_TYPES: dict[str, pl.DataType] = {
    "first_name": pl.String(),
    "last_name": pl.String(),
    "email": pl.String(),
    "phone": pl.String(),
    "company": pl.String(),
    "job_title": pl.String(),
    "owner": pl.String(),
    "lead_source": pl.String(),
    "lifecycle_stage": pl.String(),  # HubSpot's internal values: lead, customer, ...
    "lead_status": pl.String(),
    "country": pl.String(),  # as exported; normalize turns it into ISO alpha-2
    "created_at": pl.Datetime("us"),
    "updated_at": pl.Datetime("us"),
    "last_activity_at": pl.Datetime("us"),
    "unsubscribed": pl.Boolean(),
    "bounce": pl.String(),  # none, soft, hard
    "bounce_reason": pl.String(),
    "legal_basis": pl.String(),  # as exported; from a marketing status where that is all
    "source_detail": pl.String(),  # HubSpot's Original Source Drill-Down 1 (CRM_UI, IMPORT ...)
    "unknown_fields": pl.List(pl.String()),
}
DATE_FIELDS = ("created_at", "updated_at", "last_activity_at")
# Text fields handed to normalize's cleaning as exported (trimmed, blank = null).
_PASSED_THROUGH = ("email", "phone", "company", "job_title", "owner", "lead_source", "lead_status",
                   "country", "source_detail")  # fmt: skip

_HARD_REASON = (
    r"(?i)does ?n[o']t exist|user unknown|unknown user|no such (user|mailbox|recipient)|"
    r"mailbox (unavailable|not found)|invalid (recipient|mailbox|address)|recipient rejected|"
    r"address rejected|bestaat niet|existiert nicht|n'existe pas|inconnu"
)
_SOFT_REASON = r"(?i)mailbox full|over quota|quota exceeded|temporar|try again|greylist"

# When a record carries several labels (Pipedrive), the most advanced stage wins.
_STAGE_RANK = ("evangelist", "customer", "opportunity", "salesqualifiedlead",
               "marketingqualifiedlead", "lead", "subscriber", "other")  # fmt: skip


class MissingColumnMappingError(ValueError):
    """Rows whose file was read with a user column mapping, but the mapping was not passed."""


def source_fields(
    raw: pl.DataFrame,
    formats_by_file: Mapping[str, CrmFormat] | None = None,
    vocabularies: Mapping[str, Vocabulary] | None = None,
) -> pl.DataFrame:
    """Lineage plus SOURCE_FIELD_TYPES, one row per raw row in raw order.

    `formats_by_file` (file name -> format, from export_files.column_mapping) says how each file
    was read; without it, a file's format is found from its source_system and the headers it has.
    """
    vocabularies = vocabularies or load_vocabularies()
    schema = {name: raw.schema.get(name, pl.String()) for name in LINEAGE}
    if raw.height == 0:
        return pl.DataFrame(schema={**schema, **SOURCE_FIELD_TYPES})
    ordered = raw.with_row_index("_order")
    parts = []
    for file_name in ordered.get_column("source_file").unique(maintain_order=True).to_list():
        rows = ordered.filter(pl.col("source_file") == file_name)
        fmt = _format_of(rows, file_name, formats_by_file or {})
        parts.append(_read(rows, fmt, file_name, vocabularies))
    fields = pl.concat(parts).sort("_order").drop("_order")
    return fields.select(
        [pl.col(name) for name in LINEAGE]
        + [pl.col(name).cast(dtype) for name, dtype in SOURCE_FIELD_TYPES.items()]
    )


def _format_of(
    rows: pl.DataFrame, file_name: str, formats_by_file: Mapping[str, CrmFormat]
) -> CrmFormat:
    if file_name in formats_by_file:
        return formats_by_file[file_name]
    system = rows.get_column("source_system")[0]
    # A file's own columns are never null in raw (blank cells are ""); other files' columns are.
    present = [
        name
        for name, nulls in zip(rows.columns, rows.null_count().row(0), strict=True)
        if nulls < rows.height and name not in LINEAGE
    ]
    fmt = built_in_format_for(system, present)
    if fmt is None:
        raise MissingColumnMappingError(
            f"rows of {file_name} (source_system {system!r}) were read with a column mapping; "
            "pass the month's export_files table so normalize reads them the same way."
        )
    return fmt


def _read(
    rows: pl.DataFrame, fmt: CrmFormat, file_name: str, vocabularies: Mapping[str, Vocabulary]
) -> pl.DataFrame:
    """The canonical source fields of one file's rows."""
    text = {name: _first_non_blank(rows, fmt, name) for name in SOURCE_FIELDS}
    for name, value in fmt.constants.items():
        text[name] = pl.coalesce(text[name], pl.lit(value, dtype=pl.String))
    first_name, last_name = _names(text["first_name"], text["last_name"], text["full_name"])
    reason = pl.coalesce(text["hard_bounce_reason"], text["bounce_reason"])
    booleans = vocabularies["booleans"]
    bounce = _bounce(text, booleans, vocabularies["bounce_types"])
    unknown = missing_decisions(fmt)
    consent_columns = fmt.source_columns("legal_basis") or fmt.source_columns("marketing_status")
    if not consent_columns and "legal_basis" not in fmt.constants:
        unknown = (*unknown, "legal_basis")  # the file cannot tell, which is not "none"
    unsubscribed = _unsubscribed(
        text["unsubscribed"], text["marketing_status"], booleans, vocabularies["marketing_statuses"]
    )
    fields = rows.select(
        "_order",
        *LINEAGE,
        first_name.alias("first_name"),
        last_name.alias("last_name"),
        *(text[name].alias(name) for name in _PASSED_THROUGH),
        text["lifecycle_stage"].alias("lifecycle_stage"),
        *(_date(rows, fmt, name, file_name).alias(name) for name in DATE_FIELDS),
        (pl.lit(None, pl.Boolean) if "unsubscribed" in unknown else unsubscribed).alias(
            "unsubscribed"
        ),
        bounce.alias("bounce"),
        pl.when(bounce == "none").then(None).otherwise(reason).alias("bounce_reason"),
        _legal_basis(text, vocabularies["marketing_statuses"]).alias("legal_basis"),
        pl.lit(list(unknown), dtype=pl.List(pl.String)).alias("unknown_fields"),
    )
    stages = vocabularies["lifecycle_stages"]
    labels = _map_distinct(
        fields.get_column("lifecycle_stage"), lambda label: lifecycle_stage(label, stages)
    )
    return fields.with_columns(labels)


def _legal_basis(text: Mapping[str, pl.Expr], statuses: Vocabulary) -> pl.Expr:
    """The legal basis as exported; where a file only has a marketing status (Pipedrive), a
    subscription is consent and "No consent" is no basis at all."""
    status = statuses.map_expr(text["marketing_status"])
    return pl.coalesce(
        text["legal_basis"],
        pl.when(status == "subscribed").then(pl.lit("consent (marketing status subscribed)")),
    )


def _first_non_blank(rows: pl.DataFrame, fmt: CrmFormat, name: str) -> pl.Expr:
    candidates = [_blank_to_null(pl.col(col)) for col in fmt.source_columns(name) if col in rows]
    return pl.coalesce(candidates) if candidates else pl.lit(None, dtype=pl.String)


def _blank_to_null(expr: pl.Expr) -> pl.Expr:
    trimmed = expr.cast(pl.String).str.strip_chars()
    return pl.when(trimmed == "").then(None).otherwise(trimmed)


def _names(first: pl.Expr, last: pl.Expr, full: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """First and last name; from the full name (first word, then the rest) when both are blank."""
    use_full = first.is_null() & last.is_null()
    words = full.str.replace_all(r"\s+", " ")
    from_full_first = words.str.extract(r"^(\S+)")
    from_full_last = words.str.extract(r"^\S+ (.+)$")
    return (
        pl.when(use_full).then(from_full_first).otherwise(first),
        pl.when(use_full).then(from_full_last).otherwise(last),
    )


def _date(rows: pl.DataFrame, fmt: CrmFormat, name: str, file_name: str) -> pl.Expr:
    """The first parseable of the field's columns, each read in the order its values prove."""
    parsed = []
    for column in (col for col in fmt.source_columns(name) if col in rows):
        order = fmt.date_order
        if order == "auto":
            order = _column_order(rows.get_column(column), column, file_name)
        text = rows.select(_blank_to_null(pl.col(column))).to_series()
        parsed.append(pl.lit(parse_datetimes(text, day_first=order != MONTH_FIRST)))
    return pl.coalesce(parsed) if parsed else pl.lit(None, dtype=pl.Datetime("us"))


def _column_order(values: pl.Series, column: str, file_name: str) -> str:
    order = numeric_date_order(values)
    if order in (AMBIGUOUS, CONFLICTING):
        log.warning(
            "%s, column %r: numeric dates %s; read day-first (the default). Set `date_order` "
            "in a column mapping to change this.",
            file_name,
            column,
            "prove neither day-first nor month-first"
            if order == AMBIGUOUS
            else "contradict each other (some day-first, some month-first)",
        )
        return DAY_FIRST
    return order


def boolean(expr: pl.Expr, booleans: Vocabulary) -> pl.Expr:
    """True, false, or null when the text is blank or not a word a CRM uses for yes or no."""
    return booleans.map_expr(expr.str.strip_chars()) == "true"


def _unsubscribed(
    flag: pl.Expr, marketing_status: pl.Expr, booleans: Vocabulary, statuses: Vocabulary
) -> pl.Expr:
    status = statuses.map_expr(marketing_status) == "unsubscribed"
    return boolean(flag, booleans).fill_null(False) | status.fill_null(False)


def _bounced(expr: pl.Expr, booleans: Vocabulary) -> pl.Expr:
    """A count above 0, a yes, or any other non-blank text (a bounce date); null when blank."""
    count = expr.str.replace(",", ".").cast(pl.Float64, strict=False)
    said = boolean(expr, booleans)
    return (
        pl.when(expr.is_null())
        .then(None)
        .when(count.is_not_null())
        .then(count > 0)
        .when(said.is_not_null())
        .then(said)
        .otherwise(expr.is_not_null())
    )


def _reason_kind(reason: pl.Expr) -> pl.Expr:
    """hard / soft / null from an SMTP reply: enhanced code first, then basic code, then words."""
    return (
        pl.when(reason.str.contains(r"(^|\D)5\.\d{1,3}\.\d{1,3}"))
        .then(pl.lit("hard"))
        .when(reason.str.contains(r"(^|\D)4\.\d{1,3}\.\d{1,3}"))
        .then(pl.lit("soft"))
        .when(reason.str.contains(r"(^|\D)5\d\d(\D|$)"))
        .then(pl.lit("hard"))
        .when(reason.str.contains(r"(^|\D)4\d\d(\D|$)"))
        .then(pl.lit("soft"))
        .when(reason.str.contains(_HARD_REASON))
        .then(pl.lit("hard"))
        .when(reason.str.contains(_SOFT_REASON))
        .then(pl.lit("soft"))
        .otherwise(None)
    )


def _bounce(text: Mapping[str, pl.Expr], booleans: Vocabulary, types: Vocabulary) -> pl.Expr:
    """none / soft / hard from whatever bounce evidence the CRM exports."""
    kind = types.map_expr(text["bounce_type"])
    reason = text["bounce_reason"]
    bounced = pl.coalesce(_bounced(text["bounced"], booleans), reason.is_not_null()).fill_null(
        False
    )
    hard = (
        text["hard_bounce_reason"].is_not_null()
        | boolean(text["invalid_email"], booleans).fill_null(False)
        | (kind == "hard").fill_null(False)
        | (bounced & (_reason_kind(reason) == "hard")).fill_null(False)
    )
    soft = bounced | (kind == "soft").fill_null(False)
    return (
        pl.when(hard).then(pl.lit("hard")).when(soft).then(pl.lit("soft")).otherwise(pl.lit("none"))
    )


def lifecycle_stage(label: str | None, stages: Vocabulary | None = None) -> str | None:
    """HubSpot's internal stage for a label in any language the vocabulary lists (Klant, Kunde,
    Client ...), or for the most advanced of several (`Customer, Hot lead`); "other" when none
    is known."""
    if label is None:
        return None
    stages = stages or load_vocabularies()["lifecycle_stages"]
    parts = [part for part in label.replace(";", ",").split(",") if part.strip()]
    if not parts:
        return None
    known = {stages.value_of(part) for part in parts}
    ranked = [stage for stage in _STAGE_RANK if stage in known]
    return ranked[0] if ranked else (stages.unknown or "other")


def _map_distinct(values: pl.Series, function: Callable[[str], str | None]) -> pl.Series:
    """Apply a Python function once per distinct value and broadcast the results back."""
    mapping = {value: function(value) for value in values.unique().to_list() if value is not None}
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)
