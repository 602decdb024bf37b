"""What the asset checks share: the registry that runs an asset's checks in its own step, row
conservation, schema and values, and the previous stored month to compare with.

Each asset's own checks sit beside it, in the asset's module, and run in the asset's step right
after it is stored (`AssetChecks`). Three kinds, each message saying what happened and what
usually causes it:

- row conservation between stages of the same month (blocking): normalized = raw, validation =
  normalized, duplicate and prune ids within the month's contacts. Same month as stored, never the
  export files: an erasure purges a person from every stage of every month alike.
- schema and allowed values (blocking): contract columns, statuses and actions from schema.py.
- distribution jumps against the previous stored month (WARN, never blocking), with one
  exception: when most contacts lost their email since last month the export is broken, and the
  prune list would delete them all as unreachable, so that one fails with ERROR and blocks.
"""

import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl

from assets.resources import HygieneResource
from hygiene_pipeline.months import folder_name
from hygiene_pipeline.store import HygieneStore

ERROR, WARN = dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN

# A share "doubled" only when it also rose by this much: 1 -> 2 contacts is noise, not a jump.
MIN_JUMP = 0.02


Check = Callable[[HygieneResource, date], dg.AssetCheckResult]


@dataclass
class AssetChecks:
    """An asset's checks, written one function each and evaluated in the asset's own step, after
    its write (`check_specs` of the asset; the results go into its MaterializeResult).

    In the asset's step rather than steps of their own: each Dagster step costs start and
    success events, an output and a compute-log capture, more than most checks take, and the
    checks read what the step just wrote through the step's open connection. Each check keeps
    its name, description and blocking flag in the UI; a failed blocking check fails the step
    after the asset is stored, so every asset downstream is held back.
    """

    asset: str
    checks: list[tuple[dg.AssetCheckSpec, Check]] = field(default_factory=list)

    def add(
        self,
        *,
        description: str,
        blocking: bool = False,
        additional_deps: Sequence[dg.AssetsDefinition] = (),
    ) -> Callable[[Check], Check]:
        def register(check: Check) -> Check:
            spec = dg.AssetCheckSpec(
                check.__name__,
                asset=self.asset,
                description=description,
                blocking=blocking,
                additional_deps=list(additional_deps),
            )
            self.checks.append((spec, check))
            return check

        return register

    @property
    def specs(self) -> list[dg.AssetCheckSpec]:
        return [spec for spec, _ in self.checks]

    def results(self, hygiene: HygieneResource, snapshot: date) -> list[dg.AssetCheckResult]:
        """Every check's result on the stored month, named for its spec."""
        return [
            dg.AssetCheckResult(
                check_name=spec.name,
                asset_key=spec.asset_key,
                passed=result.passed,
                severity=result.severity,
                description=result.description,
                metadata=result.metadata,
            )
            for spec, result in ((spec, check(hygiene, snapshot)) for spec, check in self.checks)
        ]


def id_difference(store: HygieneStore, table: str, within: str, snapshot: date) -> dict:
    """Rows of `table` and `within` this month, and ids of `table` that `within` lacks (and the
    reverse), counted as multisets: an id twice in `table` and once in `within` is one extra.

    One grouping of both id lists, rather than two EXCEPT ALL: a million-row month is checked in
    a quarter of the time.
    """
    return store.query(
        f"""
        SELECT
          coalesce(sum(here), 0)::BIGINT AS rows,
          coalesce(sum(there), 0)::BIGINT AS within_rows,
          coalesce(sum(greatest(here - there, 0)), 0)::BIGINT AS extra,
          coalesce(sum(greatest(there - here, 0)), 0)::BIGINT AS lacking
        FROM (
          SELECT contact_id, count(*) FILTER (WHERE side) AS here,
                 count(*) FILTER (WHERE NOT side) AS there
          FROM (SELECT contact_id, true AS side FROM {table} WHERE snapshot = $1
                UNION ALL SELECT contact_id, false AS side FROM {within} WHERE snapshot = $1)
          GROUP BY contact_id
        )
        """,
        [snapshot],
    ).row(0, named=True)


def rows_match(
    store: HygieneStore, later: str, earlier: str, snapshot: date
) -> dg.AssetCheckResult:
    counts = id_difference(store, later, earlier, snapshot)
    passed = counts["extra"] == 0 and counts["lacking"] == 0
    description = (
        f"{later} has one row per {earlier} row ({counts['rows']})"
        if passed
        else f"{later} has {counts['rows']} rows for {counts['within_rows']} rows in {earlier} "
        f"({counts['lacking']} records missing, {counts['extra']} extra). A stage dropped or "
        f"duplicated records: rerun {later} for this month; if it persists, it is a bug."
    )
    return dg.AssetCheckResult(
        passed=passed,
        severity=ERROR,
        description=description,
        metadata={
            f"{later}_rows": counts["rows"],
            f"{earlier}_rows": counts["within_rows"],
            "missing": counts["lacking"],
            "extra": counts["extra"],
        },
    )


def ids_within_contacts(store: HygieneStore, table: str, snapshot: date) -> dg.AssetCheckResult:
    """Every id of `table` is a contact of the month, once; erased records count as contacts."""
    within = "normalized_contacts"
    if "erased_contacts" in store.tables():
        within = (
            "(SELECT snapshot, contact_id FROM normalized_contacts UNION ALL "
            "SELECT snapshot, contact_id FROM erased_contacts)"
        )
    counts = id_difference(store, table, within, snapshot)
    passed = counts["extra"] == 0
    return dg.AssetCheckResult(
        passed=passed,
        severity=ERROR,
        description=(
            f"all {counts['rows']} {table} rows are contacts of this month"
            if passed
            else f"{counts['extra']} {table} rows name a record that is not among this month's "
            "contacts (or name it twice): the stage ran on other data than normalized_contacts "
            "holds. Rerun the month from normalized_contacts."
        ),
        metadata={"rows": counts["rows"], "unknown_or_repeated": counts["extra"]},
    )


_DUCKDB_TYPES = {
    pl.String(): "VARCHAR",
    pl.Date(): "DATE",
    pl.Int64(): "BIGINT",
    pl.Float64(): "DOUBLE",
    pl.Boolean(): "BOOLEAN",
    pl.Datetime("us"): "TIMESTAMP",
    pl.List(pl.String()): "VARCHAR[]",
}


def schema_problems(store: HygieneStore, table: str, contract: dict) -> list[str]:
    found = dict(
        store.query(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1",
            [table],
        ).iter_rows()
    )
    problems = []
    for column, dtype in contract.items():
        expected = _DUCKDB_TYPES.get(dtype)
        if column not in found:
            problems.append(f"column {column} is missing")
        elif expected and found[column] != expected:
            problems.append(f"column {column} is {found[column]}, expected {expected}")
    return problems


def unexpected_values(
    store: HygieneStore, table: str, column: str, allowed: tuple[str, ...], snapshot: date
) -> list[str]:
    rows = store.query(
        f"SELECT {column} AS value, count(*) AS n FROM {table} "
        f"WHERE snapshot = $1 AND ({column} IS NULL OR NOT list_contains($2, {column})) "
        "GROUP BY 1 ORDER BY 2 DESC",
        [snapshot, list(allowed)],
    )
    return [
        f"{column} = {value!r} on {n} rows (allowed: {', '.join(allowed)})"
        for value, n in rows.iter_rows()
    ]


def values_result(problems: list[str], table: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=not problems,
        severity=ERROR,
        description=(
            f"{table} has the contract columns and only allowed values"
            if not problems
            else "; ".join(problems[:5]) + ". A stage wrote values the later rules do not know "
            "(a version mismatch or a bug): fix it before trusting this month."
        ),
        metadata={"problems": len(problems)},
    )


def month_and_previous(
    store: HygieneStore, table: str, columns: str, snapshot: date
) -> pl.DataFrame:
    """`columns` (SQL aggregates) for this month and the latest stored month before it."""
    return store.query(
        f"SELECT snapshot, count(*) AS rows, {columns} FROM {table} "
        f"WHERE snapshot = $1 OR snapshot = (SELECT max(snapshot) FROM {table} "
        "WHERE snapshot < $1) GROUP BY snapshot ORDER BY snapshot",
        [snapshot],
    )


def doubled(before: float, now: float) -> bool:
    return now >= 2 * before and now - before >= MIN_JUMP


def no_baseline(snapshot: date) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=True,
        description=f"no month before {folder_name(snapshot)} is stored: nothing to compare with",
    )


def readable_by_others(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))
