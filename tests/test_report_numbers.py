"""Dutch notation in reports and terminal: thousands with dots, decimals with commas."""

from __future__ import annotations

import datetime as dt

import pytest

from simbijstand.reporting.numbers import (
    date_nl,
    euro,
    euro_mln,
    millions,
    month_nl,
    number,
    pct,
    pct_range,
    percent,
    thousands,
    year_label,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (number(1234567), "1.234.567"),
        (number(1234.5, 1), "1.234,5"),
        (number(-0.4), "0"),  # not "-0"
        (number(-1500), "-1.500"),
        (euro(12_345.6), "€ 12.346"),
        (euro(-1200), "-€ 1.200"),
        (euro_mln(12_345_678), "€ 12,3 mln"),
        (euro_mln(-400_000), "-€ 0,4 mln"),
        (euro_mln(2_500_000, 0), "€ 2 mln"),
        (percent(0.125, 1), "12,5%"),
        (percent(1.0), "100%"),
        (euro(None), "onbekend"),
        (thousands(12_345_678), "12.346"),
        (thousands(-1_200_000), "-1.200"),
        (thousands(-400), "0"),  # not "-0"
        (thousands(None), "onbekend"),
        (millions(12_345_678), "12,3 mln"),
        (pct(7.5), "7,5%"),  # a band limit: decimals only where needed
        (pct(5.0), "5%"),
        (pct(16.4321, 2), "16,43%"),
        (pct(None), "onbekend"),
        (pct_range(7.5, 12.5), "7,5–12,5%"),
        (year_label(2021, 12), "2021"),
        (year_label(2020, 6), "2020 (6 mnd)"),
        (year_label(2020, 6, separator="\n"), "2020\n(6 mnd)"),
        (date_nl(dt.date(2020, 7, 1)), "1 jul 2020"),
        (month_nl(dt.date(2023, 3, 1)), "mrt 2023"),
    ],
)
def test_dutch_notation(text: str, expected: str) -> None:
    assert text == expected
