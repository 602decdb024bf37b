"""What is in the exports folder now, month by month, as fingerprints a sensor can compare.

A file's content hash is recomputed only when its size or modification time changed, so a watch
every hour over years of exports reads only new files. A month's fingerprint covers its file names
and contents: touching a file without changing it requests nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

from hygiene_pipeline.ingest.month_exports import is_export_candidate

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
