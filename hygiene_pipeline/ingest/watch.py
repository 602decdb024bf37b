"""What is in the exports folder now, month by month, as fingerprints a sensor can compare.

A file's content hash is recomputed only when its size or modification time changed, so a watch
every hour over years of exports reads only new files. A month's fingerprint covers its file names
and contents: touching a file without changing it requests nothing.

What was seen is one memory (the sensor's cursor); what was materialized is another, the
`export_files` table. A month whose files are byte for byte the ones export_files recorded for it
is not new, whatever the cursor says: a sensor started after `run-sample.sh` (empty cursor) must
not run every month again. When the database cannot tell (no file or table yet, a writer holding
DuckDB's lock), the cursor alone decides.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from hygiene_pipeline.ingest.month_exports import is_export_candidate
from hygiene_pipeline.months import parse_snapshot
from hygiene_pipeline.store import HygieneStore, StoreLockedError

MONTH_FOLDER = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

# month -> {"fingerprint": str, "files": {file name: [size, mtime_ns, sha256]}}
MonthStates = dict[str, dict]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def scan_exports(exports_dir: Path, known: Mapping[str, dict]) -> tuple[MonthStates, list[str]]:
    """(state of every month folder holding files, names of folders that are not YYYY-MM)."""
    exports_dir = Path(exports_dir)
    states: MonthStates = {}
    odd: list[str] = []
    if not exports_dir.is_dir():
        return states, odd
    for folder in sorted(path for path in exports_dir.iterdir() if path.is_dir()):
        if not MONTH_FOLDER.match(folder.name):
            if not folder.name.startswith("."):
                odd.append(folder.name)
            continue
        before = known.get(folder.name, {}).get("files", {})
        files: dict[str, list] = {}
        for path in sorted(p for p in folder.iterdir() if is_export_candidate(p)):
            stat = path.stat()
            previous = before.get(path.name)
            if previous and previous[0] == stat.st_size and previous[1] == stat.st_mtime_ns:
                files[path.name] = list(previous)
            else:
                files[path.name] = [stat.st_size, stat.st_mtime_ns, file_sha256(path)]
        if files:
            states[folder.name] = {"fingerprint": month_fingerprint(files), "files": files}
    return states, odd


def month_fingerprint(files: Mapping[str, list]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\0{files[name][2]}\n".encode())
    return digest.hexdigest()


# file name -> sha256 as export_files stored it; None for a file refused before it was read.
StoredFiles = dict[str, str | None]


@dataclass(frozen=True)
class StoredExports:
    """What export_files holds per month ("YYYY-MM"), or why the database could not tell."""

    months: dict[str, StoredFiles] = field(default_factory=dict)
    unknown: str | None = None  # set when the database could not be read: trust the cursor


def stored_export_files(store: HygieneStore, months: Iterable[str]) -> StoredExports:
    """The files export_files recorded for `months`, read over one read-only connection.

    Never raises for a database that is absent, has no export_files table yet, is locked by a
    writer (a run in progress) or cannot be opened: the answer is then "unknown", with why.
    """
    wanted = sorted({parse_snapshot(month) for month in months})
    if not wanted:
        return StoredExports()
    try:
        with store.connect(read_only=True) as con:
            exists = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'export_files'"
            ).fetchone()[0]
            if not exists:
                return StoredExports(unknown="the database has no export_files table yet")
            rows = con.execute(
                "SELECT snapshot, source_file, fingerprint FROM export_files "
                "WHERE list_contains(?, snapshot)",
                [wanted],
            ).fetchall()
    except FileNotFoundError:
        return StoredExports(unknown="no pipeline database yet")
    except StoreLockedError:
        return StoredExports(unknown="the database is locked by a writer (a run in progress?)")
    except duckdb.Error as error:
        return StoredExports(unknown=f"the database could not be read ({type(error).__name__})")
    found: dict[str, StoredFiles] = {}
    for snapshot, name, fingerprint in rows:
        found.setdefault(f"{snapshot:%Y-%m}", {})[name] = fingerprint
    return StoredExports(months=found)


def matches_stored(state: Mapping, stored: StoredFiles | None) -> bool:
    """True when the folder holds exactly the files export_files recorded, same names and sha256.

    A stored file without a fingerprint (refused unread) cannot be compared, so it never
    matches: a refused file fixed in place must still start a run.
    """
    if not stored:
        return False
    current = {name: entry[2] for name, entry in state["files"].items()}
    return current.keys() == stored.keys() and all(
        stored[name] is not None and stored[name] == sha for name, sha in current.items()
    )


@dataclass(frozen=True)
class MonthsToRun:
    """The sensor's answer: months to run, months found already materialized, and any doubt."""

    run: list[str]
    already_stored: list[str]
    unknown: str | None = None  # why the database could not be asked (the cursor decided)


def months_to_run(
    states: MonthStates, known: Mapping[str, dict], store: HygieneStore
) -> MonthsToRun:
    """Months whose files differ from the cursor (`known`) and from export_files.

    The cursor is asked first (no database access when nothing changed); the database only for
    the months the cursor does not know or saw with other files.
    """
    differ = sorted(
        month
        for month, state in states.items()
        if known.get(month, {}).get("fingerprint") != state["fingerprint"]
    )
    if not differ:
        return MonthsToRun(run=[], already_stored=[])
    stored = stored_export_files(store, differ)
    run, already = [], []
    for month in differ:
        if matches_stored(states[month], stored.months.get(month)):
            already.append(month)
        else:
            run.append(month)
    return MonthsToRun(run=run, already_stored=already, unknown=stored.unknown)
