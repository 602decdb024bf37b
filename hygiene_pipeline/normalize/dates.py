"""Dates as CRMs and spreadsheets write them, parsed without guessing row by row.

ISO (`2026-10-30`, `2026-10-30 16:59`, `2026-10-30T16:59:00.000Z`, `...+0000`), numeric dates with
`/`, `-` or `.` (`30/10/2026`, `10/30/2026 4:59 PM`, `30-10-2026 16:59`), and HubSpot's epoch
milliseconds. Whether a numeric date is day-first or month-first is decided once per column from
all its values: a first part above 12 proves day-first, a second part above 12 proves
month-first. A column that proves neither is read day-first (our users are European) and the
caller logs a warning. Unparseable text becomes null: a date is never invented.
"""

from __future__ import annotations

import polars as pl

DAY_FIRST = "day_first"
MONTH_FIRST = "month_first"
AMBIGUOUS = "ambiguous"  # numeric dates, none above 12 in either place
CONFLICTING = "conflicting"  # some prove day-first, others month-first
NO_NUMERIC_DATES = "none"

_NUMERIC = (
    r"^\s*(?P<a>\d{1,2})[./-](?P<b>\d{1,2})[./-](?P<year>\d{4})"
    r"(?:[ T,]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"\s*(?P<meridiem>[AaPp])?\.?(?:[Mm]\.?)?)?\s*$"
)
_ISO_NAIVE = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.fZ",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
)
_ISO_OFFSET = ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z")


def numeric_date_order(values: pl.Series) -> str:
    """What a column's numeric dates prove: DAY_FIRST, MONTH_FIRST, AMBIGUOUS, CONFLICTING or
    NO_NUMERIC_DATES."""
    parts = values.cast(pl.String).str.extract_groups(_NUMERIC)
    first = parts.struct.field("a").cast(pl.Int32, strict=False)
    second = parts.struct.field("b").cast(pl.Int32, strict=False)
    if first.drop_nulls().len() == 0:
        return NO_NUMERIC_DATES
    day_first = bool((first > 12).any())
    month_first = bool((second > 12).any())
    if day_first and month_first:
        return CONFLICTING
    if day_first:
        return DAY_FIRST
    if month_first:
        return MONTH_FIRST
    return AMBIGUOUS


def parse_datetimes(values: pl.Series, *, day_first: bool) -> pl.Series:
    """Datetime (us, naive UTC for offset times) of every shape above; null when none fits.

    Each shape is tried only on the values the shapes before it could not read: the first shape
    that fits wins, as in a coalesce, but a million ISO dates cost one parse instead of fourteen.
    """
    text = pl.col("text")
    pending = pl.DataFrame({"text": values.cast(pl.String)}).with_row_index("row")
    pending = pending.filter(text.is_not_null())
    read: list[pl.DataFrame] = []
    for shape in _shapes(text, day_first=day_first):
        if pending.height == 0:
            break
        tried = pending.with_columns(shape.alias("value"))
        read.append(tried.filter(pl.col("value").is_not_null()).select("row", "value"))
        pending = tried.filter(pl.col("value").is_null()).drop("value")
    empty = pl.DataFrame(schema={"row": pl.UInt32(), "value": pl.Datetime("us")})
    found = pl.concat([empty, *read])
    rows = pl.DataFrame({"row": pl.arange(0, values.len(), eager=True, dtype=pl.UInt32())})
    joined = rows.join(found, on="row", how="left", maintain_order="left")
    return joined.get_column("value").alias(values.name)


def _shapes(expr: pl.Expr, *, day_first: bool) -> list[pl.Expr]:
    """One parser per accepted shape, in the order they are tried."""
    naive = [expr.str.to_datetime(fmt, strict=False, time_unit="us") for fmt in _ISO_NAIVE]
    offset = [
        expr.str.to_datetime(fmt, strict=False, time_unit="us")
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
        for fmt in _ISO_OFFSET
    ]
    epoch_ms = (
        pl.when(expr.str.contains(r"^\d{12,13}$"))
        .then(expr.cast(pl.Int64, strict=False).cast(pl.Datetime("ms")).cast(pl.Datetime("us")))
        .otherwise(None)
    )
    return [*naive, *offset, _numeric(expr, day_first=day_first), epoch_ms]


def _numeric(expr: pl.Expr, *, day_first: bool) -> pl.Expr:
    parts = expr.str.extract_groups(_NUMERIC)
    first, second = parts.struct.field("a"), parts.struct.field("b")
    day, month = (first, second) if day_first else (second, first)
    hour = parts.struct.field("hour").cast(pl.Int32, strict=False).fill_null(0)
    meridiem = parts.struct.field("meridiem").str.to_lowercase()
    hour = (
        pl.when((meridiem == "p") & (hour < 12))
        .then(hour + 12)
        .when((meridiem == "a") & (hour == 12))
        .then(0)
        .otherwise(hour)
    )
    text = pl.format(
        "{}-{}-{} {}:{}:{}",
        parts.struct.field("year"),
        month.str.zfill(2),
        day.str.zfill(2),
        hour.cast(pl.String).str.zfill(2),
        parts.struct.field("minute").fill_null("00"),
        parts.struct.field("second").fill_null("00"),
    )
    return text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")
