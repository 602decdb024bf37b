"""DuckDB storage for the pipeline's tables: one table per stage, one snapshot per month.

Why our own store rather than a generic IO manager: a month must be replaced atomically (delete and
insert in one transaction, together with any side tables), an empty month must still leave a typed
table, and a table written by an older version must accept new columns by name.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_LOCK_HINT = re.compile(r"Conflicting lock is held in (?P<holder>.+?) \(PID (?P<pid>\d+)\)")
_BATCH_ROWS = 122_880  # DuckDB's row group size
# DuckDB scans a registered Arrow table through pyarrow's dataset layer (Acero), which checks
# buffer alignment and, by default, prints a warning on stderr per batch that fails it. Of
# polars' string views (_write_month) only one buffer does: the empty views buffer under a
# broadcast empty list (email_others). Copying such buffers is Acero's safe setting and costs
# nothing measurable; a setting of the user's own stands. Acero reads it once, when the
# process builds its first plan, so this must run before any Arrow scan (importing the store
# after one has no effect, and the warnings come back).
os.environ.setdefault("ACERO_ALIGNMENT_HANDLING", "reallocate")


@dataclass(frozen=True)
class PartitionRead:
    """What to read of one month of one table: only `columns` (None: all, in the table's order)
    and only the rows matching `where`, an SQL condition over the table's own columns with
    `params` bound as $2, $3, ... (the month is $1): a step reads what it uses, not a million
    rows it would drop. `where` is SQL written in the code, never text from a file or a user:
    values go in `params`."""

    table: str
    columns: Sequence[str] | None = None
    where: str = ""
    params: tuple[object, ...] = ()

    def __post_init__(self) -> None:  # a wrong read fails before the file is opened
        _check_identifier(self.table)
        if self.columns is not None and not self.columns:
            raise ValueError("columns must name at least one column (or be None for all)")

    def fetch(self, con: duckdb.DuckDBPyConnection, snapshot: date, path: Path) -> pl.DataFrame:
        if not _table_exists(con, self.table):
            raise LookupError(
                f"table {self.table} does not exist in {path}: materialize its asset first"
            )
        selected = (
            "*" if self.columns is None else ", ".join(quote_identifier(c) for c in self.columns)
        )
        condition = f" AND ({self.where})" if self.where else ""
        return con.execute(
            f"SELECT {selected} FROM {self.table} WHERE snapshot = $1{condition}",
            [snapshot, *self.params],
        ).pl()


_READERS = 2  # reads at once: enough to overlap the conversions beside DuckDB's own threads


def _fetch_on(
    cursors: list[duckdb.DuckDBPyConnection], read: PartitionRead, snapshot: date, path: Path
) -> pl.DataFrame:
    """`read` on a free cursor of `cursors` (one per worker thread, taken for the read)."""
    cursor = cursors.pop()
    try:
        return read.fetch(cursor, snapshot, path)
    finally:
        cursors.append(cursor)


class StoreLockedError(RuntimeError):
    """Another process holds DuckDB's single-writer lock for longer than we are willing to wait."""


def _owner_only(path: Path) -> None:
    """Contact data is personal: the database and its WAL are readable by their owner only."""
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)


def quote_identifier(name: str) -> str:
    """A column or table name as a DuckDB identifier, whatever characters an export gave it."""
    return '"' + name.replace('"', '""') + '"'


# Connections held open by `HygieneStore.session`, by database file: one per file per process.
_SESSIONS: dict[Path, duckdb.DuckDBPyConnection] = {}


class HygieneStore:
    """The pipeline's DuckDB file. Short-lived connections, so other runs and readers get a turn;
    within a `session` (one pipeline step), one connection for all the step's reads and writes."""

    def __init__(self, path: Path, *, lock_timeout_s: float = 120.0) -> None:
        self.path = Path(path)
        self.lock_timeout_s = lock_timeout_s

    @contextmanager
    def session(self) -> Iterator[None]:
        """Every read and write of this file in the block shares one read-write connection.

        A step reads and writes the file dozens of times; opening and closing the file each time
        cost about 10 ms a time (a second a month, more than some steps' work). The connection
        closes when the block ends, so the lock is released between steps as before. Nested
        sessions share the outer one.
        """
        key = self.path.resolve()
        if key in _SESSIONS:
            yield
            return
        with self._open(read_only=False) as con:
            _SESSIONS[key] = con
            try:
                yield
            finally:
                del _SESSIONS[key]

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """The session's connection, else the file opened for this block alone."""
        held = _SESSIONS.get(self.path.resolve())
        if held is not None:
            yield held
            return
        with self._open(read_only=read_only) as con:
            yield con

    @contextmanager
    def _open(self, *, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the file, waiting for a writer lock held elsewhere and explaining it if it lasts."""
        if read_only and not self.path.exists():
            raise FileNotFoundError(
                f"no pipeline database at {self.path}: materialize a month first"
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_timeout_s
        delay = 0.2
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=read_only)
                break
            except duckdb.IOException as error:
                if "lock" not in str(error).lower():
                    raise
                if time.monotonic() >= deadline:
                    raise StoreLockedError(_lock_message(self.path, str(error))) from None
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
        if not read_only:
            _owner_only(self.path)
        try:
            yield con
        finally:
            con.close()
            if not read_only:
                _owner_only(self.path.with_name(self.path.name + ".wal"))

    def replace_partition(
        self, snapshot: date, tables: Mapping[str, pl.DataFrame], *, purge: Purge | None = None
    ) -> dict[str, int]:
        """Replace `snapshot`'s rows in every given table in one transaction.

        A crash mid-way leaves the month as it was; a rerun replaces rather than appends. With
        `purge`, the named people are first deleted from every month of every table, in the same
        transaction; the rows purged per table are returned.
        """
        for name, frame in tables.items():
            _check_identifier(name)
            if "snapshot" not in frame.columns:
                raise ValueError(f"table {name} rows must carry a snapshot column")
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                purged = _purge(con, purge) if purge is not None else {}
                for name, frame in tables.items():
                    _write_month(con, name, snapshot, frame)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return purged

    def read_partition(
        self, table: str, snapshot: date, *, columns: Sequence[str] | None = None
    ) -> pl.DataFrame:
        """One month of one table in write order (DuckDB scans keep insertion order).

        `columns` reads only those, in that order (a wide table is much faster to read that
        way); None reads every column.
        """
        read = PartitionRead(table, columns)
        with self.connect(read_only=True) as con:
            return read.fetch(con, snapshot, self.path)

    def read_partitions(
        self, snapshot: date, reads: Mapping[str, PartitionRead]
    ) -> dict[str, pl.DataFrame]:
        """Several reads of one month (name -> read), two at a time on cursors of one
        connection: turning a result into a frame is mostly single-threaded, so on two cores the
        seven reads of a million-row month's CRM files take 1.2 s instead of 1.6 s one after the
        other. The first failing read is raised, and the reads not started are cancelled."""
        with self.connect(read_only=True) as con:
            cursors = [con.cursor() for _ in range(min(len(reads), _READERS))]
            pool = ThreadPoolExecutor(max_workers=len(cursors) or 1)
            try:
                futures = {
                    name: pool.submit(_fetch_on, cursors, read, snapshot, self.path)
                    for name, read in reads.items()
                }
                return {name: future.result() for name, future in futures.items()}
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
                for cursor in cursors:
                    cursor.close()

    def query(self, sql: str, params: list | None = None) -> pl.DataFrame:
        """A read-only query for summaries and reports."""
        with self.connect(read_only=True) as con:
            return con.execute(sql, params or []).pl()

    def columns(self, table: str) -> list[str]:
        """The table's columns in order; none when it does not exist yet."""
        _check_identifier(table)
        if not self.path.exists():
            return []
        with self.connect(read_only=True) as con:
            rows = con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "ORDER BY ordinal_position",
                [table],
            ).fetchall()
        return [row[0] for row in rows]

    def tables(self) -> list[str]:
        if not self.path.exists():
            return []
        with self.connect(read_only=True) as con:
            rows = con.execute(
                "SELECT table_name FROM information_schema.tables ORDER BY table_name"
            ).fetchall()
        return [row[0] for row in rows]

    def upsert(self, table: str, frame: pl.DataFrame, *, key: Sequence[str]) -> None:
        """Insert `frame` into a table that is not partitioned by month, replacing rows by `key`.

        For side tables that outlive a month (the DNS cache): one transaction with the same lock
        waiting as `replace_partition`, so a crash leaves the table as it was. The table is
        created from the frame on first use (an empty frame too) and widened by column name.
        """
        _check_identifier(table)
        if not key:
            raise ValueError("upsert needs at least one key column")
        for column in key:
            _check_identifier(column)
            if column not in frame.columns:
                raise ValueError(f"rows for table {table} lack the key column {column}")
        keys = frame.select(key)
        if keys.null_count().sum_horizontal().item():
            raise ValueError(f"rows for table {table} have a null in the key {list(key)}")
        if keys.is_duplicated().any():
            raise ValueError(f"rows for table {table} repeat a key {list(key)}")
        match = " AND ".join(
            f"{table}.{quote_identifier(c)} = incoming_rows.{quote_identifier(c)}" for c in key
        )
        with self.connect() as con:
            con.register("incoming_rows", _in_batches(frame))
            con.execute("BEGIN TRANSACTION")
            try:
                _create_or_widen(con, table)
                con.execute(f"DELETE FROM {table} USING incoming_rows WHERE {match}")
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming_rows")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            finally:
                con.unregister("incoming_rows")


@dataclass(frozen=True)
class Purge:
    """People to remove from every stored month (erasure): by record, and by text in raw lines."""

    contacts: pl.DataFrame  # snapshot, contact_id: every row of these records goes
    texts: tuple[str, ...] = ()  # lower-case strings whose raw_text rows go (rejected lines)
    domains: tuple[str, ...] = ()  # the people's own email domains: rows keyed by `domain` go
    keep_tables: tuple[str, ...] = ()  # registers that must survive the purge


def _purge(con: duckdb.DuckDBPyConnection, purge: Purge) -> dict[str, int]:
    columns: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
    ).fetchall():
        columns.setdefault(table, set()).add(column)
    con.register("purge_rows", _in_batches(purge.contacts.select("snapshot", "contact_id")))
    purged: dict[str, int] = {}
    try:
        for table in sorted(columns):
            if table in purge.keep_tables:
                continue
            count = 0
            if {"snapshot", "contact_id"} <= columns[table] and purge.contacts.height:
                count += con.execute(
                    f"DELETE FROM {quote_identifier(table)} AS t USING purge_rows AS p "
                    "WHERE t.snapshot = p.snapshot AND t.contact_id = p.contact_id"
                ).fetchone()[0]
            if "domain" in columns[table] and purge.domains:
                count += con.execute(
                    f"DELETE FROM {quote_identifier(table)} WHERE list_contains(?, domain)",
                    [list(purge.domains)],
                ).fetchone()[0]
            if "raw_text" in columns[table]:
                for text in purge.texts:
                    count += con.execute(
                        f"DELETE FROM {quote_identifier(table)} WHERE contains(lower(raw_text), ?)",
                        [text],
                    ).fetchone()[0]
            if count:
                purged[table] = count
    finally:
        con.unregister("purge_rows")
    return purged


def _write_month(
    con: duckdb.DuckDBPyConnection, name: str, snapshot: date, frame: pl.DataFrame
) -> None:
    """Delete the month, then insert by column name, widening the table with any new column."""
    if frame.height and frame.get_column("snapshot").drop_nulls().unique().to_list() != [snapshot]:
        raise ValueError(f"rows for table {name} carry a snapshot other than {snapshot}")
    con.register("incoming_rows", _in_batches(frame, string_views=True))  # scanned, not filtered
    try:
        _create_or_widen(con, name)
        con.execute(f"DELETE FROM {name} WHERE snapshot = ?", [snapshot])
        con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM incoming_rows")
    finally:
        con.unregister("incoming_rows")


def _in_batches(frame: pl.DataFrame, *, string_views: bool = False) -> pa.Table:
    """The frame as Arrow in row-group-sized batches: DuckDB scans batches in parallel, and a
    single-batch table made a million-row insert twice as slow on two cores.

    With `string_views`, strings go as polars holds them, without a copy (offsets copy every
    string: a second and 500 MB for a million contacts). Only for a plain scan: pyarrow has no
    comparison or `is_in` kernels for views, and DuckDB may push a join's keys into its scan
    of the rows (an upsert's DELETE ... USING did, and failed).
    """
    level = pl.CompatLevel.newest() if string_views else pl.CompatLevel.oldest()
    table = frame.to_arrow(compat_level=level)
    return pa.Table.from_batches(table.to_batches(max_chunksize=_BATCH_ROWS), schema=table.schema)


def _create_or_widen(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Create `name` shaped like the registered incoming_rows, or add the columns it lacks."""
    if not _table_exists(con, name):
        # LIMIT 0 over the rows, never an empty Arrow source: in DuckDB 1.5.6, rows from an
        # empty Arrow source (CREATE TABLE AS or INSERT), then a row group or more of rows into
        # the same table in the same transaction, hides the larger insert from this process
        # until the file is reopened (a step's checks count none; a DELETE misses them). So
        # the month's rows go into each table in one INSERT per transaction.
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming_rows LIMIT 0")
        return
    existing = {
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [name]
        ).fetchall()
    }
    for column, column_type in con.execute(
        "SELECT column_name, column_type FROM (DESCRIBE incoming_rows)"
    ).fetchall():
        if column not in existing:
            con.execute(f"ALTER TABLE {name} ADD COLUMN {quote_identifier(column)} {column_type}")


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        ).fetchone()[0]
    )


def _check_identifier(name: str) -> None:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a valid table name: {name!r}")


def _lock_message(path: Path, error: str) -> str:
    match = _LOCK_HINT.search(error)
    holder = ""
    if match:
        holder = f" by {match.group('holder')} (PID {match.group('pid')})"
    return (
        f"the pipeline database {path} is locked{holder}. DuckDB allows one writer at a time: "
        "close any notebook, DuckDB CLI or BI tool that has the file open (or open it with "
        "read_only=True while runs are going), then rerun this month."
    )
