"""A run killed with SIGKILL mid-write leaves the month as it was or fully replaced, never half.

Real run processes (`dagster asset materialize`) are killed at staggered moments while they replace
a month; after every kill the month is checked to be wholly the old or wholly the new version, in
every table the write touches, and a last run recovers with no manual cleanup.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parent.parent
HEADER = "Record ID,First Name,Last Name,Email,Phone Number,Country/Region\n"
FIRST_NAMES = ("Anouk", "Sven", "Hélène", "Jürgen", "Ελένη", "Siobhan", "Pieter", "Margaux")
LAST_NAMES = ("Visser", "de Vries", "Lefèvre", "Schäfer", "Γεωργίου", "O'Brien", "Peeters")


def _export(path: Path, rows: int, version: str) -> str:
    """A HubSpot export of `rows` invented contacts; returns its sha256 fingerprint."""
    lines = [HEADER]
    for i in range(rows):
        first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[i % len(LAST_NAMES)]
        lines.append(f"{100000 + i},{first},{last},{version}.{i}@kaasmakerij-vlasbloem.nl,"
                     f"06 {i % 90 + 10} {i % 9000 + 1000},Nederland\n")  # fmt: skip
    data = "".join(lines).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def _state(db: Path) -> tuple[int, str | None, int]:
    """(raw rows, export fingerprint, files rows) of October as stored, read-only."""
    with duckdb.connect(str(db), read_only=True) as con:
        raw = con.execute(
            "SELECT count(*) FROM raw_contacts WHERE snapshot = DATE '2026-10-01'"
        ).fetchone()[0]
        files = con.execute(
            "SELECT fingerprint, loaded_rows FROM export_files WHERE snapshot = DATE '2026-10-01'"
        ).fetchall()
    return raw, (files[0][0] if files else None), (files[0][1] if files else 0)


def _run(env: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "dagster", "asset", "materialize", "-m", "assets.definitions",
               "--select", "raw_contacts", "--partition", "2026-10-01"]  # fmt: skip
    return subprocess.Popen(
        command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip


def test_a_killed_run_leaves_the_month_old_or_new_and_the_next_run_recovers(tmp_path):
    env = {**os.environ, "HYGIENE_DATA_DIR": str(tmp_path), "HYGIENE_NAMESERVERS": "off",
           "DAGSTER_HOME": str(tmp_path / "dagster_home")}  # fmt: skip
    (tmp_path / "dagster_home").mkdir()
    export = tmp_path / "exports" / "2026-10" / "hubspot.csv"
    old = (_export(export, 120_000, "old"), 120_000)
    assert _run(env).wait(timeout=300) == 0
    assert _state(tmp_path / "hygiene.duckdb") == (old[1], old[0], old[1])

    new = (_export(export, 150_000, "new"), 150_000)
    outcomes = []
    for delay in (2.0, 2.6, 3.2, 3.8, 4.4, 5.0):
        process = _run(env)
        time.sleep(delay)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        raw, fingerprint, loaded = _state(tmp_path / "hygiene.duckdb")
        # The three tables of one write agree: wholly the old month or wholly the new one.
        assert (raw, fingerprint, loaded) in {(old[1], old[0], old[1]), (new[1], new[0], new[1])}
        outcomes.append("new" if fingerprint == new[0] else "old")
    assert _run(env).wait(timeout=300) == 0  # no manual cleanup needed
    assert _state(tmp_path / "hygiene.duckdb") == (new[1], new[0], new[1])
    print("states after each kill:", outcomes)
