"""Month arithmetic on dates; time in the engine is days since the run's start date."""

from __future__ import annotations

import datetime as dt

DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12  # converts duration bands in months to days


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day-of-month `months` later; only used on first days of months."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, day.day)


def month_starts(start: dt.date, months: int) -> list[dt.date]:
    """The first days of `months` consecutive months from `start`, plus the end boundary."""
    return [add_months(start, k) for k in range(months + 1)]


def is_month_start(day: dt.date) -> bool:
    return day.day == 1


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from `start` to `end`, both first days of a month."""
    return (end.year - start.year) * 12 + end.month - start.month


def months_per_year(start: dt.date, months: int) -> dict[int, int]:
    """How many months of each calendar year lie in the `months` months from `start`."""
    counts: dict[int, int] = {}
    for day in month_starts(start, months)[:-1]:
        counts[day.year] = counts.get(day.year, 0) + 1
    return counts
