"""A value by date, with what holds where no value is given stated rather than implied.

Legal and scenario values change on given dates: the AOW age by year, the preventiequote by
month, price rises by month or year, a vangnet regime from its first year. A `DatedValue` holds
such a table, each value given for a period (a day, month, half year or year, or any span), and
answers "what holds on this day?". A day inside a given period gets that period's value. For any
other day two policies, both required, say what holds:
- `before`: days before the first period;
- `carry`: days after a period that no later period covers, between periods and beyond the last
  known date (the end of the last period).
Each is a `Carry`: HOLD (the nearest given value: the last one before the day, or before the
first period the first one), DEFAULT (the stated `default`), or NONE (nothing holds: `at`
raises NotGivenError, `get` returns None).

`is_carried(day)` says whether the answer at `day` lies beyond the last known date, so that a
report can name every value it carried forward.

Example, the AOW age in months, known for some years and held on after the last:
    aow = DatedValue.from_keys(
        "aow.leeftijd", {"2024": 804, "2028": 807}, before=Carry.HOLD, carry=Carry.HOLD
    )
    aow.at(dt.date(2026, 5, 1))           # 804: 2024's age holds until 2028's
    aow.is_carried(dt.date(2030, 1, 1))   # True: 2028 is the last year given
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

T = TypeVar("T")

# Keys as scenario files write them (TOML keys cannot be dates): "2024", "2024-1" (January-June),
# "2024-2" (July-December), "2024-07", "2024-07-15".
_KEY = re.compile(r"^(\d{4})(?:-([12])|-(\d{2})(?:-(\d{2}))?)?$")


class Carry(Enum):
    """What holds on a day that no given period covers."""

    HOLD = "hold"  # the nearest given value: the last before the day; before them all, the first
    DEFAULT = "default"  # the dated value's stated default
    NONE = "none"  # nothing: `at` raises NotGivenError, `get` returns None


class NotGivenError(LookupError):
    """No value holds on the day asked (a policy of NONE)."""


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """The days from `start` up to, not including, `end`."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"period {self.start} to {self.end}: must end after it starts")

    @classmethod
    def parse(cls, key: str) -> Period:
        """A year "2024", half year "2024-1" or "2024-2", month "2024-07" or day "2024-07-15"."""
        match = _KEY.match(key)
        if match is None:
            raise ValueError(
                f"{key!r}: expected a year (2024), half year (2024-1, 2024-2), month (2024-07) "
                "or day (2024-07-15)"
            )
        year, half, month, day = match.groups()
        if half is not None:
            return cls.half_year(int(year), int(half))
        if month is None:
            return cls.year(int(year))
        if day is None:
            return cls.month(int(year), int(month))
        return cls.day(dt.date(int(year), int(month), int(day)))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year + 1, 1, 1))

    @classmethod
    def years(cls, first: int, last: int) -> Period:
        """The calendar years `first` to `last`, both included."""
        return cls(dt.date(first, 1, 1), dt.date(last + 1, 1, 1))

    @classmethod
    def half_year(cls, year: int, half: int) -> Period:
        if half not in (1, 2):
            raise ValueError(f"half year {year}-{half}: the half is 1 (January-June) or 2")
        start = dt.date(year, 1 if half == 1 else 7, 1)
        return cls(start, dt.date(year + 1, 1, 1) if half == 2 else dt.date(year, 7, 1))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        after = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
        return cls(dt.date(year, month, 1), after)

    @classmethod
    def day(cls, day: dt.date) -> Period:
        return cls(day, day + dt.timedelta(days=1))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day < self.end


@dataclass(frozen=True, slots=True)
class DatedValue(Generic[T]):
    """Values given per period, with the policies for the days no period covers.

    `entries` are (period, value) pairs ordered by start, periods not overlapping; `default` is
    the value a DEFAULT policy gives (required then, and only then).
    """

    name: str  # what the value is, for messages: a key path such as "aow.leeftijd"
    entries: tuple[tuple[Period, T], ...]
    before: Carry
    carry: Carry
    default: T | None = None

    def __post_init__(self) -> None:
        periods = [p for p, _ in self.entries]
        for earlier, later in itertools.pairwise(periods):
            if later.start < earlier.end:
                raise ValueError(
                    f"{self.name}: periods {earlier.start}-{earlier.end} and {later.start}-"
                    f"{later.end} overlap or are out of order"
                )
        uses_default = Carry.DEFAULT in (self.before, self.carry)
        if uses_default != (self.default is not None):
            raise ValueError(f"{self.name}: give a default exactly when a policy is DEFAULT")

    @classmethod
    def from_keys(
        cls,
        name: str,
        table: Mapping[str, T],
        *,
        before: Carry,
        carry: Carry,
        default: T | None = None,
    ) -> DatedValue[T]:
        """A dated value from a table keyed as scenario files key it (see `Period.parse`)."""
        return cls.from_periods(
            name, ((Period.parse(k), v) for k, v in table.items()), before, carry, default
        )

    @classmethod
    def from_periods(
        cls,
        name: str,
        entries: Iterable[tuple[Period, T]],
        before: Carry,
        carry: Carry,
        default: T | None = None,
    ) -> DatedValue[T]:
        ordered = tuple(sorted(entries, key=lambda entry: entry[0]))
        return cls(name, ordered, before, carry, default)

    @classmethod
    def always(cls, name: str, value: T) -> DatedValue[T]:
        """One value for every day: given for all time, so never carried."""
        return cls(name, (), Carry.DEFAULT, Carry.DEFAULT, value)

    @property
    def first_known(self) -> dt.date | None:
        """The first day a given period covers; None when no period is given."""
        return self.entries[0][0].start if self.entries else None

    @property
    def last_known(self) -> dt.date | None:
        """The first day after the last given period; None when no period is given."""
        return self.entries[-1][0].end if self.entries else None

    def at(self, day: dt.date) -> T:
        """The value that holds on `day`; raises NotGivenError where none does."""
        found = self._lookup(day)
        if found is None:
            raise NotGivenError(f"{self.name}: no value on {day}; {self._given()}")
        return found

    def get(self, day: dt.date) -> T | None:
        """The value that holds on `day`, or None where none does."""
        return self._lookup(day)

    def is_carried(self, day: dt.date) -> bool:
        """Whether the value on `day` is carried beyond the last known date (by HOLD or
        DEFAULT); False inside the given periods, before them, or when nothing holds."""
        last = self.last_known
        return last is not None and day >= last and self.carry is not Carry.NONE

    def starting_in(self, period: Period) -> list[tuple[dt.date, T]]:
        """(start, value) of the given periods that start inside `period`, in order."""
        return [(p.start, v) for p, v in self.entries if p.start in period]

    def _lookup(self, day: dt.date) -> T | None:
        index = bisect.bisect_right(self.entries, day, key=lambda entry: entry[0].start) - 1
        if index < 0:
            first = self.entries[0][1] if self.entries else None
            return self._fill(self.before, first)
        period, value = self.entries[index]
        return value if day < period.end else self._fill(self.carry, value)

    def _fill(self, policy: Carry, nearest: T | None) -> T | None:
        if policy is Carry.HOLD:
            return nearest
        return self.default if policy is Carry.DEFAULT else None

    def _given(self) -> str:
        if not self.entries:
            return "none is given"
        spans = ", ".join(f"{p.start} to {p.end}" for p, _ in self.entries)
        return f"given for {spans} (before: {self.before.value}, carry: {self.carry.value})"


def interpolate(value: DatedValue[float], day: dt.date) -> float:
    """The value on `day`, linear in months between the starts of the given periods.

    Between two starts a and b with values f(a) and f(b):
    f(day) = f(a) + (f(b) - f(a)) / (m(b) - m(a)) * (m(day) - m(a)), where m counts months
    (a day inside a month counts the part of the month gone). From the last start to the end of
    the last period the last value holds; outside the periods the policies answer, as in `at`.
    The arithmetic is numpy.interp's, so paths computed either way agree to the last bit.
    """
    starts = [p.start for p, _ in value.entries]
    last = value.last_known
    if not starts or day < starts[0] or (last is not None and day >= last):
        return value.at(day)
    x = _month_position(day)
    j = bisect.bisect_right(starts, day) - 1
    if j == len(starts) - 1:
        return value.entries[j][1]
    x0, x1 = _month_position(starts[j]), _month_position(starts[j + 1])
    y0, y1 = value.entries[j][1], value.entries[j + 1][1]
    if x == x0:
        return y0
    slope = (y1 - y0) / (x1 - x0)
    return slope * (x - x0) + y0


def _month_position(day: dt.date) -> float:
    """Months since year 0: the month's index plus the part of it gone before `day`."""
    days = calendar.monthrange(day.year, day.month)[1]
    return float(day.year * 12 + day.month - 1) + (day.day - 1) / days
