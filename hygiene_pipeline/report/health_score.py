"""The CRM health score (0-100) per month, its trend, and the month-over-month decay rate.

score = 100 - sum(weight x share of contacts with the problem), the weights summing to 100, so a
month where every contact has every problem scores 0 and a spotless month 100. Shares are of the
month's contacts (validation_results rows). See WEIGHTS; docs/ui.md repeats the formula.

decay rate = of the contacts present in a month and in the previous stored month, the share that
was fine then (neither stale nor an invalid email) and is stale or invalid now: how fast the
database rots on its own, which the score alone mixes up with new imports.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from hygiene_pipeline.store import HygieneStore

# Weight per problem; each problem's share (0..1) costs up to its weight in points.
WEIGHTS: dict[str, int] = {
    "invalid_email": 20,  # email_status invalid: mail to it bounces
    "missing_email": 15,  # email_status missing
    "stale": 15,  # not updated for 12+ months (validation issue `stale`)
    "bounced_but_marketable": 10,  # bounced or invalid, yet not unsubscribed
    "bad_phone": 10,  # phone_status invalid or placeholder
    "missing_owner": 10,
    "missing_source": 10,
    "duplicate": 10,  # records that are another record's duplicate (non-survivors)
}
assert sum(WEIGHTS.values()) == 100

_SHARES_SQL = """
SELECT
  snapshot,
  count(*) AS contacts,
  avg(CASE WHEN email_status = 'invalid' THEN 1 ELSE 0 END) AS invalid_email,
  avg(CASE WHEN email_status = 'missing' THEN 1 ELSE 0 END) AS missing_email,
  avg(CASE WHEN list_contains(issues, 'stale') THEN 1 ELSE 0 END) AS stale,
  avg(CASE WHEN list_contains(issues, 'bounced_but_marketable') THEN 1 ELSE 0 END)
    AS bounced_but_marketable,
  avg(CASE WHEN phone_status IN ('invalid', 'placeholder') THEN 1 ELSE 0 END) AS bad_phone,
  avg(CASE WHEN list_contains(issues, 'missing_owner') THEN 1 ELSE 0 END) AS missing_owner,
  avg(CASE WHEN list_contains(issues, 'missing_source') THEN 1 ELSE 0 END) AS missing_source
FROM validation_results
WHERE snapshot <= $1
GROUP BY snapshot
"""

_DUPLICATES_SQL = """
SELECT snapshot, count(*) AS duplicates
FROM duplicate_clusters
WHERE snapshot <= $1 AND NOT is_survivor
GROUP BY snapshot
"""

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


def health_score(shares: dict[str, float]) -> float:
    """100 minus the weighted shares, rounded to one decimal; a missing share counts as 0."""
    penalty = sum(weight * float(shares.get(name) or 0.0) for name, weight in WEIGHTS.items())
    return round(min(100.0, max(0.0, 100.0 - penalty)), 1)


def health_trend(store: HygieneStore, up_to: date) -> pl.DataFrame:
    """One row per stored month up to `up_to`: contacts, every share, score, decay_rate.

    decay_rate is null for the first stored month (nothing to compare with).
    """
    tables = set(store.tables())
    if "validation_results" not in tables:
        return pl.DataFrame(schema=_trend_schema())
    shares = store.query(_SHARES_SQL, [up_to])
    if "duplicate_clusters" in tables:
        duplicates = store.query(_DUPLICATES_SQL, [up_to])
    else:
        duplicates = pl.DataFrame(schema={"snapshot": pl.Date, "duplicates": pl.Int64})
    decay = store.query(_DECAY_SQL, [up_to])
    trend = (
        shares.join(duplicates, on="snapshot", how="left")
        .join(decay, on="snapshot", how="left")
        .with_columns(
            (pl.col("duplicates").fill_null(0) / pl.col("contacts")).alias("duplicate"),
            (pl.col("became_decayed") / pl.col("carried_over")).alias("decay_rate"),
        )
        .sort("snapshot")
    )
    scores = [health_score(row) for row in trend.select(list(WEIGHTS)).iter_rows(named=True)]
    return trend.with_columns(pl.Series("score", scores, dtype=pl.Float64)).select(
        list(_trend_schema())
    )


def _trend_schema() -> dict[str, pl.DataType]:
    return {
        "snapshot": pl.Date(),
        "contacts": pl.Int64(),
        **{name: pl.Float64() for name in WEIGHTS},
        "score": pl.Float64(),
        "decay_rate": pl.Float64(),
    }
