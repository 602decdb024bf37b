"""Each hostile export at its real size: how fast it is refused, and the peak memory it costs.

Builds, in a temporary folder, the files of issue 21 beside one sound export, and reads the month
as the monthly run does (limits checked first, each file parsed in a child process). Prints per
file: build time, refusal time, peak resident memory of the reading process and of its parsing
children, and the start of the refusal. Also reads two real exports at the edges: a 1,048,575-row
workbook and a 1,500-column HubSpot all-properties export.

    .venv/bin/python benchmarks/hostile_files.py [--keep DIR]

Each case runs in its own Python process, so one case's peak is not another's.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.hostile_files import (  # noqa: E402
    ENTITY_PROLOGUE,
    contact_rows,
    one_cell_rows,
    wide_csv,
    write_workbook,
)

SOUND = b"Record ID,First Name,Last Name,Email\n1001,Anouk,Visser,anouk.visser@ziggo.nl\n"
EXCEL_ROWS = 1_048_576

_READ = """
import json, resource, sys, time
from datetime import date
from pathlib import Path
from hygiene_pipeline.ingest.month_exports import read_month
start = time.perf_counter()
month = read_month(Path(sys.argv[1]), date(2026, 10, 1))
seconds = time.perf_counter() - start
peak = [resource.getrusage(who).ru_maxrss // 1024
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
print(json.dumps({"seconds": seconds, "parent_mib": peak[0], "child_mib": peak[1],
                  "loaded": {f.name: f.loaded_rows for f in month.files},
                  "refused": [r.reason for r in month.refused]}))
"""


def _cases() -> dict:
    """name -> builder(folder): the file of each case, at the size a user ran into."""

    def csv(name: str, data: bytes):
        return lambda folder: (folder / name).write_bytes(data)

    return {
        # 30 million one-cell rows, about 1.5 GB of XML, a few MB zipped.
        "zip bomb .xlsx (30M rows, ~1.5 GB XML)": lambda folder: write_workbook(
            folder / "bomb.xlsx", one_cell_rows(30_000_000), level=9, numbered=False
        ),
        "sheet past Excel's 1,048,576 rows": lambda folder: write_workbook(
            folder / "rows.xlsx", contact_rows(EXCEL_ROWS + 10), level=1
        ),
        "workbook of 500 sheets": lambda folder: write_workbook(
            folder / "sheets.xlsx", contact_rows(3), extra_sheets=499
        ),
        "entity expansion inside an .xlsx": lambda folder: write_workbook(
            folder / "entities.xlsx", contact_rows(3), prologue=ENTITY_PROLOGUE
        ),
        "CSV of 300,000 columns x 200 rows": lambda folder: wide_csv(
            folder / "wide.csv", 300_000, rows=200
        ),
        "CSV header cell of 3 MB": csv(
            "cell.csv", b"Record ID,Email," + b"N" * 3_000_000 + b"\n1,a@b.nl,x\n"
        ),
        "real: 1,048,575-row workbook": lambda folder: write_workbook(
            folder / "full.xlsx", contact_rows(EXCEL_ROWS - 1), level=1
        ),
        "real: HubSpot all-properties, 1,500 columns x 10,000 rows": lambda folder: wide_csv(
            folder / "all-properties.csv", 1_500, rows=10_000
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the files here and keep them")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="hostile-"))
    rows = []
    try:
        for number, (name, build) in enumerate(_cases().items()):
            exports = base / f"case{number}" / "exports"
            folder = exports / "2026-10"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "a-sound.csv").write_bytes(SOUND)
            start = time.perf_counter()
            build(folder)
            built = time.perf_counter() - start
            size = sum(p.stat().st_size for p in folder.iterdir()) - len(SOUND)
            done = subprocess.run(
                [sys.executable, "-c", _READ, str(exports)],
                capture_output=True, text=True, check=True, cwd=ROOT,
            )  # fmt: skip
            result = json.loads(done.stdout)
            outcome = (result["refused"][0][:90] + "...") if result["refused"] else (
                f"loaded {sum(result['loaded'].values()) - 1:,} rows"
            )  # fmt: skip
            rows.append((name, size, built, result, outcome))
            print(
                f"{name}: {size / 2**20:,.1f} MiB on disk, built in {built:.1f} s; read in "
                f"{result['seconds']:.1f} s, peak {result['parent_mib']} MiB (reader) / "
                f"{result['child_mib']} MiB (parsing child); {outcome}",
                flush=True,
            )
            if not args.keep:
                shutil.rmtree(base / f"case{number}")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    print("\n| file | on disk MiB | read s | peak MiB reader / child | outcome |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name, size, _, result, outcome in rows:
        print(
            f"| {name} | {size / 2**20:,.1f} | {result['seconds']:.1f} | "
            f"{result['parent_mib']} / {result['child_mib']} | {outcome.replace('|', '/')} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
