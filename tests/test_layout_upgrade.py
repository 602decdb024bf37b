"""A hygiene.duckdb written by an older version keeps working after the tables grow columns.

tests/fixtures/hygiene-layout-e1c8895.duckdb.gz was written by the pipeline at commit e1c8895
(September 2026 of a 50-person sample, seed 404, network checks off). The current pipeline must run
the next month on it, read its earlier months, and widen its tables in place, old rows keeping
null in columns they never had.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from assets.definitions import defs
from assets.resources import HygieneResource
from hygiene_pipeline import schema
from hygiene_pipeline.sample_exports import write_sample_exports

FIXTURE = Path(__file__).parent / "fixtures" / "hygiene-layout-e1c8895.duckdb.gz"
FIXTURE_KEY = "layout-fixture-key-123456"  # the key the fixture's suppression hashes were made with


def _columns(db: Path, table: str) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]


def test_the_current_pipeline_runs_on_a_database_from_the_previous_layout(tmp_path, monkeypatch):
    monkeypatch.setenv("HYGIENE_SUPPRESSION_KEY", FIXTURE_KEY)
    db = tmp_path / "hygiene.duckdb"
    with gzip.open(FIXTURE) as packed, db.open("wb") as unpacked:
        shutil.copyfileobj(packed, unpacked)
    old_normalized = _columns(db, "normalized_contacts")
    write_sample_exports(tmp_path / "exports", ["2026-09", "2026-10"], people=50, seed=404)

    result = dg.materialize(
        list(defs.assets or []),
        partition_key="2026-10-01",
        resources={"hygiene": HygieneResource(data_dir=str(tmp_path), nameservers="off")},
    )
    assert result.success

    with duckdb.connect(str(db), read_only=True) as con:
        months = con.execute(
            "SELECT snapshot, count(*) FROM normalized_contacts GROUP BY 1 ORDER BY 1"
        ).fetchall()
        assert [str(month) for month, _ in months] == ["2026-09-01", "2026-10-01"]
        # October's prune list read September's old-layout list: its re_engage became delete.
        expired = con.execute(
            "SELECT count(*) FROM prune_list WHERE snapshot = DATE '2026-10-01' AND list_contains("
            "list_transform(reasons, r -> split_part(r, ':', 1)), 're_engage_expired')"
        ).fetchone()[0]
        september_re_engage = con.execute(
            "SELECT count(*) FROM prune_list WHERE snapshot = DATE '2026-09-01' "
            "AND action = 're_engage'"
        ).fetchone()[0]
    assert september_re_engage == 4  # as the fixture was written
    assert expired >= 1
    added = [c for c in schema.NORMALIZED_CONTACTS if c not in old_normalized]
    now = _columns(db, "normalized_contacts")
    assert set(old_normalized) <= set(now) and set(added) <= set(now)
    for column in added:
        with duckdb.connect(str(db), read_only=True) as con:
            old_values = con.execute(
                f'SELECT count("{column}") FROM normalized_contacts '
                "WHERE snapshot = DATE '2026-09-01'"
            ).fetchone()[0]
        assert old_values == 0, column  # old rows: null in columns they never had


def test_the_fixture_is_really_the_older_layout():
    """Guards the test above from silently testing nothing new once the fixture ages."""
    if not FIXTURE.exists():
        pytest.fail(f"missing fixture {FIXTURE}")
    with gzip.open(FIXTURE) as packed:
        assert packed.read(16)[8:12] == b"DUCK"  # a DuckDB database file
