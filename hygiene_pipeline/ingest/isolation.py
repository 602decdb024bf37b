"""Parse one export in a child process with an address-space and CPU-time limit.

The limits in `limits.py` are checked before the expensive work, but a bomb nobody foresaw (a
workbook whose zip directory lies, a parser's worst case) must not take the run down: the kernel
would kill the largest process on the machine, maybe the Dagster webserver or daemon. So the
parse runs in a child Python process (`main` below), limited with `resource.setrlimit`,
and whatever kills it becomes a refusal of that one file: "the file needed more than N GiB".

The child hands the parsed file back as an Arrow IPC file of its rows (a million rows in under a
second; a pickle of the frame took twelve) and a pickle of the rest; the reader's lazy
`record_texts` (the text of a record rejected later, for a repeated record id)
cannot cross processes, so the parent reads the file again for those, rarely, once proven
harmless.
"""

from __future__ import annotations

import pickle
import resource
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from hygiene_pipeline.ingest.export_table import ExportError
from hygiene_pipeline.ingest.formats import CrmFormat
from hygiene_pipeline.ingest.limits import IngestLimits

if TYPE_CHECKING:
    from hygiene_pipeline.ingest.month_exports import _FileRead

_GIB = 1024**3
# Imported, not run as __main__, so what it pickles names this module.
_CHILD = (
    "import sys; from hygiene_pipeline.ingest.isolation import main; sys.exit(main(sys.argv[1:]))"
)
_OK, _REFUSED, _MEMORY, _FAILED = "ok", "refused", "memory", "failed"


class ParserLimitError(ExportError):
    """The child process parsing a file ran out of memory or CPU time, or crashed."""


def read_isolated(
    path: Path,
    mappings: Sequence[CrmFormat],
    limits: IngestLimits,
    *,
    record_id_optional: bool = False,
) -> _FileRead:
    """`month_exports.read_export` of one file, in a child process under the limits."""
    with tempfile.TemporaryDirectory(prefix="hygiene-parse-") as folder:
        job, out = Path(folder) / "job.pickle", Path(folder) / "result.pickle"
        rows = Path(folder) / "rows.arrow"
        job.write_bytes(pickle.dumps((str(path), list(mappings), limits, record_id_optional)))
        try:
            finished = subprocess.run(
                [sys.executable, "-c", _CHILD, str(job), str(out)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,  # kept for the exception's type only: never logged
                timeout=limits.max_cpu_seconds * 2 + 60,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise ParserLimitError(_cpu_message(path.name, limits)) from None
        status, value = _outcome(finished, out)
        if status == _OK:
            value.rows = pl.read_ipc(rows).rechunk()  # read before the folder goes
    if status == _OK:
        return _with_record_texts(value, path, mappings, limits, record_id_optional)
    if status == _REFUSED:
        raise ExportError(value)
    if status == _MEMORY:
        raise ParserLimitError(_memory_message(path.name, limits))
    if status == "cpu":
        raise ParserLimitError(_cpu_message(path.name, limits))
    raise ParserLimitError(
        f"{path.name}: the parser failed on this file ({value}). The file is damaged or is no "
        "export: export the contacts again, as CSV if it is a workbook."
    )


def _outcome(finished: subprocess.CompletedProcess, out: Path) -> tuple[str, Any]:
    if finished.returncode == 0 and out.exists():
        return pickle.loads(out.read_bytes())
    killed_by = -finished.returncode if finished.returncode < 0 else None
    if killed_by in (signal.SIGXCPU, signal.SIGKILL):
        return "cpu", None
    if killed_by in (signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS) or b"MemoryError" in (
        finished.stderr or b""
    ):
        # Rust aborts when an allocation fails under the address-space limit.
        return _MEMORY, None
    return _FAILED, f"exit status {finished.returncode}"


def _with_record_texts(
    read: _FileRead,
    path: Path,
    mappings: Sequence[CrmFormat],
    limits: IngestLimits,
    record_id_optional: bool,
) -> _FileRead:
    """Give the parsed table back its record_texts: read the file again here, only if asked."""

    def record_texts(indices: Iterable[int]) -> dict[int, tuple[int, str]]:
        from hygiene_pipeline.ingest.month_exports import read_export

        again = read_export(path, mappings, limits, record_id_optional=record_id_optional)
        return again.table.record_texts(indices)

    read.table = replace(read.table, record_texts=record_texts)
    return read


def _memory_message(name: str, limits: IngestLimits) -> str:
    return (
        f"{name}: the file needed more than {limits.max_memory_gib:g} GiB of memory to parse "
        f"(max_memory_gib), so it was stopped; the month's other files load. A file that small "
        "needing that much is built to attack the parser; if it is a real export, save it as "
        "CSV or raise max_memory_gib in ingest_limits.yaml."
    )


def _cpu_message(name: str, limits: IngestLimits) -> str:
    return (
        f"{name}: parsing the file took more than {limits.max_cpu_seconds:,} s of CPU time "
        "(max_cpu_seconds), so it was stopped; the month's other files load. Split the export, "
        "save it as CSV, or raise max_cpu_seconds in ingest_limits.yaml."
    )


def _limit_resources(limits: IngestLimits) -> None:
    memory = int(limits.max_memory_gib * _GIB)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = limits.max_cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))  # SIGXCPU, then SIGKILL


def main(argv: Sequence[str]) -> int:
    """The child: parse the file named in the job, write (status, value) to the result path and
    the parsed rows beside it."""
    job, out = Path(argv[0]), Path(argv[1])
    path, mappings, limits, record_id_optional = pickle.loads(job.read_bytes())
    _limit_resources(limits)
    from hygiene_pipeline.ingest.month_exports import FILE_REFUSALS, read_export

    try:
        read = read_export(Path(path), mappings, limits, record_id_optional=record_id_optional)
        read.rows.write_ipc(out.with_name("rows.arrow"), compression="lz4")
        result: tuple[str, Any] = (_OK, _portable(read))
    except FILE_REFUSALS as error:
        result = (_REFUSED, str(error))
    except MemoryError:
        result = (_MEMORY, None)
    except Exception as error:  # a parser's own failure: its type, never its text (values)
        result = (_FAILED, type(error).__name__)
    out.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return 0


def _portable(read: _FileRead) -> _FileRead:
    """What the parent needs besides the rows: the frames travel as Arrow, the lazy
    record_texts cannot be pickled at all."""
    empty = read.rows.head(0)
    read.rows = empty
    read.table = replace(read.table, rows=empty, record_texts=_no_texts)
    return read


def _no_texts(indices: Iterable[int]) -> dict[int, tuple[int, str]]:
    raise ExportError("record texts are read in the parent process")
