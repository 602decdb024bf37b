"""The DuckDB store: months replaced atomically, empty months readable, new columns accepted."""

from __future__ import annotations

import contextlib
import datetime
import os
import subprocess
import sys
from datetime import date

import duckdb
import polars as pl
import pytest

from hygiene_pipeline import schema
from hygiene_pipeline.store import HygieneStore, PartitionRead, StoreLockedError

AUG, SEP = date(2026, 8, 1), date(2026, 9, 1)


def _prune_rows(snapshot: date, ids: list[str]) -> pl.DataFrame:
    return schema.conform(
        pl.DataFrame(
            {
                "snapshot": [snapshot] * len(ids),
                "contact_id": ids,
                "action": ["delete"] * len(ids),
                "reasons": [["unsubscribed"]] * len(ids),
                "merge_into": [None] * len(ids),
            }
        ),
        schema.PRUNE_LIST,
    )


def test_rerun_replaces_the_month_and_leaves_other_months(tmp_path):
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    store.replace_partition(AUG, {"prune_list": _prune_rows(AUG, ["1", "2"])})
    store.replace_partition(SEP, {"prune_list": _prune_rows(SEP, ["3"])})
    store.replace_partition(AUG, {"prune_list": _prune_rows(AUG, ["1", "2", "4"])})
    store.replace_partition(AUG, {"prune_list": _prune_rows(AUG, ["1", "2", "4"])})
    assert store.read_partition("prune_list", AUG)["contact_id"].to_list() == ["1", "2", "4"]
    assert store.read_partition("prune_list", SEP)["contact_id"].to_list() == ["3"]


def test_empty_month_leaves_a_typed_readable_table(tmp_path):
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    store.replace_partition(AUG, {"prune_list": schema.empty(schema.PRUNE_LIST)})
    month = store.read_partition("prune_list", AUG)
    assert month.height == 0
    assert month.schema == pl.Schema(schema.PRUNE_LIST)


def test_empty_month_replaces_an_earlier_non_empty_run(tmp_path):
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    store.replace_partition(AUG, {"prune_list": _prune_rows(AUG, ["1"])})
    store.replace_partition(AUG, {"prune_list": schema.empty(schema.PRUNE_LIST)})
    assert store.read_partition("prune_list", AUG).height == 0


def test_a_new_column_is_added_to_a_table_written_by_an_older_layout(tmp_path):
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    store.replace_partition(AUG, {"prune_list": _prune_rows(AUG, ["1"])})
    wider = _prune_rows(SEP, ["2"]).with_columns(pl.lit("hubspot").alias("source_system"))
    store.replace_partition(SEP, {"prune_list": wider})
    assert store.read_partition("prune_list", AUG)["source_system"].to_list() == [None]
    assert store.read_partition("prune_list", SEP)["source_system"].to_list() == ["hubspot"]


def test_a_failing_table_rolls_back_every_table_of_the_month(tmp_path):
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    store.replace_partition(AUG, {"prune_list": _prune_rows(AUG, ["1"])})
    wrong_month = _prune_rows(SEP, ["9"])
    with pytest.raises(ValueError, match="snapshot other than"):
        store.replace_partition(
            AUG, {"prune_list": _prune_rows(AUG, ["5", "6"]), "other_table": wrong_month}
        )
    assert store.read_partition("prune_list", AUG)["contact_id"].to_list() == ["1"]
    assert "other_table" not in store.tables()


def test_reading_a_table_never_written_says_which_asset_to_materialize(tmp_path):
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    store.replace_partition(AUG, {"prune_list": _prune_rows(AUG, ["1"])})
    with pytest.raises(LookupError, match="validation_results does not exist"):
        store.read_partition("validation_results", AUG)


def test_reading_chosen_columns_keeps_their_order_and_the_write_order(tmp_path):
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    store.replace_partition(AUG, {"prune_list": _prune_rows(AUG, ["3", "1", "2"])})
    store.replace_partition(SEP, {"prune_list": _prune_rows(SEP, ["9"])})
    full = store.read_partition("prune_list", AUG)
    some = store.read_partition("prune_list", AUG, columns=["reasons", "contact_id"])
    assert some.columns == ["reasons", "contact_id"]
    assert some.equals(full.select("reasons", "contact_id"))
    assert some["contact_id"].to_list() == ["3", "1", "2"]
    with pytest.raises(ValueError, match="at least one column"):
        store.read_partition("prune_list", AUG, columns=[])
    with pytest.raises(duckdb.BinderException):
        store.read_partition("prune_list", AUG, columns=["no_such_column"])


@pytest.mark.parametrize("in_session", [False, True])
def test_a_new_table_of_several_row_groups_reads_back_in_write_order(tmp_path, in_session):
    """In a session the same connection reads what it wrote: creating the table from an empty
    Arrow source instead of LIMIT 0 made DuckDB 1.5.6 hide these rows until the file was
    reopened, and a step's checks counted none (see `_create_or_widen`)."""
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    ids = [f"{(i * 7919) % 300_007:06d}" for i in range(300_000)]  # 3 row groups, not sorted
    rows = _prune_rows(AUG, ids)
    with store.session() if in_session else contextlib.nullcontext():
        store.replace_partition(AUG, {"prune_list": rows, "job_changes": _prune_rows(AUG, [])})
        assert store.read_partition("prune_list", AUG).equals(rows)


_WRITE_POLARS_STRINGS = """
import sys
from datetime import date
from pathlib import Path

import polars as pl

from hygiene_pipeline.store import HygieneStore

month = date(2026, 8, 1)
# A broadcast empty-list literal: polars gives its string child a zero-size buffer at a
# dangling address, which pyarrow's dataset layer (DuckDB's scan of the Arrow rows) checks.
rows = pl.DataFrame(
    {"snapshot": [month] * 4, "email": ["zoë@voorbeeld.nl", None, "émile.dubois@exemple.fr", ""]}
).with_columns(pl.lit([], dtype=pl.List(pl.String)).alias("email_others"))
store = HygieneStore(Path(sys.argv[1]))
store.replace_partition(month, {"normalized_contacts": rows})
assert store.read_partition("normalized_contacts", month).equals(rows)
print("ok")
"""


def test_writing_polars_strings_prints_no_arrow_alignment_warning(tmp_path):
    """Frames go to DuckDB as string views without a copy; their buffers are not always
    aligned as pyarrow's dataset layer wants, and a warning on every step's stderr would bury
    the messages a user must read."""
    ran = subprocess.run(
        [sys.executable, "-c", _WRITE_POLARS_STRINGS, str(tmp_path / "hygiene.duckdb")],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "ACERO_ALIGNMENT_HANDLING"},
        check=False,
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stdout.strip() == "ok"
    assert "aligned" not in ran.stderr, ran.stderr[-2000:]


@pytest.mark.parametrize("in_session", [False, True])
def test_several_reads_at_once_give_what_each_read_alone_gives(tmp_path, in_session):
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    ids = [f"{n:05d}" for n in range(2_000, 0, -1)]  # written out of order, read in write order
    store.replace_partition(AUG, {"prune_list": _prune_rows(AUG, ids)})
    store.replace_partition(SEP, {"prune_list": _prune_rows(SEP, ["9"])})
    reads = {
        "all": PartitionRead("prune_list"),
        "ids": PartitionRead("prune_list", ["contact_id"]),
        "some": PartitionRead("prune_list", ["reasons", "contact_id"],
                              "contact_id < $2 OR list_contains($3, contact_id)",
                              ("00003", ["01500"])),
        "again": PartitionRead("prune_list", ["contact_id"]),
    }  # fmt: skip
    with store.session() if in_session else contextlib.nullcontext():
        read = store.read_partitions(AUG, reads)
    assert read["all"].equals(store.read_partition("prune_list", AUG))
    assert read["ids"]["contact_id"].to_list() == ids
    assert read["again"].equals(read["ids"])
    assert read["some"].columns == ["reasons", "contact_id"]
    assert read["some"]["contact_id"].to_list() == ["01500", "00002", "00001"]
    with pytest.raises(LookupError, match="validation_results does not exist"):
        store.read_partitions(AUG, {**reads, "missing": PartitionRead("validation_results")})


def test_columns_lists_a_table_in_order_and_nothing_for_a_missing_table(tmp_path):
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    assert store.columns("prune_list") == []  # no database file yet
    store.replace_partition(AUG, {"prune_list": _prune_rows(AUG, ["1"])})
    assert store.columns("prune_list") == list(schema.PRUNE_LIST)
    assert store.columns("duplicate_clusters") == []


@pytest.mark.parametrize("holder_mode", ["read_only=False", "read_only=True"])
def test_a_lock_held_by_another_process_gives_an_actionable_message(tmp_path, holder_mode):
    """A run, or an analyst's notebook holding the file even read-only, blocks the writer."""
    path = tmp_path / "hygiene.duckdb"
    HygieneStore(path).replace_partition(AUG, {"prune_list": _prune_rows(AUG, ["1"])})
    # DuckDB locks per process; a second process is the only way to hold the lock for real.
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], " + holder_mode + ");"
            " print('held', flush=True); time.sleep(30)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        store = HygieneStore(path, lock_timeout_s=1.0)
        with pytest.raises(StoreLockedError, match=r"locked.*close any notebook") as error:
            store.replace_partition(AUG, {"prune_list": _prune_rows(AUG, ["2"])})
        assert str(holder.pid) in str(error.value)
    finally:
        holder.kill()
        holder.wait()
    assert duckdb.connect(str(path), read_only=True).execute(
        "SELECT count(*) FROM prune_list"
    ).fetchone() == (1,)


# --- upsert: side tables that are not partitioned by month (the DNS cache) -------------------


def _cache_rows(domains: list[str], status: str) -> pl.DataFrame:
    return pl.DataFrame(
        {"domain": domains, "status": [status] * len(domains)},
        schema={"domain": pl.String(), "status": pl.String()},
    )


def test_upsert_creates_the_table_then_replaces_rows_by_key(tmp_path):
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    store.upsert("side_table", _cache_rows([], "x"), key=["domain"])
    assert store.query("SELECT * FROM side_table").columns == ["domain", "status"]
    store.upsert("side_table", _cache_rows(["a.nl", "b.nl"], "old"), key=["domain"])
    store.upsert("side_table", _cache_rows(["b.nl", "c.nl"], "new"), key=["domain"])
    rows = store.query("SELECT domain, status FROM side_table ORDER BY domain").rows()
    assert rows == [("a.nl", "old"), ("b.nl", "new"), ("c.nl", "new")]


def test_upsert_replaces_rows_keyed_by_long_texts(tmp_path):
    """DuckDB may push the DELETE ... USING join's keys into its scan of the incoming rows
    (here it does: the DNS cache's shape, renewed a week later), and pyarrow has no kernels to
    filter string views, so the upsert must hand DuckDB plain strings."""
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    domains = ["kaasmakerij-vlasbloem.nl", "bestaat-niet-bakkerij.nl"]
    checked = datetime.datetime(2026, 10, 31, 12)

    def cache(status: str, at: datetime.datetime) -> pl.DataFrame:
        return pl.DataFrame(
            {"domain": domains, "status": status, "detail": None, "checked_at": at,
             "expires_at": at + datetime.timedelta(days=7), "resolver": "127.0.0.1"},
            schema={"domain": pl.String, "status": pl.String, "detail": pl.String,
                    "checked_at": pl.Datetime("us"), "expires_at": pl.Datetime("us"),
                    "resolver": pl.String},
        )  # fmt: skip

    store.upsert("side_table", cache("old", checked), key=["domain"])
    store.upsert("side_table", cache("new", checked + datetime.timedelta(days=8)), key=["domain"])
    rows = store.query("SELECT domain, status FROM side_table ORDER BY domain").rows()
    assert rows == [(domain, "new") for domain in sorted(domains)]


def test_upsert_widens_the_table_by_column_name(tmp_path):
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    store.upsert("side_table", _cache_rows(["a.nl"], "old"), key=["domain"])
    wider = pl.DataFrame({"resolver": ["127.0.0.1:53"], "domain": ["b.nl"], "status": ["new"]})
    store.upsert("side_table", wider, key=["domain"])
    rows = store.query("SELECT domain, status, resolver FROM side_table ORDER BY domain").rows()
    assert rows == [("a.nl", "old", None), ("b.nl", "new", "127.0.0.1:53")]


def test_a_failing_upsert_leaves_the_table_as_it_was(tmp_path):
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    store.upsert("side_table", pl.DataFrame({"domain": ["a.nl"], "n": [1]}), key=["domain"])
    # The delete of a.nl succeeds inside the transaction; the insert then fails on the type.
    with pytest.raises(duckdb.ConversionException):
        store.upsert("side_table", pl.DataFrame({"domain": ["a.nl"], "n": ["x"]}), key=["domain"])
    assert store.query("SELECT domain, n FROM side_table").rows() == [("a.nl", 1)]


@pytest.mark.parametrize(
    ("frame", "key", "message"),
    [
        (_cache_rows(["a.nl", "a.nl"], "x"), ["domain"], "repeat a key"),
        (pl.DataFrame({"domain": [None], "status": ["x"]}), ["domain"], "null in the key"),
        (_cache_rows(["a.nl"], "x"), ["name"], "lack the key column name"),
        (_cache_rows(["a.nl"], "x"), [], "at least one key column"),
    ],
)
def test_upsert_refuses_ambiguous_rows(tmp_path, frame, key, message):
    store = HygieneStore(tmp_path / "hygiene.duckdb")
    with pytest.raises(ValueError, match=message):
        store.upsert("side_table", frame, key=key)
    assert store.tables() == []
