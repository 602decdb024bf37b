"""Quality by owner, lead source, source drill-down and CRM: where the bad data comes from.

Bad records are rarely spread evenly: one owner's imports, a purchased list, the contacts a sales
extension creates from every email thread. Per group of each dimension this gives the health
score (the same weights as the month's), the share fine as it is, the share on the prune list
and the shares of the counted problems, worst group first. Groups under the settings'
`min_group_size` are pooled into one "other" row, so three contacts of a new owner do not top
the list by chance. Owners are named: they are the team's own people, and the report is theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from hygiene_pipeline.report.health_score import contact_flags_sql, shares_sql, with_scores
from hygiene_pipeline.report.health_settings import PROBLEMS, HealthSettings
from hygiene_pipeline.store import HygieneStore

# dimension (a normalized_contacts column) -> (title, the group of contacts without a value;
# None: such contacts are left out, as for the drill-down, which only Offline Sources have).
DIMENSIONS: dict[str, tuple[str, str | None]] = {
    "owner": ("Quality by owner", "(no owner)"),
    "lead_source": ("Quality by lead source", "(no lead source)"),
    "source_detail": ("Quality by how the record was created (HubSpot source drill-down)", None),
    "source_system": ("Quality by CRM", "(unknown)"),
}
# HubSpot's Original Source Drill-Down 1 values, as a data owner reads them.
SOURCE_DETAILS = {
    "EXTENSION": "sales extension (from email threads)",
    "CRM_UI": "typed in by hand in the CRM",
    "IMPORT": "an import (a list)",
    "INTEGRATION": "an integration",
    "API": "the API",
    "BCC": "BCC-to-CRM address",
    "FORM": "a form",
}
TOP_PROBLEMS = 3  # problems named per group


@dataclass(frozen=True)
class GroupQuality:
    """One dimension's groups, worst first (the pooled small groups last)."""

    dimension: str
    title: str
    # value, label, contacts, score, fine_share, pruned_share, then one share per problem
    groups: pl.DataFrame
    pooled_groups: int  # groups under min_group_size, pooled into the last row
    available: bool = True  # False: no contact of the month has this dimension


def quality_by_group(
    store: HygieneStore, snapshot: date, settings: HealthSettings
) -> tuple[GroupQuality, ...]:
    """Every dimension of DIMENSIONS the month's contacts have, worst group first."""
    tables = set(store.tables())
    if not {"validation_results", "normalized_contacts"} <= tables:
        return ()
    present = set(store.columns("normalized_contacts"))
    dimensions = [d for d in DIMENSIONS if d in present]
    if not dimensions:
        return ()
    contacts = contact_flags_sql(tables, settings, "snapshot = $1", tuple(dimensions))
    others = ", ".join(dimensions)
    per_dimension = " UNION ALL ".join(
        f"SELECT '{d}' AS dimension, {d}::VARCHAR AS value, * EXCLUDE ({others}) FROM c"
        for d in dimensions
    )
    shares = store.query(
        f"WITH c AS ({contacts}) {shares_sql(per_dimension, ('dimension', 'value'))}",
        [snapshot],
    )
    return tuple(
        _dimension(d, shares.filter(pl.col("dimension") == d).drop("dimension"), settings)
        for d in DIMENSIONS
        if d in dimensions
    )


def _dimension(dimension: str, shares: pl.DataFrame, settings: HealthSettings) -> GroupQuality:
    title, missing_label = DIMENSIONS[dimension]
    if missing_label is None:
        shares = shares.filter(pl.col("value").is_not_null())
    if not shares.height:
        return GroupQuality(dimension, title, _empty(), 0, available=False)
    small = shares.filter(pl.col("contacts") < settings.min_group_size)
    large = shares.filter(pl.col("contacts") >= settings.min_group_size)
    ranked = (
        with_scores(large, settings)
        .with_columns(_fine_and_pruned())
        .sort(["score", "fine_share", "contacts"], descending=[False, False, True])
        .with_columns(pl.lit(False).alias("pooled"))
    )
    if small.height:
        ranked = pl.concat([ranked, _pooled(small, settings)], how="diagonal_relaxed")
    labels = [
        _label(dimension, value, missing_label, pooled, small.height, settings.min_group_size)
        for value, pooled in ranked.select("value", "pooled").iter_rows()
    ]
    groups = ranked.with_columns(pl.Series("label", labels, dtype=pl.String))
    return GroupQuality(dimension, title, groups.select(_columns()), small.height)


def _fine_and_pruned() -> list[pl.Expr]:
    return [
        (pl.col("fine_contacts") / pl.col("contacts")).alias("fine_share"),
        (pl.col("pruned_contacts") / pl.col("contacts")).alias("pruned_share"),
    ]


def _pooled(small: pl.DataFrame, settings: HealthSettings) -> pl.DataFrame:
    """The small groups as one: shares weighted by each group's contacts."""
    total = small["contacts"].sum()
    row = small.select(
        pl.lit(None, dtype=pl.String).alias("value"),
        pl.col("contacts").sum().cast(pl.Int64),
        *((pl.col(p) * pl.col("contacts")).sum().truediv(total).alias(p) for p in PROBLEMS),
        pl.col("fine_contacts").sum().cast(pl.Int64),
        pl.col("pruned_contacts").sum().cast(pl.Int64),
    )
    return with_scores(row, settings).with_columns(
        *_fine_and_pruned(), pl.lit(True).alias("pooled")
    )


def _label(
    dimension: str, value: str | None, missing: str | None, pooled: bool, small: int, floor: int
) -> str:
    if pooled:
        return f"other ({small} group{'s' if small != 1 else ''} under {floor} contacts)"
    if value is None:
        return missing or "(none)"
    if dimension == "source_detail" and value.upper() in SOURCE_DETAILS:
        return f"{value}: {SOURCE_DETAILS[value.upper()]}"
    return value


def top_problems(row: dict, settings: HealthSettings) -> list[tuple[str, float]]:
    """The counted problems most common in a group, most common first (shares over 0)."""
    found = [(PROBLEMS[p].label, row[p] or 0.0) for p in settings.counted]
    found = [(label, share) for label, share in found if share > 0]
    return sorted(found, key=lambda pair: -pair[1])[:TOP_PROBLEMS]


def _columns() -> list[str]:
    return ["value", "label", "pooled", "contacts", "score", "fine_share", "pruned_share",
            *PROBLEMS]  # fmt: skip


def _empty() -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {"value": pl.String(), "label": pl.String(),
                                      "pooled": pl.Boolean(), "contacts": pl.Int64(),
                                      "score": pl.Float64(), "fine_share": pl.Float64(),
                                      "pruned_share": pl.Float64()}  # fmt: skip
    return pl.DataFrame(schema={**schema, **{p: pl.Float64() for p in PROBLEMS}})
