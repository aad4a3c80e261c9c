"""Money that cannot be misread: net against budget, surpluses named as such, one colour per
route, years without thousands separators, start line visible, non-BUIG groups marked."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from simbijstand.reporting import aggregates, keyfigures
from simbijstand.reporting.chartkit import route_colour
from simbijstand.reporting.finance_charts import _drawn
from simbijstand.reporting.numbers import result_text, thousands
from simbijstand.reporting.rundata import load_run
from simbijstand.reporting.terminal import _group_table
from simbijstand.reporting.workbook import _formats


def test_the_headline_cost_is_the_net_lasten_set_against_the_budget(
    basis_with_history: Path,
) -> None:
    data = load_run(basis_with_history)
    yearly = aggregates.yearly_finance(data.finance)
    last = yearly.filter(pl.col("months") == 12).row(-1, named=True)
    headline = keyfigures.headline(data)[-1]
    assert headline.startswith(f"Netto BUIG-lasten (gezet tegen het budget) {last['year']}")
    net = keyfigures.euro_mln(last["net_expenditure_eur_mean"])
    assert f"<strong>{net}</strong>" in headline
    if last["net_expenditure_eur_mean"] != last["expenditure_eur_mean"]:
        assert keyfigures.euro_mln(last["expenditure_eur_mean"]) not in headline


def test_a_partial_first_year_shows_no_full_year_budget(basis_with_history: Path) -> None:
    page = "".join(keyfigures.finance_tables(load_run(basis_with_history)))
    assert 'data-key="financien|2020|budget_eur_mean"' not in page
    assert 'data-key="financien|2021|budget_eur_mean"' in page


def test_a_surplus_is_named_and_never_drawn_as_a_remaining_deficit() -> None:
    assert result_text(-924_106.0, thousands) == "overschot 924"
    assert result_text(1_294_136.0, thousands) == "1.294"
    assert not _drawn("remaining_deficit_eur", -924_106.0)
    assert _drawn("remaining_deficit_eur", 10.0) and _drawn("deficit_eur", -924_106.0)


def test_every_route_has_one_colour_whatever_the_others_are() -> None:
    known = ["werk", "verhuizing", "aow", "relatie", "studie", "overlijden", "overig"]
    assert len({route_colour(r) for r in known}) == len(known)
    assert route_colour("nieuw_route") == route_colour("nieuw_route")


def test_the_report_draws_each_route_in_its_own_colour(basis_with_history: Path) -> None:
    svg = (basis_with_history / "report.html").read_text(encoding="utf-8")
    stromen = svg.split('id="stromen"')[1].split("</section>")[0]
    for route in ("werk", "verhuizing"):
        colour = route_colour(route).lower()
        assert re.search(rf"fill:\s*{colour}", stromen.lower()), route


def test_workbook_years_and_counts_have_no_thousands_separator() -> None:
    frame = pl.DataFrame({"year": [2023], "replication": [1], "months": [12], "mean": [1.5]})
    formats = _formats(frame)
    assert formats["year"] == formats["replication"] == formats["months"] == "0"


def test_the_terminal_marks_klantgroepen_without_buig(basis_with_history: Path) -> None:
    data = load_run(basis_with_history)
    lines = _group_table(data.summary, data.start, data.end, {"werkvoorzienend"})
    assert "werkvoorzienend*" in lines[1]
    assert lines[-1].strip().startswith("* geen BUIG")


def test_the_start_line_is_inside_the_chart_not_under_the_y_axis(basis_with_history: Path) -> None:
    import matplotlib.dates as mdates

    from simbijstand.reporting import charts
    from simbijstand.reporting.chartkit import figure

    data = load_run(basis_with_history)
    with figure(height=4) as fig:
        ax = fig.subplots()
        charts._fan_panel(ax, data, "Steenwijkerland", small=False)
        left = ax.get_xlim()[0]
    # basis_with_history has a history before the start; without one the start is the first
    # date, and the margin still keeps the line off the axis
    assert left < mdates.date2num(min(data.start, data.history["date"].min()))
