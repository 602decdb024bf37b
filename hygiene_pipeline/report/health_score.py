"""The CRM health score (0-100) per month, its trend, the share "fine as it is", and decay.

score = 100 - sum(weight x share of contacts with the problem), the weights (health.yaml, see
health_settings) summing to 100, so a month where every contact has every problem scores 0 and a
spotless month 100. Shares are of the month's contacts (validation_results rows).

fine as it is = the share of the month's contacts that the prune list keeps and that have none of
the problems the settings count (a weighted problem, or a required field missing). It is shown
beside the score: a score of 94 while 42% of the contacts are about to be deleted reads as a
contradiction unless both numbers are there. `pruned` is the share on the prune list.

decay rate = of the contacts present in a month and in the previous stored month, the share that
was fine then (neither stale nor an invalid email) and is stale or invalid now: how fast the
database rots on its own, which the score alone mixes up with new imports.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from hygiene_pipeline.report.health_settings import DEFAULT_WEIGHTS, PROBLEMS, HealthSettings
from hygiene_pipeline.store import HygieneStore

# The default weights (health_settings.DEFAULT_WEIGHTS), for callers without a settings file.
WEIGHTS: dict[str, float] = DEFAULT_WEIGHTS

# Contacts seen in a month and in the stored month before it, and how many decayed in between.
_DECAY_SQL = """
WITH verdicts AS (
  SELECT snapshot, contact_id,
         email_status = 'invalid' OR list_contains(issues, 'stale') AS decayed
  FROM validation_results
  WHERE snapshot <= $1
),
months AS (
  SELECT snapshot, lag(snapshot) OVER (ORDER BY snapshot) AS previous
  FROM (SELECT DISTINCT snapshot FROM verdicts)
)
SELECT m.snapshot,
       count(*)::BIGINT AS carried_over,
       sum(CASE WHEN now.decayed AND NOT before.decayed THEN 1 ELSE 0 END)::BIGINT AS became_decayed
FROM months AS m
JOIN verdicts AS now ON now.snapshot = m.snapshot
JOIN verdicts AS before ON before.snapshot = m.previous AND before.contact_id = now.contact_id
GROUP BY m.snapshot
"""


def health_score(shares: dict[str, float | None], weights: dict[str, float] | None = None) -> float:
    """100 minus the weighted shares, rounded to one decimal; a missing share counts as 0."""
    weights = DEFAULT_WEIGHTS if weights is None else weights
    penalty = sum(weight * float(shares.get(name) or 0.0) for name, weight in weights.items())
    return round(min(100.0, max(0.0, 100.0 - penalty)), 1)


def contact_flags_sql(
    tables: set[str], settings: HealthSettings, where: str, columns: tuple[str, ...] = ()
) -> str:
    """A query of one row per validated contact matching `where` (a condition on `snapshot`):
    every problem of PROBLEMS as a boolean column, `pruned` (on the prune list) and `fine`, plus
    the normalized_contacts `columns` asked for (to group by).

    Tables a month predates (no duplicate clusters, no prune list yet) count as empty.
    """
    nothing = "SELECT NULL::DATE AS snapshot, NULL::VARCHAR AS contact_id WHERE false"
    duplicates = (
        "SELECT DISTINCT snapshot, contact_id FROM duplicate_clusters WHERE NOT is_survivor"
        if "duplicate_clusters" in tables
        else nothing
    )
    pruned = (
        "SELECT DISTINCT snapshot, contact_id FROM prune_list"
        if "prune_list" in tables
        else nothing
    )
    contact = ""
    if columns:
        contact = (
            "LEFT JOIN normalized_contacts AS n "
            "ON n.snapshot = v.snapshot AND n.contact_id = v.contact_id"
        )
    problems = ",\n    ".join(f"coalesce({p.sql}, false) AS {name}" for name, p in PROBLEMS.items())
    counted = " OR ".join(settings.counted) or "false"
    picked = "".join(f", {column}" for column in columns)
    from_contact = "".join(f", n.{column}" for column in columns)
    return f"""
WITH verdicts AS (
  SELECT v.snapshot, v.contact_id, v.email_status, v.phone_status, v.issues{from_contact},
         d.contact_id IS NOT NULL AS is_duplicate,
         p.contact_id IS NOT NULL AS pruned
  FROM validation_results AS v
  LEFT JOIN ({duplicates}) AS d ON d.snapshot = v.snapshot AND d.contact_id = v.contact_id
  LEFT JOIN ({pruned}) AS p ON p.snapshot = v.snapshot AND p.contact_id = v.contact_id
  {contact}
  WHERE v.{where}
),
flags AS (
  SELECT snapshot, contact_id, pruned{picked},
    {problems}
  FROM verdicts
)
SELECT *, NOT pruned AND NOT ({counted}) AS fine FROM flags
"""


def shares_sql(contacts_sql: str, keys: tuple[str, ...]) -> str:
    """Per `keys` of a contact_flags_sql query: contacts, each problem's share, the contacts fine
    as they are and on the prune list. Aggregated in DuckDB: a million contacts a month stay
    there."""
    shares = "".join(
        f",\n  avg(CASE WHEN {name} THEN 1.0 ELSE 0.0 END) AS {name}" for name in PROBLEMS
    )
    listed = ", ".join(keys)
    return f"""
SELECT {listed},
  count(*)::BIGINT AS contacts{shares},
  count(*) FILTER (WHERE fine)::BIGINT AS fine_contacts,
  count(*) FILTER (WHERE pruned)::BIGINT AS pruned_contacts
FROM ({contacts_sql})
GROUP BY {listed}
"""


def with_scores(shares: pl.DataFrame, settings: HealthSettings) -> pl.DataFrame:
    """`shares` (a shares_sql result) with `score`: 100 minus the weighted shares of each row."""
    scores = [
        health_score(row, settings.weights)
        for row in shares.select(list(PROBLEMS)).iter_rows(named=True)
    ]
    return shares.with_columns(pl.Series("score", scores, dtype=pl.Float64))


def health_trend(
    store: HygieneStore, up_to: date, settings: HealthSettings | None = None
) -> pl.DataFrame:
    """One row per stored month up to `up_to`: contacts, every problem's share, the contacts fine
    as they are and on the prune list, score, decay_rate (null for the first stored month)."""
    settings = settings or HealthSettings()
    tables = set(store.tables())
    if "validation_results" not in tables:
        return pl.DataFrame(schema=_trend_schema())
    contacts = contact_flags_sql(tables, settings, "snapshot <= $1")
    shares = store.query(shares_sql(contacts, ("snapshot",)), [up_to])
    decay = store.query(_DECAY_SQL, [up_to])
    trend = (
        with_scores(shares, settings)
        .join(decay, on="snapshot", how="left")
        .with_columns((pl.col("became_decayed") / pl.col("carried_over")).alias("decay_rate"))
        .sort("snapshot")
    )
    return trend.select(list(_trend_schema())).cast(_trend_schema())


def _trend_schema() -> dict[str, pl.DataType]:
    return {
        "snapshot": pl.Date(),
        "contacts": pl.Int64(),
        **{name: pl.Float64() for name in PROBLEMS},
        "fine_contacts": pl.Int64(),
        "pruned_contacts": pl.Int64(),
        "score": pl.Float64(),
        "decay_rate": pl.Float64(),
    }
