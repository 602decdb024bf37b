"""Build the sample exports (every month's rows and the truth) and write them to files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .dates import parse_month
from .render import SampleExports, TruthRow, render_truth, write_exports
from .simulation import assign_record_ids, base_population, evolve
from .world import Contact, World

DEFAULT_MONTHS: tuple[str, ...] = ("2026-08", "2026-09", "2026-10")
DEFAULT_PEOPLE = 1500
DEFAULT_SEED = 20261001


def check_months(months: Sequence[str]) -> tuple[str, ...]:
    if not months:
        raise ValueError("at least one month is needed")
    for month in months:
        parse_month(month)
    ordered = tuple(months)
    if list(ordered) != sorted(set(ordered)):
        raise ValueError(f"months must be unique and ascending, got {list(months)}")
    return ordered


def build_sample_exports(
    months: Sequence[str] = DEFAULT_MONTHS, people: int = DEFAULT_PEOPLE, seed: int = DEFAULT_SEED
) -> SampleExports:
    """Simulate the CRM month by month; return every month's rows and the truth."""
    ordered = check_months(months)
    if people < 50:
        raise ValueError("people must be at least 50")
    world = World()
    base_population(world, seed, people, ordered[0])
    snapshots: dict[str, list[tuple[Contact, list[str]]]] = {}
    for index, month in enumerate(ordered):
        if index:
            evolve(world, seed, month)
        live = [c for c in world.contacts if not c.deleted]
        for c in live:
            c.first_month = c.first_month or month
            c.last_month = month
        snapshots[month] = [(c, c.values()) for c in live]
    assign_record_ids(world, seed)
    rows: dict[str, list[tuple[str, ...]]] = {}
    for month, snapshot in snapshots.items():
        snapshot.sort(key=lambda item: (item[0].created, item[0].key), reverse=True)
        rows[month] = [(c.record_id, *values) for c, values in snapshot]
    truth = [
        TruthRow(
            record_id=c.record_id,
            person_id=c.person.pid,
            kind=c.kind,
            tags=";".join(c.tags),
            related_record_id=c.related.record_id if c.related is not None else "",
            first_month=c.first_month,
            last_month=c.last_month,
        )
        for c in sorted(world.contacts, key=lambda c: int(c.record_id))
    ]
    return SampleExports(ordered, rows, truth)


def write_sample_exports(
    out_dir: Path,
    months: Sequence[str] = DEFAULT_MONTHS,
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
) -> list[Path]:
    """Write one export per month under `out_dir`; return the paths in month order."""
    sample = build_sample_exports(months, people, seed)
    return write_exports(sample, Path(out_dir))


def sample_truth(
    months: Sequence[str] = DEFAULT_MONTHS, people: int = DEFAULT_PEOPLE, seed: int = DEFAULT_SEED
) -> list[TruthRow]:
    """The truth for the exports the same arguments produce."""
    return build_sample_exports(months, people, seed).truth


def write_truth(
    path: Path,
    months: Sequence[str] = DEFAULT_MONTHS,
    people: int = DEFAULT_PEOPLE,
    seed: int = DEFAULT_SEED,
    *,
    exports_dir: Path | None = None,
    truth: Sequence[TruthRow] | None = None,
) -> Path:
    """Write the truth CSV (TRUTH_HEADER columns). Refuses a path inside `exports_dir`."""
    path = Path(path)
    if exports_dir is not None and path.resolve().is_relative_to(Path(exports_dir).resolve()):
        raise ValueError(f"the truth must not live inside the exports folder {exports_dir}")
    rows = truth if truth is not None else sample_truth(months, people, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(render_truth(rows))
    return path
