"""Rename, reorder or drop any one column of any fixture: never a protected contact deleted.

For every fixture in tests/fixtures/exports/ and every one of its columns, the file is written
again without that column, and with that column renamed to a header nobody knows; once more with
its columns reversed. Each variant goes through the engine (read, normalize, validate with DNS
off, dedupe, prune). The outcome must be one of: the file is refused with a message, or the prune
list deletes and re-engages no contact that the untouched file says is a customer, evangelist or
opportunity. A silently missing column must never turn into a wrong action.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml

from hygiene_pipeline.ingest.export_table import ExportError
from hygiene_pipeline.ingest.formats import UnknownExportFormatError
from hygiene_pipeline.ingest.month_exports import RECORD_INDEX, read_export
from tests.engine_month import acted_on_protected, run_month

FIXTURES = Path(__file__).parent / "fixtures" / "exports"
EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))
REFUSALS = (ExportError, UnknownExportFormatError)


def _table(name: str) -> pl.DataFrame:
    """The fixture's records as text columns, as the reader parsed them."""
    return read_export(FIXTURES / name).table.rows.drop(RECORD_INDEX)


def _variants(table: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    variants = [("reversed", table.select(table.columns[::-1]))]
    for position, column in enumerate(table.columns):
        variants.append((f"drop {column!r}", table.drop(column)))
        renamed = table.rename({column: f"Kolom {position + 1}"})
        variants.append((f"rename {column!r}", renamed))
    return variants


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_one_column_change_deletes_a_protected_contact(tmp_path: Path, name: str):
    protected = set(EXPECTED[name]["protected_ids"])
    outcomes: dict[str, int] = {"refused": 0, "read": 0}
    problems = []
    for number, (change, frame) in enumerate(_variants(_table(name))):
        exports = tmp_path / str(number) / "exports"
        month = exports / "2026-10"
        month.mkdir(parents=True)
        frame.write_csv(month / f"{Path(name).stem}.csv")
        try:
            result = run_month(exports)
        except REFUSALS as error:
            outcomes["refused"] += 1
            assert f"{Path(name).stem}.csv" in str(error), (change, str(error))
            continue
        outcomes["read"] += 1
        acted = acted_on_protected(result, protected)
        if acted:
            problems.append(f"{change}: {acted}")
    assert problems == [], f"{name}: protected contacts deleted or re-engaged: {problems}"
    assert outcomes["read"] > 0
