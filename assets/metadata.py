"""Materialization metadata shared by the assets: counts as Markdown tables, step timings, and
row previews with personal data masked. Nothing here ever shows a person's data in the clear.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dagster as dg
import polars as pl

from hygiene_pipeline.masking import mask_email, mask_name, mask_phone, mask_text
from hygiene_pipeline.report.sections import md_cell

PREVIEW_ROWS = 10


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


def masker_for(column: str) -> Callable[[str | None], str | None]:
    """How a column is masked, from its name: canonical names and verbatim export headers alike.

    Email-like columns keep the domain, phone-like the last two digits, name-like the initial;
    every other text still has any email address inside it masked (bounce reasons quote them).
    """
    name = column.lower()
    if "mail" in name and "status" not in name and "reasons" not in name:
        return mask_email
    if any(part in name for part in ("phone", "mobile", "tel")) and "status" not in name:
        return mask_phone
    if ("name" in name or name == "owner" or name.endswith("owner")) and "file" not in name:
        return mask_name
    return mask_text


def is_personal_column(column: str) -> bool:
    """Whether a column's name says it holds a name, an email or a phone."""
    return masker_for(column) is not mask_text


def preview(frame: pl.DataFrame, columns: list[str]) -> dg.MetadataValue:
    """The first rows (at most PREVIEW_ROWS) of `columns` as a Markdown table, masked.

    Columns the frame lacks are left out, so a preview never fails a materialization.
    """
    present = [column for column in columns if column in frame.columns]
    maskers = [masker_for(column) for column in present]
    lines = [
        "| " + " | ".join(_cell(column) for column in present) + " |",
        "| " + " | ".join("---" for _ in present) + " |",
    ]
    for row in frame.head(PREVIEW_ROWS).select(present).iter_rows():
        cells = [_cell(mask(_text(value))) for mask, value in zip(maskers, row, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return dg.MetadataValue.md("\n".join(lines))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return str(value)


def _cell(text: str | None) -> str:
    """Safe inside a Markdown table cell (the report's escaping); empty for a missing value."""
    return "" if text is None else md_cell(text)


class StepTimer:
    """Wall time of an asset's phases (read, compute, write), to name the slowest in metadata."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

    def metadata(self) -> dict[str, object]:
        if not self.seconds:
            return {}
        slowest = max(self.seconds, key=self.seconds.__getitem__)
        return {
            "slowest_step": slowest,
            "slowest_step_s": round(self.seconds[slowest], 3),
            "step_timings_s": dg.MetadataValue.json(
                {name: round(seconds, 3) for name, seconds in self.seconds.items()}
            ),
        }
