"""Dates of the invented CRM: export moments, month arithmetic and random office-hours minutes."""

from __future__ import annotations

import calendar
import random
from datetime import datetime, timedelta

DATE_FORMAT = "%Y-%m-%d %H:%M"
EARLIEST = datetime(2016, 1, 4, 9, 0)
EXPORT_TIME = (17, 0)  # each month is exported on its last day at 17:00


def format_moment(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime(DATE_FORMAT)


def parse_month(month: str) -> tuple[int, int]:
    try:
        year, mon = (int(part) for part in month.split("-"))
    except ValueError as exc:
        raise ValueError(f"month must look like 2026-08, got {month!r}") from exc
    if len(month) != 7 or not 1 <= mon <= 12:
        raise ValueError(f"month must look like 2026-08, got {month!r}")
    return year, mon


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The month's first moment and its last minute (``YYYY-MM-<last> 23:59``)."""
    year, mon = parse_month(month)
    last_day = calendar.monthrange(year, mon)[1]
    return datetime(year, mon, 1), datetime(year, mon, last_day, 23, 59)


def export_moment(month: str) -> datetime:
    """When the month's export is taken: its last day at 17:00. Nothing is dated later."""
    year, mon = parse_month(month)
    return datetime(year, mon, calendar.monthrange(year, mon)[1], *EXPORT_TIME)


def months_back(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 - months
    year, mon = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, mon + 1)[1])
    return moment.replace(year=year, month=mon + 1, day=day)


def random_moment(rng: random.Random, lo: datetime, hi: datetime, office: bool = True) -> datetime:
    """A minute in [lo, hi]; mostly on weekdays during office hours when that fits."""
    lo = lo.replace(second=0, microsecond=0)
    if hi <= lo:
        return lo
    span = int((hi - lo).total_seconds() // 60)
    moment = lo + timedelta(minutes=rng.randint(0, span))
    if office:
        candidate = moment.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))
        if candidate.weekday() >= 5 and rng.random() < 0.85:
            candidate -= timedelta(days=candidate.weekday() - 4)
        if lo <= candidate <= hi:
            moment = candidate
    return moment
