"""The whole graph for one month at 100k, 300k and 1M contacts, with DNS against a local dnsmasq.

For each size: writes a HubSpot export of N invented contacts (`benchmarks/scale_export.py`:
fixed seed, about 15% duplicated, messy) over N/20 email domains (50,000 at 1M; most with MX,
some NXDOMAIN, null MX, A-only or without a mail host, as `benchmarks/validation_dns.py` makes
them), serves those domains from dnsmasq on 127.0.0.1 (a front and 16 shards,
`tests/dns_server.py`), and runs the documented command

    dagster asset materialize -m assets.definitions --select '*' --partition 2026-10-01

twice in a fresh data root and Dagster instance: **first** (empty database, so a cold DNS cache)
and **rerun** (the same month again: every table replaced, DNS answers from `dns_cache`).

Per step it prints wall time (from the run's STEP_START / STEP_SUCCESS events), the largest
resident set sampled while the step ran (every 50 ms, the materialize process and its children)
and contacts per second; then the whole command's wall time, start-up included, and its peak.

    .venv/bin/python benchmarks/scale_month.py [--sizes 100000 300000 1000000] [--seed 20261122]
        [--keep DIR] [--profile DIR]

`--keep DIR` keeps the generated exports there (and reuses them on the next call);
`--profile DIR` runs each command under py-spy (`pip install py-spy`) and writes a folded-stacks
profile per run into DIR (sampling slows the run: read its times from a run without it).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from benchmarks.scale_export import write_export  # noqa: E402
from benchmarks.validation_dns import FREE_MAIL, make_domains, zone_records  # noqa: E402

MONTH = "2026-10"
CONTACTS_PER_DOMAIN = 20
SAMPLE_EVERY_S = 0.05


def _tree_rss_kib(pid: int) -> int:
    """Resident set of a process and its descendants (KiB), from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += next((int(line.split()[1]) for line in status.splitlines()
                       if line.startswith("VmRSS:")), 0)  # fmt: skip
        stack += [int(child) for child in children]
    return total


def materialize_command() -> list[str]:
    """The documented command: every asset of the month, in this venv's Python."""
    return [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "assets.definitions",
            "--select", "*", "--partition", f"{MONTH}-01"]  # fmt: skip


def fresh_instance(root: Path) -> Path:
    """A new Dagster instance under `root`, configured as the users' (dagster_home/dagster.yaml:
    one run at a time, telemetry off), so the figures are those of the documented command."""
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(PROJECT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    return home


def month_env(root: Path, nameservers: str) -> dict[str, str]:
    """The environment of one run: data root, Dagster instance and resolvers of its own."""
    return {**os.environ, "HYGIENE_DATA_DIR": str(root), "DAGSTER_HOME": str(root / "dagster_home"),
            "HYGIENE_NAMESERVERS": nameservers,
            "HYGIENE_SUPPRESSION_KEY": "scale-benchmark-key-not-a-secret"}  # fmt: skip


def run_sampled(command: list[str], env: dict[str, str]) -> tuple[float, list[tuple[float, int]]]:
    """Runs `command`, sampling its tree's RSS; returns wall seconds and (time, KiB) samples."""
    samples: list[tuple[float, int]] = []
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)  # fmt: skip
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(process.stdout), daemon=True)
    reader.start()
    while process.poll() is None:
        samples.append((time.time(), _tree_rss_kib(process.pid)))
        time.sleep(SAMPLE_EVERY_S)
    wall = time.perf_counter() - started
    reader.join()
    if process.returncode != 0:
        sys.stderr.write("".join(output)[-4000:])
        raise SystemExit(f"materialize failed with exit code {process.returncode}")
    return wall, samples


def step_windows(home: Path) -> tuple[list[tuple[str, float, float, int | None, bool]], dict]:
    """(step, start, end, rows, is_asset) of the latest run, from the instance's event log, and
    each asset's phase timings (its `step_timings_s` metadata: read, compute, write)."""
    from dagster import DagsterEventType, DagsterInstance
    from dagster._core.instance.ref import InstanceRef

    with DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        run = instance.get_runs(limit=1)[0]
        starts: dict[str, float] = {}
        ends: dict[str, float] = {}
        rows: dict[str, int | None] = {}
        phases: dict[str, dict[str, float]] = {}
        for record in instance.all_logs(run.run_id):
            event = record.dagster_event
            if event is None or record.step_key is None:
                continue
            if event.event_type == DagsterEventType.STEP_START:
                starts[record.step_key] = record.timestamp
            elif event.event_type in (DagsterEventType.STEP_SUCCESS,
                                      DagsterEventType.STEP_FAILURE):  # fmt: skip
                ends[record.step_key] = record.timestamp
            elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
                metadata = event.event_specific_data.materialization.metadata
                count = metadata.get("dagster/row_count")
                rows[record.step_key] = None if count is None else int(count.value)
                if "step_timings_s" in metadata:
                    phases[record.step_key] = metadata["step_timings_s"].value
    windows = sorted(((step, starts[step], ends[step], rows.get(step), step in rows)
                      for step in starts), key=lambda item: item[1])  # fmt: skip
    return windows, phases


def report(label: str, size: int, wall: float, samples, windows, phases) -> dict[str, float]:
    """Prints one run's table; returns {step: seconds} plus the total."""
    print(f"\n{label}: {size:,} contacts")
    print(f"{'step':<34}{'wall s':>8}{'peak MiB':>10}{'rows':>11}{'contacts/s':>12}")
    grouped: dict[str, list] = defaultdict(list)
    for step, start, end, rows, is_asset in windows:
        grouped[step if is_asset else "asset checks"].append((start, end, rows))
    seconds: dict[str, float] = {}
    for name, spans in grouped.items():
        spent = sum(end - start for start, end, _ in spans)
        peak = max((kib for t, kib in samples
                    if any(start <= t <= end for start, end, _ in spans)), default=0)  # fmt: skip
        rows = spans[0][2] if len(spans) == 1 else None
        label_name = f"{name} ({len(spans)})" if len(spans) > 1 else name
        shown_rows = "" if rows is None else f"{rows:,}"
        rate = size / spent if spent else 0.0
        print(f"{label_name:<34}{spent:>8.2f}{peak / 1024:>10.0f}{shown_rows:>11}{rate:>12,.0f}")
        seconds[name] = spent
        if name in phases:
            print(f"{'':<4}" + ", ".join(f"{k} {v:.2f}" for k, v in phases[name].items()))
    steps_total = sum(seconds.values())
    peak_all = max((kib for _, kib in samples), default=0) / 1024
    print(f"{'start-up, event log, teardown':<34}{wall - steps_total:>8.2f}")
    print(f"{'total (the whole command)':<34}{wall:>8.2f}{peak_all:>10.0f}{'':>11}"
          f"{size / wall:>12,.0f}")  # fmt: skip
    return seconds | {"total": wall, "peak_mib": peak_all}


def measure_size(size: int, seed: int, work: Path, profile: Path | None) -> dict[str, dict]:
    from tests.dns_server import dnsmasq_cluster

    domains = max(size // CONTACTS_PER_DOMAIN, 100)
    kinds = make_domains(domains, random.Random(seed))
    export = work / f"{size}-{seed}" / "exports" / MONTH / f"hubspot-contacts-{MONTH}.csv"
    if not export.exists():
        started = time.perf_counter()
        counts = write_export(export.with_suffix(".part"), size, list(kinds), FREE_MAIL, seed)
        export.with_suffix(".part").rename(export)
        print(f"generated {counts} in {time.perf_counter() - started:.1f} s")
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix=f"scale-{size}-") as scratch:
        root = Path(scratch)
        shutil.copytree(export.parent.parent, root / "exports")
        fresh_instance(root)
        with dnsmasq_cluster(zone_records(kinds)) as server:
            env = month_env(root, server.address)
            print(f"{size:,} contacts over {len(kinds):,} email domains, dnsmasq at "
                  f"{server.address}, load average {os.getloadavg()[0]:.1f}")  # fmt: skip
            for label in ("first", "rerun"):
                command = materialize_command()
                if profile is not None:
                    profile.mkdir(parents=True, exist_ok=True)
                    out = profile / f"scale-{size}-{label}.folded.txt"
                    py_spy = str(Path(sys.executable).with_name("py-spy"))
                    command = [py_spy, "record", "--format", "raw", "--rate", "25",
                               "--subprocesses", "-o", str(out), "--", *command]  # fmt: skip
                logged = len(server.queries())
                wall, samples = run_sampled(command, env)
                windows, phases = step_windows(root / "dagster_home")
                results[label] = report(label, size, wall, samples, windows, phases)
                print(f"DNS queries received by dnsmasq: {len(server.queries()) - logged:,}")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--keep", type=Path, help="keep generated exports here, and reuse them")
    parser.add_argument("--profile", type=Path, help="write py-spy profiles here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scale-exports-") as scratch:
        work = args.keep or Path(scratch)
        results = {size: measure_size(size, args.seed, work, args.profile) for size in args.sizes}
    print("\nsummary")
    print(f"{'contacts':>10}{'first s':>9}{'rerun s':>9}{'peak MiB':>10}{'x smallest':>12}")
    smallest = results[min(results)]["first"]["total"]
    for size, runs in sorted(results.items()):
        peak = max(runs["first"]["peak_mib"], runs["rerun"]["peak_mib"])
        print(f"{size:>10,}{runs['first']['total']:>9.1f}{runs['rerun']['total']:>9.1f}"
              f"{peak:>10.0f}{runs['first']['total'] / smallest:>12.1f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
