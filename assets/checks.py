"""Asset checks across stages, read from DuckDB after each asset is written.

Three kinds, each message saying what happened and what usually causes it:

- row conservation between stages of the same month (blocking): normalized = raw, validation =
  normalized, duplicate and prune ids within the month's contacts. Same month as stored, never the
  export files: an erasure purges a person from every stage of every month alike.
- schema and allowed values (blocking): contract columns, statuses and actions from schema.py.
- distribution jumps against the previous stored month (WARN, never blocking), with one
  exception: when most contacts lost their email since last month the export is broken, and the
  prune list would delete them all as unreachable, so that one fails with ERROR and blocks.

Checks that must run inside their asset's step (the prune list's safety checks, the export row
accounting) stay with their asset.
"""

import csv
import stat
from datetime import date
from pathlib import Path

import dagster as dg
import polars as pl

from assets.crm_import_files import crm_import_files
from assets.duplicate_clusters import duplicate_clusters
from assets.hygiene_report import REPORTS_FOLDER, hygiene_report
from assets.normalized_contacts import normalized_contacts
from assets.partitions import snapshot_of
from assets.prune_list import prune_list
from assets.raw_contacts import raw_contacts
from assets.resources import HygieneResource
from assets.validation_results import validation_results
from hygiene_pipeline import schema
from hygiene_pipeline.crm_files.action_files import FILE_ACTIONS
from hygiene_pipeline.months import folder_name
from hygiene_pipeline.store import HygieneStore

ERROR, WARN = dg.AssetCheckSeverity.ERROR, dg.AssetCheckSeverity.WARN
BOUNCES = ("none", "soft", "hard")
# A share "doubled" only when it also rose by this much: 1 -> 2 contacts is noise, not a jump.
MIN_JUMP = 0.02
# Most contacts lost their email since last month: a broken export, not a trend.
EMAIL_COLLAPSE = 0.40


def _snapshot(context: dg.AssetCheckExecutionContext) -> date:
    return snapshot_of(context)  # type: ignore[arg-type]  # a check run has the asset's month


# ---- Row conservation ----


def _id_difference(store: HygieneStore, table: str, within: str, snapshot: date) -> dict:
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
    counts = _id_difference(store, later, earlier, snapshot)
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


@dg.asset_check(
    asset=normalized_contacts,
    additional_deps=[raw_contacts],
    blocking=True,
    description="Blocking: one normalized contact per raw row of the month, same record ids.",
)
def normalized_rows_match_raw(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    return rows_match(hygiene.store(), "normalized_contacts", "raw_contacts", _snapshot(context))


@dg.asset_check(
    asset=validation_results,
    additional_deps=[normalized_contacts],
    blocking=True,
    description="Blocking: one validation row per normalized contact of the month, same ids.",
)
def validation_rows_match_normalized(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    return rows_match(
        hygiene.store(), "validation_results", "normalized_contacts", _snapshot(context)
    )


@dg.asset_check(
    asset=duplicate_clusters,
    additional_deps=[normalized_contacts],
    blocking=True,
    description="Blocking: every clustered record is one of the month's contacts, once.",
)
def duplicate_ids_within_contacts(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    return ids_within_contacts(hygiene.store(), "duplicate_clusters", _snapshot(context))


@dg.asset_check(
    asset=prune_list,
    additional_deps=[normalized_contacts],
    blocking=True,
    description=(
        "Blocking: every prune list row is one of the month's contacts, once (records erased on "
        "request this month count: their contact rows are purged by design)."
    ),
)
def prune_ids_within_contacts(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    return ids_within_contacts(hygiene.store(), "prune_list", _snapshot(context))


def ids_within_contacts(store: HygieneStore, table: str, snapshot: date) -> dg.AssetCheckResult:
    """Every id of `table` is a contact of the month, once; erased records count as contacts."""
    within = "normalized_contacts"
    if "erased_contacts" in store.tables():
        within = (
            "(SELECT snapshot, contact_id FROM normalized_contacts UNION ALL "
            "SELECT snapshot, contact_id FROM erased_contacts)"
        )
    counts = _id_difference(store, table, within, snapshot)
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


# ---- Schema and allowed values ----

_DUCKDB_TYPES = {
    pl.String(): "VARCHAR",
    pl.Date(): "DATE",
    pl.Int64(): "BIGINT",
    pl.Float64(): "DOUBLE",
    pl.Boolean(): "BOOLEAN",
    pl.Datetime("us"): "TIMESTAMP",
    pl.List(pl.String()): "VARCHAR[]",
}


def _schema_problems(store: HygieneStore, table: str, contract: dict) -> list[str]:
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


def _unexpected(
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


def _values_result(problems: list[str], table: str) -> dg.AssetCheckResult:
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


@dg.asset_check(
    asset=normalized_contacts,
    blocking=True,
    description="Blocking: the contract columns with their types; `bounce` is none, soft or hard.",
)
def normalized_schema(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    store, snapshot = hygiene.store(), _snapshot(context)
    problems = _schema_problems(store, "normalized_contacts", schema.NORMALIZED_CONTACTS)
    if not problems:
        problems = _unexpected(store, "normalized_contacts", "bounce", BOUNCES, snapshot)
    return _values_result(problems, "normalized_contacts")


@dg.asset_check(
    asset=duplicate_clusters,
    blocking=True,
    description="Blocking: the contract columns; exactly one survivor per cluster; score 0..1.",
)
def duplicate_clusters_schema(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    store, snapshot = hygiene.store(), _snapshot(context)
    problems = _schema_problems(store, "duplicate_clusters", schema.DUPLICATE_CLUSTERS)
    if not problems:
        bad = store.query(
            "SELECT count(*) FILTER (WHERE survivors <> 1) AS clusters, "
            "coalesce(sum(out_of_range), 0) AS scores FROM (SELECT cluster_id, "
            "count(*) FILTER (WHERE is_survivor) AS survivors, "
            "count(*) FILTER (WHERE score IS NULL OR score < 0 OR score > 1) AS out_of_range "
            "FROM duplicate_clusters WHERE snapshot = $1 GROUP BY cluster_id)",
            [snapshot],
        ).row(0, named=True)
        if bad["clusters"]:
            problems.append(f"{bad['clusters']} clusters without exactly one survivor")
        if bad["scores"]:
            problems.append(f"{bad['scores']} scores outside 0..1")
    return _values_result(problems, "duplicate_clusters")


@dg.asset_check(
    asset=validation_results,
    blocking=True,
    description="Blocking: the contract columns; email_status and phone_status as in schema.py.",
)
def validation_values_allowed(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    return validation_values(hygiene.store(), _snapshot(context))


def validation_values(store: HygieneStore, snapshot: date) -> dg.AssetCheckResult:
    problems = _schema_problems(store, "validation_results", schema.VALIDATION_RESULTS)
    if not problems:
        problems = _unexpected(
            store, "validation_results", "email_status", schema.EMAIL_STATUSES, snapshot
        ) + _unexpected(
            store, "validation_results", "phone_status", schema.PHONE_STATUSES, snapshot
        )
    return _values_result(problems, "validation_results")


@dg.asset_check(
    asset=prune_list,
    blocking=True,
    description=(
        "Blocking: the contract columns; `action` one of delete, merge, quarantine, re_engage; "
        "every row has a reason; a merge names its survivor."
    ),
)
def prune_values_allowed(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    return prune_values(hygiene.store(), _snapshot(context))


def prune_values(store: HygieneStore, snapshot: date) -> dg.AssetCheckResult:
    problems = _schema_problems(store, "prune_list", schema.PRUNE_LIST)
    if not problems:
        problems = _unexpected(store, "prune_list", "action", schema.PRUNE_ACTIONS, snapshot)
        bad = store.query(
            "SELECT count(*) FILTER (WHERE reasons IS NULL OR len(reasons) = 0) AS no_reason, "
            "count(*) FILTER (WHERE action = 'merge' AND merge_into IS NULL) AS no_target "
            "FROM prune_list WHERE snapshot = $1",
            [snapshot],
        ).row(0, named=True)
        if bad["no_reason"]:
            problems.append(f"{bad['no_reason']} rows without a reason")
        if bad["no_target"]:
            problems.append(f"{bad['no_target']} merges without merge_into")
    return _values_result(problems, "prune_list")


# ---- Distribution jumps against the previous stored month ----


def _shares(store: HygieneStore, table: str, columns: str, snapshot: date) -> pl.DataFrame:
    """`columns` (SQL aggregates) for this month and the latest stored month before it."""
    return store.query(
        f"SELECT snapshot, count(*) AS rows, {columns} FROM {table} "
        f"WHERE snapshot = $1 OR snapshot = (SELECT max(snapshot) FROM {table} "
        "WHERE snapshot < $1) GROUP BY snapshot ORDER BY snapshot",
        [snapshot],
    )


def _doubled(before: float, now: float) -> bool:
    return now >= 2 * before and now - before >= MIN_JUMP


def _no_baseline(snapshot: date) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        passed=True,
        description=f"no month before {folder_name(snapshot)} is stored: nothing to compare with",
    )


@dg.asset_check(
    asset=raw_contacts,
    description="Warns when the export has less than half the rows of the previous stored month.",
)
def row_count_steady(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    snapshot = _snapshot(context)
    months = _shares(hygiene.store(), "raw_contacts", "1 AS one", snapshot)
    if months.height < 2:
        return _no_baseline(snapshot)
    (before_month, before), (_, now) = months.select("snapshot", "rows").iter_rows()
    passed = now >= before / 2
    return dg.AssetCheckResult(
        passed=passed,
        severity=WARN,
        description=(
            f"{now} rows, {before} in {folder_name(before_month)}"
            if passed
            else f"The export has {now} rows, down from {before} in {folder_name(before_month)} "
            f"({now / before - 1:+.0%}). A partial export is the usual cause: a filtered view, "
            "a file left out of the month's folder, or an export cut off at a row limit."
        ),
        metadata={
            "rows": now,
            "previous_rows": before,
            "previous_month": folder_name(before_month),
        },
    )


_EMAIL_SHARES = (
    "avg(CASE WHEN email_status = 'missing' THEN 1 ELSE 0 END) AS missing, "
    "avg(CASE WHEN email_status = 'invalid' THEN 1 ELSE 0 END) AS invalid, "
    "avg(CASE WHEN phone_status IN ('invalid', 'placeholder') THEN 1 ELSE 0 END) AS bad_phone"
)


def _compare(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource, share: str
) -> tuple[date, float, float, int] | None:
    """(previous month, share then, share now, rows now), or None without a previous month."""
    snapshot = _snapshot(context)
    months = _shares(hygiene.store(), "validation_results", _EMAIL_SHARES, snapshot)
    if months.height < 2:
        return None
    (before_month, before, _), (_, now, rows) = months.select("snapshot", share, "rows").iter_rows()
    return before_month, float(before), float(now), int(rows)


@dg.asset_check(
    asset=validation_results,
    blocking=True,
    description=(
        "Warns when the share of contacts without email doubles since the previous stored month; "
        "fails with ERROR and blocks the prune list when it rose by 40 points or more (an export "
        "whose Email column is empty would otherwise delete those contacts as unreachable)."
    ),
)
def missing_emails_steady(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    compared = _compare(context, hygiene, "missing")
    if compared is None:
        return _no_baseline(_snapshot(context))
    before_month, before, now, rows = compared
    collapsed = now - before >= EMAIL_COLLAPSE
    passed = not collapsed and not _doubled(before, now)
    what = (
        f"Emails are missing for {now:.1%} of contacts ({round(now * rows)} of {rows}), "
        f"up from {before:.1%} in {folder_name(before_month)}."
    )
    cause = (
        " The export is the likely cause: its Email column was left out, renamed or emptied. "
        "Fix the export and run the month again; the prune list is held back until then."
        if collapsed
        else " The export is the usual cause (an Email column left out of the view, or a CRM "
        "import that lost addresses); check it before acting on this month's prune list."
    )
    return dg.AssetCheckResult(
        passed=passed,
        severity=ERROR if collapsed else WARN,
        description=f"{now:.1%} without email, {before:.1%} in {folder_name(before_month)}"
        if passed
        else what + cause,
        metadata={
            "missing_share": round(now, 4),
            "previous_share": round(before, 4),
            "previous_month": folder_name(before_month),
        },
    )


@dg.asset_check(
    asset=validation_results,
    description="Warns when the share of invalid emails doubles since the previous stored month.",
)
def invalid_emails_steady(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    return _warn_on_doubling(
        context,
        hygiene,
        "invalid",
        "invalid emails",
        "A broken export is the usual cause (columns shifted by a stray delimiter, a changed "
        "encoding mangling addresses); a company domain that stopped taking mail is the other.",
    )


@dg.asset_check(
    asset=validation_results,
    description="Warns when the share of invalid or placeholder phones doubles since last month.",
)
def bad_phones_steady(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    return _warn_on_doubling(
        context,
        hygiene,
        "bad_phone",
        "invalid or placeholder phones",
        "The export is the usual cause: a phone column swapped for another, numbers exported "
        "as numbers (leading zeros or + lost), or a form that started accepting junk.",
    )


def _warn_on_doubling(
    context: dg.AssetCheckExecutionContext,
    hygiene: HygieneResource,
    share: str,
    label: str,
    cause: str,
) -> dg.AssetCheckResult:
    compared = _compare(context, hygiene, share)
    if compared is None:
        return _no_baseline(_snapshot(context))
    before_month, before, now, _ = compared
    passed = not _doubled(before, now)
    return dg.AssetCheckResult(
        passed=passed,
        severity=WARN,
        description=f"{now:.1%} {label}, {before:.1%} in {folder_name(before_month)}"
        if passed
        else f"The share of {label} went from {before:.1%} in {folder_name(before_month)} to "
        f"{now:.1%}: more than doubled. {cause}",
        metadata={
            "share": round(now, 4),
            "previous_share": round(before, 4),
            "previous_month": folder_name(before_month),
        },
    )


# ---- The files and the report ----


@dg.asset_check(
    asset=crm_import_files,
    additional_deps=[prune_list],
    description="Every prune list row is in exactly one CRM file of its action; files owner-only.",
)
def crm_files_match_prune_list(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    snapshot = _snapshot(context)
    folder = hygiene.out_dir(folder_name(snapshot))
    actions = dict(
        hygiene.store()
        .query("SELECT action, count(*) FROM prune_list WHERE snapshot = $1 GROUP BY 1", [snapshot])
        .iter_rows()
    )
    problems = []
    for action, stem in FILE_ACTIONS.items():
        files = sorted(folder.glob(f"*-{stem}.csv"))
        written = sum(_data_rows(path) for path in files)
        if written != actions.get(action, 0):
            problems.append(f"{action}: {written} rows in files, {actions.get(action, 0)} listed")
        problems += [f"{path.name} is readable by others" for path in files if _shared(path)]
    return dg.AssetCheckResult(
        passed=not problems,
        severity=ERROR,
        description=(
            "every prune list row is in its CRM file"
            if not problems
            else "; ".join(problems) + f". The files in {folder} do not match the prune list: "
            "a file was edited or removed, or the prune list changed after they were written. "
            "Materialize crm_import_files for this month again before importing."
        ),
        metadata={"folder": dg.MetadataValue.path(str(folder))},
    )


def _data_rows(path: Path) -> int:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def _shared(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


@dg.asset_check(
    asset=hygiene_report,
    description="The month's report file exists, is owner-only, and shows a score within 0-100.",
)
def report_file_written(
    context: dg.AssetCheckExecutionContext, hygiene: HygieneResource
) -> dg.AssetCheckResult:
    path = hygiene.root / REPORTS_FOLDER / f"{folder_name(_snapshot(context))}.html"
    problems = []
    if not path.exists():
        problems.append(f"{path} does not exist")
    else:
        if _shared(path):
            problems.append(f"{path} is readable by others (the audit is for the data owner)")
        text = path.read_text(encoding="utf-8")
        if 'id="health-score"' not in text or 'id="trend-chart"' not in text:
            problems.append(f"{path} lacks the health score or the trend chart")
    return dg.AssetCheckResult(
        passed=not problems,
        severity=ERROR,
        description="report written" if not problems else "; ".join(problems),
        metadata={"path": dg.MetadataValue.path(str(path))},
    )


ALL_CHECKS = [
    normalized_rows_match_raw,
    validation_rows_match_normalized,
    duplicate_ids_within_contacts,
    prune_ids_within_contacts,
    normalized_schema,
    duplicate_clusters_schema,
    validation_values_allowed,
    prune_values_allowed,
    row_count_steady,
    missing_emails_steady,
    invalid_emails_steady,
    bad_phones_steady,
    crm_files_match_prune_list,
    report_file_written,
]
