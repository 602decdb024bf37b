"""Wall time and peak memory of ingest (`read_month`) on a generated 1,000,000-row HubSpot export.

The export is the sample generator's HubSpot "all properties" file for one month, its rows repeated
with fresh record ids until there are enough (UTF-8, `,`, quotes where the values need them, as
HubSpot writes it). The measurement runs in a child process, so the generator's memory is not
counted: peak memory is that process's largest resident set (ru_maxrss).

    .venv/bin/python benchmarks/ingest_1m.py [--rows 1000000] [--dialect plain|excel-europe]
                                             [--broken]

`--broken` puts one malformed row (a quote that never closes) in the middle, which sends the file
through the record-by-record path instead of the fast one.
"""

from __future__ import annotations

import argparse
import csv
import io
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
MONTH = "2026-10"


def generate(folder: Path, rows: int, dialect: str, *, broken: bool = False) -> Path:
    """Write the export; return its path. `broken`: one row in the middle has a stray quote."""
    from hygiene_pipeline.sample_exports import build_sample_exports
    from hygiene_pipeline.sample_exports.render import HEADER

    sample = build_sample_exports([MONTH], people=3000, seed=7).rows[MONTH]
    sep, encoding, newline = (";", "utf-8-sig", "\r\n") if dialect == "excel-europe" else (
        ",", "utf-8", "\n")  # fmt: skip
    path = folder / MONTH / f"hubspot-contacts-{MONTH}.csv"
    path.parent.mkdir(parents=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=sep, lineterminator=newline)
        writer.writerow(HEADER)
        buffer = io.StringIO()
        batch = csv.writer(buffer, delimiter=sep, lineterminator=newline)
        for index in range(rows):
            row = sample[index % len(sample)]
            if broken and index == rows // 2:
                buffer.write(f'{60_000_000_000 + index}{sep}"stray quote{sep}{sep}{newline}')
                continue
            batch.writerow((str(60_000_000_000 + index), *row[1:]))
            if index % 50_000 == 49_999:
                handle.write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
        handle.write(buffer.getvalue())
    return path


def measure(exports_dir: Path) -> None:
    """In the child: read the month once, print seconds, rows and peak RSS."""
    from hygiene_pipeline.ingest.month_exports import read_month

    started = time.perf_counter()
    month = read_month(exports_dir, date.fromisoformat(f"{MONTH}-01"))
    elapsed = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    fact = month.files[0]
    print(
        f"rows {month.raw.height:,} rejected {month.rejected.height:,} reader {fact.reader} "
        f"read_month {elapsed:.2f} s peak {peak_mib:,.0f} MiB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dialect", choices=["plain", "excel-europe"], default="plain")
    parser.add_argument("--broken", action="store_true", help="one malformed row in the middle")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure)
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        path = generate(Path(scratch), args.rows, args.dialect, broken=args.broken)
        size_mib = path.stat().st_size / 2**20
        kind = args.dialect + (", one broken row" if args.broken else "")
        print(f"generated {args.rows:,} rows, {size_mib:,.0f} MiB in "
              f"{time.perf_counter() - started:.1f} s ({kind})")  # fmt: skip
        done = subprocess.run(
            [sys.executable, __file__, "--measure", scratch], cwd=PROJECT, check=False
        )
        return done.returncode


if __name__ == "__main__":
    sys.exit(main())
