"""What every chart shares: the house style, Dutch axis labels, and rendering to inline SVG.

Charts are built on `matplotlib.figure.Figure` with an Agg canvas, never through pyplot, and the
style is applied in an `rc_context`: nothing global changes, so charts cannot leak settings into
each other or into a user's notebook.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import matplotlib as mpl
import matplotlib.dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator

from simbijstand.reporting.numbers import MONTHS_NL, euro_mln, number, percent

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency; then Paul
# Tol's muted scheme for the rare chart with more categories.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#F0E442",
    "#000000",
    "#332288",
    "#117733",
    "#882255",
    "#999933",
)
BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW = PALETTE[:7]
GREY, INK, GRID = "#8C8C8C", "#222222", "#E4E4E4"
WIDTH = 10.0  # inches; the page shows charts about 1,000 pixels wide

STYLE = {
    "font.family": "DejaVu Sans",  # bundled with matplotlib; text is drawn as paths anyway
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#666666",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "legend.frameon": False,
    "legend.fontsize": 9,
    "svg.fonttype": "path",  # no font needed in the browser: the page is self-contained
    "svg.hashsalt": "simbijstand",  # fixed ids: the same run gives the same report, byte for byte
}


# One colour per exit route, the same in every report and comparison (no blues: they mark the
# inflow). Routes not named here get one of the rest by a hash of their name, so a route keeps
# its colour whichever other routes a run has.
ROUTE_COLOURS = {
    "werk": ORANGE,
    "verhuizing": GREEN,
    "aow": VERMILLION,
    "relatie": PURPLE,
    "studie": YELLOW,
    "overlijden": GREY,
    "overig": "#999933",
    "detentie": "#882255",
}
OTHER_ROUTE_COLOURS = ("#332288", "#117733", "#44AA99", "#AA4499", "#DDCC77", "#661100")


def route_colour(route: str) -> str:
    if route in ROUTE_COLOURS:
        return ROUTE_COLOURS[route]
    return OTHER_ROUTE_COLOURS[zlib.crc32(route.encode()) % len(OTHER_ROUTE_COLOURS)]


def colours(n: int) -> list[str]:
    return list(itertools.islice(itertools.cycle(PALETTE), n))


@contextmanager
def figure(height: float, width: float = WIDTH, *, constrained: bool = True) -> Iterator[Figure]:
    """A new figure in the house style; the style applies only inside the `with` block.

    Small multiples pass constrained=False and set their margins: constrained layout measures
    every tick label of every panel and would double their rendering time."""
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(width, height), layout="constrained" if constrained else None)
        FigureCanvasAgg(fig)
        yield fig


def to_svg(fig: Figure, name: str, description: str) -> str:
    """The figure as an inline <svg> element whose ids are unique to `name` on the page."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    svg = re.sub(r'id="([^"]+)"', rf'id="{name}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{name}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{name}-\1"', svg)
    svg = re.sub(r'\s(width|height)="[\d.]+pt"', "", svg, count=2)  # CSS sizes it
    title = f"<title>{_escape(description)}</title>"
    return svg.replace(">", f' role="img" aria-label="{_escape(description)}">{title}', 1)


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


# --- axes ---------------------------------------------------------------------------------------


def _formatter(format_value: Callable[[float], str]) -> FuncFormatter:
    return FuncFormatter(lambda value, _position: format_value(value))


def count_axis(ax: Axes, label: str) -> None:
    """A y-axis of counts with Dutch thousands separators, at round steps (1, 2, 2,5, 5, 10)."""
    ax.set_ylabel(label)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.yaxis.set_major_formatter(_formatter(_count_tick(ax)))


def _count_tick(ax: Axes) -> Callable[[float], str]:
    def format_tick(value: float) -> str:
        ticks = ax.get_yticks()
        step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1.0
        return number(value, 0 if step >= 1 else 1)

    return format_tick


def signed_counts() -> FuncFormatter:
    """Counts with a real minus sign: −20."""
    return _formatter(lambda v: ("−" if v < 0 else "") + number(abs(v), 0 if v == int(v) else 1))


def euro_axis(ax: Axes, label: str) -> None:
    """A y-axis of euro amounts in millions: € 12,5 mln."""
    ax.set_ylabel(label)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ticks = ax.get_yticks()
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else 1e6
    decimals = 0 if step >= 1e6 else 1 if step >= 1e5 else 2
    ax.yaxis.set_major_formatter(_formatter(lambda v: euro_mln(v, decimals) if v else "€ 0"))


def percent_axis(ax: Axes, label: str) -> None:
    ax.set_ylabel(label)
    ax.set_ylim(0, 1.08)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    ax.yaxis.set_major_formatter(_formatter(percent))


def month_axis(ax: Axes, first: dt.date, last: dt.date, max_ticks: int = 16) -> None:
    """Dates on the x-axis in Dutch, at most `max_ticks` of them: every quarter, half year or
    year, with the year under each January."""
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = next((s for s in (1, 3, 6, 12, 24) if months / s <= max_ticks), 60)
    # Fixed ticks computed here: matplotlib's rrule-based MonthLocator is several times slower.
    ticks = [
        dt.date(index // 12, index % 12 + 1, 1)
        for index in range(first.year * 12 + first.month - 1, last.year * 12 + last.month)
        if (index % 12) % min(step, 12) == 0 and (index // 12) % max(step // 12, 1) == 0
    ]
    ax.xaxis.set_major_locator(FixedLocator(mdates.date2num(ticks)))
    ax.xaxis.set_major_formatter(_formatter(_year_tick if step >= 12 else _month_tick))


def _year_tick(value: float) -> str:
    return str(mdates.num2date(value).year)


def _month_tick(value: float) -> str:
    day = mdates.num2date(value)
    name = MONTHS_NL[day.month - 1]
    return f"{name}\n{day.year}" if day.month == 1 else name


def legend_above(ax: Axes, columns: int) -> None:
    """The legend in a row above the plot, where it cannot cover data."""
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncol=columns,
        borderaxespad=0.3,
        handlelength=1.6,
        columnspacing=1.4,
    )


def observed_line(ax: Axes, dates: object, counts: object) -> None:
    """The observed caseload: the same black line with dots in every chart that shows it."""
    ax.plot(dates, counts, color=INK, marker="o", markersize=3, linewidth=1.4, label="waargenomen")
