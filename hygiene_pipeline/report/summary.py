"""A short per-month summary of what the pipeline stored: rows, clusters, actions.

`python -m hygiene_pipeline.report.summary [--data-dir data] [2026-08 2026-09 ...]` prints one
block per month; without months it prints every month in the database. Counts only, never
personal data.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from hygiene_pipeline.months import parse_snapshot
from hygiene_pipeline.schema import PRUNE_ACTIONS
from hygiene_pipeline.store import HygieneStore


def month_summary(store: HygieneStore, snapshot: date) -> dict[str, int]:
    """Row counts per stage and action counts for one month."""
    counts = store.query(
        """
        SELECT
          (SELECT count(*) FROM raw_contacts WHERE snapshot = $1) AS raw_rows,
          (SELECT count(*) FROM normalized_contacts WHERE snapshot = $1) AS normalized_rows,
          (SELECT count(DISTINCT cluster_id) FROM duplicate_clusters WHERE snapshot = $1)
            AS clusters,
          (SELECT count(*) FROM validation_results WHERE snapshot = $1) AS validated_rows,
          (SELECT count(*) FROM prune_list WHERE snapshot = $1) AS prune_rows
        """,
        [snapshot],
    ).row(0, named=True)
    actions = dict(
        store.query(
            "SELECT action, count(*) FROM prune_list WHERE snapshot = $1 GROUP BY action",
            [snapshot],
        ).iter_rows()
    )
    return {**counts, **{action: int(actions.get(action, 0)) for action in PRUNE_ACTIONS}}


def format_summary(snapshot: date, summary: dict[str, int]) -> str:
    kept = summary["normalized_rows"] - summary["prune_rows"]
    actions = ", ".join(f"{action} {summary[action]}" for action in PRUNE_ACTIONS)
    return (
        f"{snapshot:%Y-%m}: {summary['raw_rows']} rows, {summary['clusters']} duplicate clusters, "
        f"{summary['prune_rows']} on the prune list ({actions}), {kept} kept as they are"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("months", nargs="*", help="YYYY-MM months (default: all stored)")
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("HYGIENE_DATA_DIR", "data"),
        help="the data root holding hygiene.duckdb (default $HYGIENE_DATA_DIR or data)",
    )
    args = parser.parse_args(argv)
    store = HygieneStore(Path(args.data_dir) / "hygiene.duckdb")
    if args.months:
        months = [parse_snapshot(month) for month in args.months]
    else:
        months = store.query("SELECT DISTINCT snapshot FROM prune_list ORDER BY 1")[
            "snapshot"
        ].to_list()
    for month in months:
        print(format_summary(month, month_summary(store, month)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
