"""Nothing lost: per file, rows in raw_contacts plus rows in rejected_rows equal its data lines.

Read back from DuckDB after the write, so the check covers everything between reading a file and
committing the month (the fast reader, duplicate handling, concatenation, the store).
"""

from __future__ import annotations

from datetime import date

import polars as pl

from hygiene_pipeline.store import HygieneStore

_PER_FILE = """
WITH files AS (
    SELECT source_file, data_lines FROM export_files
    WHERE snapshot = ? AND coalesce(status, 'loaded') = 'loaded'
), loaded AS (
    SELECT source_file, count(*) AS raw_rows FROM raw_contacts
    WHERE snapshot = ? GROUP BY source_file
), rejected AS (
    SELECT source_file, count(*) AS rejected_rows FROM rejected_rows
    WHERE snapshot = ? GROUP BY source_file
)
SELECT
    coalesce(files.source_file, loaded.source_file, rejected.source_file) AS source_file,
    files.data_lines,
    coalesce(loaded.raw_rows, 0) AS raw_rows,
    coalesce(rejected.rejected_rows, 0) AS rejected_rows
FROM files
FULL OUTER JOIN loaded USING (source_file)
FULL OUTER JOIN rejected USING (source_file)
ORDER BY source_file
"""


def row_accounting(store: HygieneStore, snapshot: date) -> pl.DataFrame:
    """One row per file of the month: data_lines, raw_rows, rejected_rows and `accounted`.

    A file found in raw_contacts or rejected_rows but not in export_files has null data_lines and
    is not accounted for.
    """
    frame = store.query(_PER_FILE, [snapshot, snapshot, snapshot])
    return frame.with_columns(
        (
            pl.col("data_lines").is_not_null()
            & (pl.col("raw_rows") + pl.col("rejected_rows") == pl.col("data_lines"))
        ).alias("accounted")
    )
