"""Digest of everything a run produced, to prove a refactor or a speed-up changed nothing.

Writes one line per table (row count and a hash of its rows in a stable order), per output file
(sha256) and per asset materialization (its metadata, wall-clock entries left out), so two runs
compare with `diff`. Wall-clock values (the DNS cache's timestamps, step timings) are not
results and are skipped.

    .venv/bin/python scripts/output_digest.py --data-dir data --dagster-home dagster_home > a.txt
    ... change the code, rerun the same months with the same HYGIENE_SUPPRESSION_KEY ...
    .venv/bin/python scripts/output_digest.py ... > b.txt && diff a.txt b.txt
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

import duckdb

# Columns that hold wall-clock time or machine facts, not results.
_CLOCK_COLUMNS = {"dns_cache": {"checked_at", "expires_at", "resolver"}}
_CLOCK_METADATA = ("slowest_step", "step_timings_s", "dagster/")


def table_lines(database: Path) -> list[str]:
    """One line per table: rows, and a sha256 over its rows sorted on every column."""
    lines = []
    with duckdb.connect(str(database), read_only=True) as con:
        tables = [
            row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        ]
        for table in sorted(tables):
            columns = [
                row[0]
                for row in con.execute(
                    "SELECT column_name FROM duckdb_columns() WHERE table_name = ? ORDER BY 1",
                    [table],
                ).fetchall()
                if row[0] not in _CLOCK_COLUMNS.get(table, set())
            ]
            select = ", ".join(f'"{column}"::VARCHAR' for column in columns)
            rows = con.execute(f'SELECT {select} FROM "{table}" ORDER BY ALL').fetchall()
            digest = hashlib.sha256()
            for row in rows:
                digest.update(json.dumps(row, ensure_ascii=False).encode())
            lines.append(
                f"table {table}: {len(rows)} rows, columns {columns}, {digest.hexdigest()}"
            )
    return lines


def file_lines(root: Path, folders: tuple[str, ...] = ("out", "reports")) -> list[str]:
    """One line per file the run wrote for people or the CRM."""
    lines = []
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                lines.append(f"file {path.relative_to(root)}: {digest}")
    return lines


def metadata_lines(dagster_home: Path) -> list[str]:
    """The latest materialization of every asset and partition; clock values left out."""
    os.environ["DAGSTER_HOME"] = str(dagster_home.resolve())
    import dagster as dg

    lines = []
    with dg.DagsterInstance.get() as instance:
        for key in sorted(instance.get_asset_keys(), key=lambda k: k.to_user_string()):
            records = instance.fetch_materializations(key, limit=1000).records
            latest: dict[str | None, dg.AssetMaterialization] = {}
            for record in records:  # newest first
                event = record.asset_materialization
                if event is not None and event.partition not in latest:
                    latest[event.partition] = event
            for partition, event in sorted(latest.items(), key=lambda item: str(item[0])):
                for name, value in sorted(event.metadata.items()):
                    if name.startswith(_CLOCK_METADATA) or name.endswith("_s"):
                        continue
                    text = json.dumps(getattr(value, "value", str(value)), default=str)
                    lines.append(f"metadata {key.to_user_string()} {partition} {name}: {text}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--dagster-home", type=Path, help="also digest the runs' metadata")
    args = parser.parse_args(argv)
    lines = table_lines(args.data_dir / "hygiene.duckdb") + file_lines(args.data_dir)
    if args.dagster_home:
        lines += metadata_lines(args.dagster_home)
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
