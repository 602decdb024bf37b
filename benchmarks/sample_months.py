"""Wall time and peak memory of the main job on the sample data, one month at a time.

Runs the documented command (`dagster asset materialize ... --select '*' --partition M-01`) for each
month in the data root's exports, in a fresh data root copy so the repo's database is untouched,
and prints one line per month plus the total. Peak memory is the largest resident set of the
materialize process (it runs every asset in process).

    .venv/bin/python benchmarks/sample_months.py [--data-dir data] [--nameservers off]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.scale_month import fresh_instance  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(PROJECT / "data"))
    parser.add_argument(
        "--nameservers",
        default=os.environ.get("HYGIENE_NAMESERVERS"),
        help="HYGIENE_NAMESERVERS for the runs (default: inherited; unset = system resolver)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        shutil.copytree(Path(args.data_dir) / "exports", root / "exports")
        fresh_instance(root)
        env = {
            **os.environ,
            "HYGIENE_DATA_DIR": str(root),
            "DAGSTER_HOME": str(root / "dagster_home"),
        }
        if args.nameservers is not None:
            env["HYGIENE_NAMESERVERS"] = args.nameservers
        months = sorted(path.name for path in (root / "exports").iterdir() if path.is_dir())
        total = 0.0
        print(f"{'month':<9}{'rows':>7}{'wall s':>9}{'peak MiB':>10}")
        for month in months:
            rows = sum(
                len(path.read_bytes().splitlines()) - 1
                for path in (root / "exports" / month).iterdir()
            )
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "dagster", "asset", "materialize",
                 "-m", "assets.definitions", "--select", "*", "--partition", f"{month}-01"],
                cwd=PROJECT, env=env, capture_output=True, text=True,
            )  # fmt: skip
            elapsed = time.perf_counter() - started
            if done.returncode != 0:
                print(done.stderr[-2000:], file=sys.stderr)
                return 1
            # ru_maxrss of children is the largest child so far (KiB on Linux).
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            total += elapsed
            print(f"{month:<9}{rows:>7}{elapsed:>9.2f}{peak:>10.0f}")
        print(f"{'total':<9}{'':>7}{total:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
