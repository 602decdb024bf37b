"""Our whole month against Splink 5's dedupe alone, on the same HubSpot export, in one run.

Issue 18 asks that a month of ours, end to end, costs at most twice what Splink's dedupe alone
costs on the same file (goal: ratio <= 2.0). This measures both, one after the other:

- **ours**: writes a HubSpot export of `--people` invented people (`benchmarks/scale_export.py`,
  about 15% of the rows second records, so 100,000 people are about 117,600 records) over
  people/4 email domains (25,000 at 100,000; `benchmarks/validation_dns.py`'s `make_domains`,
  seeded as `benchmarks/scale_month.py` seeds them), serves the domains from dnsmasq on
  127.0.0.1 (`tests/dns_server.py`) and runs the documented command

      dagster asset materialize -m assets.definitions --select '*' --partition 2026-10-01

  in a fresh data root and a fresh Dagster instance (empty database: cold DNS cache). Wall time
  of the whole command, process start included, and per step, with `scale_month.py`'s tables;
- **Splink alone**: in a fresh Python process, reads the same CSV with polars, lower-cases and
  trims the columns Splink compares (names, email, phone digits, company), then trains,
  predicts and clusters with `benchmarks/dedupe_accuracy.py`'s `splink_crm` model (DuckDB
  backend). Timed with process start (the parent's clock around the child) and as work alone
  (reading the file to clusters, imports left out). Splink has no phonetic key of its own: its
  `last_name_phonetic` column gets the plain last name.

Splink 5.0.0 is a benchmark-only dependency (`.venv/bin/pip install splink`), not in pyproject.
Whether the venv has pandas changes both sides: DuckDB imports pandas, when it is installed, at
a process's first query with parameters (0.3 s here). Neither we nor Splink 5 need it, and a venv
from `scripts/setup.sh` plus Splink has none; recordlinkage (`dedupe_accuracy.py`'s benchmark
dependency) brings it. The summary says which venv was measured.

    .venv/bin/python benchmarks/month_vs_splink.py [--people 100000] [--seed 20261122]
        [--keep DIR] [--runs N] [--profile FILE]

`--keep DIR` keeps the generated export there (and reuses it); `--runs N` measures both N times
and prints each and the median; `--profile FILE` then runs ours once more under py-spy
(`--idle --subprocesses`, raw folded stacks into FILE; its times are not in the table).
This file imports only the standard library at the top, so Splink's child pays for nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

PEOPLE_PER_DOMAIN = 4
GOAL_RATIO = 2.0


def export_rows(people: int) -> int:
    """Records for `people` people: the export's second records are a share of all rows."""
    from benchmarks.scale_export import DUPLICATE_SHARE

    return round(people / (1 - DUPLICATE_SHARE))


def prepare_export(people: int, seed: int, work: Path) -> tuple[Path, dict[str, str]]:
    """The export's path (written unless already there) and its domains' kinds."""
    from benchmarks.scale_export import write_export
    from benchmarks.scale_month import MONTH
    from benchmarks.validation_dns import FREE_MAIL, make_domains

    kinds = make_domains(max(people // PEOPLE_PER_DOMAIN, 100), random.Random(seed))
    export = work / f"month-{people}-{seed}" / "exports" / MONTH / f"hubspot-contacts-{MONTH}.csv"
    if not export.exists():
        started = time.perf_counter()
        part = export.with_suffix(".part")
        counts = write_export(part, export_rows(people), list(kinds), FREE_MAIL, seed)
        part.rename(export)
        print(f"generated {counts} in {time.perf_counter() - started:.1f} s")
    return export, kinds


def run_ours(export: Path, kinds: dict[str, str], profile: Path | None = None) -> dict[str, float]:
    """One materialize of the month in a fresh root and instance; {step: s, "total": s, ...}."""
    from benchmarks.scale_month import (
        fresh_instance,
        materialize_command,
        month_env,
        report,
        run_sampled,
        step_windows,
    )
    from benchmarks.validation_dns import zone_records
    from tests.dns_server import dnsmasq_cluster

    rows = sum(1 for _ in export.open(encoding="utf-8")) - 1
    with tempfile.TemporaryDirectory(prefix="month-vs-splink-") as scratch:
        root = Path(scratch)
        shutil.copytree(export.parent.parent, root / "exports")
        fresh_instance(root)
        with dnsmasq_cluster(zone_records(kinds)) as server:
            env = month_env(root, server.address)
            command = materialize_command()
            if profile is not None:
                profile.parent.mkdir(parents=True, exist_ok=True)
                py_spy = str(Path(sys.executable).with_name("py-spy"))
                command = [py_spy, "record", "--idle", "--format", "raw", "--subprocesses",
                           "-o", str(profile), "--", *command]  # fmt: skip
            print(f"\nours: {rows:,} records over {len(kinds):,} email domains, dnsmasq at "
                  f"{server.address}, load average {os.getloadavg()[0]:.2f}")  # fmt: skip
            logged = len(server.queries())
            wall, samples = run_sampled(command, env)
            windows, phases = step_windows(root / "dagster_home")
            label = "ours under py-spy (not timed)" if profile else "ours"
            seconds = report(label, rows, wall, samples, windows, phases)
            print(f"DNS queries received by dnsmasq: {len(server.queries()) - logged:,}")
    steps = sum(value for key, value in seconds.items() if key not in ("total", "peak_mib"))
    return seconds | {"start-up, event log, teardown": seconds["total"] - steps}


def splink_frame(path: Path) -> pl.DataFrame:
    """Splink's input from the raw export: the compared columns, lower-cased and trimmed."""
    import polars as pl

    def clean(column: str) -> pl.Expr:
        text = pl.col(column).str.strip_chars().str.to_lowercase()
        return pl.when(text != "").then(text)

    raw = pl.read_csv(path, infer_schema=False)
    phone = pl.coalesce(clean("Mobile Phone Number"), clean("Phone Number")).str.replace_all(
        r"\D", ""
    )
    return raw.select(
        unique_id=pl.col("Record ID"),
        first_name_ascii=clean("First Name"),
        last_name_ascii=clean("Last Name"),
        last_name_phonetic=clean("Last Name"),
        email=clean("Email").str.strip_prefix("mailto:"),
        phone=pl.when(phone != "").then(phone),
        company_key=clean("Company Name"),
    )


def splink_child(path: Path) -> None:
    """In Splink's own process: imports, then the file to clusters; prints one JSON line."""
    started = time.perf_counter()
    import duckdb  # noqa: F401  (imported here so that work alone leaves import time out)
    import splink  # noqa: F401

    from benchmarks.dedupe_accuracy import splink_crm

    imported = time.perf_counter()
    frame = splink_frame(path)
    read = time.perf_counter()
    clusters = splink_crm(frame)
    done = time.perf_counter()
    sizes = clusters.get_column("cluster_id").value_counts().get_column("count")
    print(json.dumps({"imports": imported - started, "read": read - imported,
                      "work": done - imported, "rows": clusters.height,
                      "clusters": int((sizes > 1).sum())}))  # fmt: skip


def run_splink(export: Path) -> dict[str, float]:
    """Splink's dedupe alone in a fresh Python process; with process start and work alone."""
    command = [sys.executable, str(Path(__file__).resolve()), "--splink-child", str(export)]
    print(f"\nSplink alone: load average {os.getloadavg()[0]:.2f}")
    started = time.perf_counter()
    done = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"Splink's child failed with exit code {done.returncode}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"  with process start {wall:.2f} s; imports {result['imports']:.2f} s; work alone "
          f"{result['work']:.2f} s (of which reading the file {result['read']:.2f} s); "
          f"{result['rows']:,} rows, {result['clusters']:,} clusters of two or more")  # fmt: skip
    return {"process": wall, **result}


def summary(people: int, ours: list[dict[str, float]], splink: list[dict[str, float]]) -> None:
    """The table: ours end to end and per step, Splink alone, the ratio against the goal."""
    many = len(ours) > 1
    heads = [f"run {n}" for n in range(1, len(ours) + 1)] + (["median"] if many else [])

    def line(name: str, values: list[float], digits: int = 2) -> None:
        shown = values + ([statistics.median(values)] if many else [])
        print(f"{name:<42}" + "".join(f"{value:>9.{digits}f}" for value in shown))

    print(f"\nsummary: {people:,} people, seconds (goal: ours / Splink <= {GOAL_RATIO})")
    print(f"{'':<42}" + "".join(f"{head:>9}" for head in heads))
    line("ours, whole command (process start incl.)", [run["total"] for run in ours])
    steps = [key for key in ours[0] if key not in ("total", "peak_mib")]
    for step in steps:
        line(f"  {step}", [run.get(step, 0.0) for run in ours])
    line("Splink alone, with process start", [run["process"] for run in splink])
    line("Splink alone, work alone (no imports)", [run["work"] for run in splink])
    ratio = [o["total"] / s["process"] for o, s in zip(ours, splink, strict=True)]
    line("ratio ours / Splink (both with start)", ratio)
    line("ratio ours / Splink work alone", [o["total"] / s["work"] for o, s in
                                            zip(ours, splink, strict=True)])  # fmt: skip
    judged = statistics.median(ratio)
    verdict = "met" if judged <= GOAL_RATIO else "not met"
    print(f"goal ratio <= {GOAL_RATIO} (both with process start): {judged:.2f}, {verdict}")
    print(f"measured in {sys.prefix}, {pandas_installed()}")


def pandas_installed() -> str:
    """Which kind of venv ran both sides (see the module's docstring)."""
    import importlib.util

    if importlib.util.find_spec("pandas") is None:
        return "without pandas (as scripts/setup.sh makes it)"
    return "with pandas installed (DuckDB imports it in both processes: about 0.3 s each)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--keep", type=Path, help="keep the generated export here, and reuse it")
    parser.add_argument("--runs", type=int, default=1, help="measure both N times; median")
    parser.add_argument("--profile", type=Path, help="then run ours under py-spy into FILE")
    parser.add_argument("--splink-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.splink_child:
        splink_child(args.splink_child)
        return 0
    with tempfile.TemporaryDirectory(prefix="month-vs-splink-exports-") as scratch:
        export, kinds = prepare_export(args.people, args.seed, args.keep or Path(scratch))
        ours, splink = [], []
        for _ in range(args.runs):
            ours.append(run_ours(export, kinds))
            splink.append(run_splink(export))
        summary(args.people, ours, splink)
        if args.profile:
            run_ours(export, kinds, args.profile)
            print(f"py-spy profile: {args.profile}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
