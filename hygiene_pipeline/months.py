"""Month arithmetic for partitions: every rule's "today" is the partition's end, never the clock."""

from __future__ import annotations

from datetime import date, datetime


def parse_snapshot(partition_key: str) -> date:
    """`2026-10-01` (Dagster's monthly key) or `2026-10` -> the month's first day."""
    text = partition_key.strip()
    for pattern in ("%Y-%m-%d", "%Y-%m"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if parsed.day != 1:
            raise ValueError(f"{partition_key!r} is not the first day of a month")
        return parsed
    raise ValueError(f"{partition_key!r} is not a month: use YYYY-MM or YYYY-MM-01")


def month_end(snapshot: date) -> date:
    """The first day of the next month: the partition window's end and the rules' "today"."""
    if snapshot.month == 12:
        return date(snapshot.year + 1, 1, 1)
    return date(snapshot.year, snapshot.month + 1, 1)


def months_before(day: date, months: int) -> date:
    """`day` moved back by whole months, clamped to the month's last day (Mar 31 - 1 = Feb 28)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    for candidate_day in range(day.day, 27, -1):
        try:
            return date(year, month, candidate_day)
        except ValueError:
            continue
    return date(year, month, min(day.day, 28))


def folder_name(snapshot: date) -> str:
    """The export folder of a month: `2026-10`."""
    return snapshot.strftime("%Y-%m")


def month_just_ended(moment: date) -> date:
    """The first day of the month before `moment`'s month: what a run on the 1st cleans."""
    first = moment.replace(day=1)
    return months_before(first, 1)
