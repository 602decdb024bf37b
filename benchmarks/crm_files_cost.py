"""What the write-back files cost: crm_import_files' work with and without them, on a stored month.

Issue 16 allows the update, undo and status files at most 10% of the 1M run's time. The run's
step times alone cannot say what the new files cost (the step also writes the action files it
wrote before), so this measures both on one stored month, alternating, in one process:

- **actions only**: what the step did before the write-back files: read the prune list and the
  contacts' ids and emails, find each record's format, write the deletion, merge, quarantine
  and re-engage files;
- **everything**: what the step does now, through the same calls (`crm_files/month_files.py`):
  the six tables and the raw columns it reads, the corrections, the update and undo files, a
  status row per contact, the `crm_updates` table and every file; its phases are printed too.

The month is read from a copy of the database (the `crm_updates` write changes it); the files go
to temporary folders. A data root with a stored month: run the documented command on one, e.g.
the 1M export that `benchmarks/scale_month.py --keep DIR` leaves in DIR:

    HYGIENE_DATA_DIR=ROOT DAGSTER_HOME=ROOT/dagster_home HYGIENE_NAMESERVERS=off \\
      .venv/bin/dagster asset materialize -m assets.definitions --select '*' \\
      --partition 2026-10-01
    .venv/bin/python benchmarks/crm_files_cost.py --data-dir ROOT [--month 2026-10] [--runs 4]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from assets.metadata import StepTimer  # noqa: E402
from hygiene_pipeline.crm_files import month_files  # noqa: E402
from hygiene_pipeline.crm_files.action_files import (  # noqa: E402
    action_tables,
    crm_records,
    write_file_set,
)
from hygiene_pipeline.crm_files.writeback_settings import load_writeback_settings  # noqa: E402
from hygiene_pipeline.store import HygieneStore  # noqa: E402


def actions_only(store: HygieneStore, snapshot: date, out: Path) -> StepTimer:
    phases = StepTimer()
    with store.session():
        with phases.step("read"):
            prune = store.read_partition(
                "prune_list", snapshot, columns=month_files.READS["prune_list"]
            )
            contacts = store.read_partition(
                "normalized_contacts", snapshot, columns=["contact_id", "source_file", "email"]
            )
            erased = store.read_partition(
                "erased_contacts", snapshot, columns=month_files.READS["erased_contacts"]
            )
            export_files = store.read_partition("export_files", snapshot)
        with phases.step("action files"):
            records = crm_records(contacts, erased, export_files)
            write_file_set(action_tables(prune, records), out)
    return phases


def everything(store: HygieneStore, root: Path, snapshot: date, out: Path) -> StepTimer:
    """What the asset does, through the same calls (`crm_files.month_files`), phase by phase."""
    phases = StepTimer()
    settings = load_writeback_settings(root)
    with store.session():
        with phases.step("read"):
            inputs = month_files.read_inputs(store, snapshot, settings)
        with phases.step("corrections"):
            built = month_files.build_files(inputs, snapshot, settings)
        del inputs  # as the asset does: the files keep only what they read
        with phases.step("files built and written, then crm_updates"):
            month_files.write_files(store, snapshot, built, out)
    return phases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--month", default="2026-10", help="YYYY-MM of a stored month")
    parser.add_argument("--runs", type=int, default=4)
    args = parser.parse_args()
    snapshot = date.fromisoformat(f"{args.month}-01")
    with tempfile.TemporaryDirectory(prefix="crm-files-cost-") as scratch:
        database = Path(scratch) / "hygiene.duckdb"
        shutil.copy(args.data_dir / "hygiene.duckdb", database)
        store = HygieneStore(database)
        contacts = store.query(
            "SELECT count(*) FROM normalized_contacts WHERE snapshot = $1", [snapshot]
        ).item()
        print(f"{contacts:,} contacts of {args.month}, {args.runs} runs of each, alternating")
        totals: dict[str, list[float]] = defaultdict(list)
        phases: dict[str, list[float]] = defaultdict(list)
        for run in range(args.runs):
            out = Path(scratch) / f"run-{run}"
            for label in ("actions only", "everything"):
                started = time.perf_counter()
                if label == "actions only":
                    actions_only(store, snapshot, out / "actions")
                else:
                    done = everything(store, args.data_dir, snapshot, out / "everything")
                    for name, seconds in done.seconds.items():
                        phases[name].append(seconds)
                totals[label].append(time.perf_counter() - started)
            shutil.rmtree(out)
    for label, values in totals.items():
        runs = ", ".join(f"{v:.2f}" for v in values)
        print(f"{label:<14} median {statistics.median(values):6.2f} s   (runs: {runs})")
    print("  phases of everything (median s): " + ", ".join(
        f"{name} {statistics.median(values):.2f}" for name, values in phases.items()))  # fmt: skip
    cost = statistics.median(totals["everything"]) - statistics.median(totals["actions only"])
    print(f"the write-back files cost {cost:.2f} s (median everything - median actions only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
