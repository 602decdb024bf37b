"""Materialization metadata shared by the assets: counts as Markdown tables, never personal data."""

import dagster as dg
import polars as pl


def counts_table(
    frame: pl.DataFrame, column: str, *, heading: str | None = None
) -> dg.MetadataValue:
    """A Markdown table of how many rows have each value of `column`, largest first."""
    counts = frame.group_by(column).len().sort(["len", column], descending=[True, False])
    lines = [f"| {heading or column} | rows |", "| --- | ---: |"]
    lines += [f"| {value} | {count} |" for value, count in counts.iter_rows()]
    return dg.MetadataValue.md("\n".join(lines))


def list_counts_table(frame: pl.DataFrame, column: str, *, heading: str) -> dg.MetadataValue:
    """Counts of each entry of a list column (a row with three reasons counts three times)."""
    exploded = frame.select(pl.col(column).list.eval(pl.element().str.extract(r"^([^:]+)")))
    return counts_table(exploded.explode(column).drop_nulls(), column, heading=heading)
