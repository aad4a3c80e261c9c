"""The reports as a reader sees them: rendered in headless Chromium, every chart drawn.

Chromium comes from the Debian package `chromium`, which .ci/run installs. Without it these tests
skip (locally); set SIMBIJSTAND_SCREENSHOTS=<folder> to keep the screenshots for a look.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from browser import Page, chromium, render

pytestmark = [
    pytest.mark.report,
    pytest.mark.skipif(
        chromium() is None,
        reason="Chromium is not installed (apt-get install chromium; .ci/run installs it)",
    ),
]
WHITE = 245  # a channel at or above this counts as page background
SATURATED = 60  # max - min channel: a colour, not the black, greys and white of axes and text


def _keep(page: Page) -> None:
    folder = os.environ.get("SIMBIJSTAND_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(page.screenshot, Path(folder) / page.screenshot.name)


def _check_charts(page: Page, expected: list[str]) -> None:
    """Each chart is on the page, of a readable size, and has data drawn in colour."""
    assert [c["name"] for c in page.charts] == expected
    image = np.asarray(Image.open(page.screenshot).convert("RGB")).astype(int)
    assert image.shape == (page.height, 1280, 3)
    for chart in page.charts:
        assert chart["width"] >= 900 and chart["height"] >= 250, chart
        top, left = round(chart["y"]), round(chart["x"])
        area = image[top : top + round(chart["height"]), left : left + round(chart["width"])]
        drawn = (area.min(axis=2) < WHITE).mean()
        coloured = (area.max(axis=2) - area.min(axis=2) > SATURATED).mean()
        # A chart of lines only (trajecten) colours about 1% of its area; bars far more.
        assert drawn > 0.05, f"{chart['name']}: {drawn:.1%} of its area is drawn"
        assert coloured > 0.005, f"{chart['name']}: {coloured:.1%} of its area is in colour"


def test_the_run_report_renders_with_every_chart_drawn(full_run: Path, tmp_path: Path) -> None:
    page = render(full_run / "report.html", tmp_path / "report.png")
    _keep(page)
    assert page.errors == []
    assert page.resources == []  # nothing fetched: the page is one self-contained file
    assert page.sections == [
        "kerncijfers",
        "bestand",
        "klantgroepen",
        "stromen",
        "financien",
        "regels",
        "trajecten",
        "verantwoording",
    ]
    _check_charts(page, ["bestand", "klantgroepen", "stromen", "financien", "trajecten"])


def test_the_comparison_renders_with_every_chart_drawn(comparison: Path, tmp_path: Path) -> None:
    page = render(comparison, tmp_path / "comparison.png")
    _keep(page)
    assert page.errors == [] and page.resources == []
    assert page.sections == ["bestand", "tekort", "vangnet", "tabel", "verantwoording"]
    _check_charts(page, ["vergelijking-bestand", "vergelijking-tekort", "vergelijking-vangnet"])


def test_the_check_sees_a_blank_chart(tmp_path: Path) -> None:
    """The pixel check can fail: a chart area with only black-and-grey drawing is caught."""
    image = Image.new("RGB", (1280, 800), "white")
    image.paste((60, 60, 60), (140, 100, 1140, 104))  # an axis line, no data
    image.paste((0, 114, 178), (140, 500, 1140, 700))  # a blue block in the second chart
    image.save(tmp_path / "page.png")
    boxes = [
        {"name": n, "x": 132, "y": y, "width": 1016, "height": 300}
        for n, y in (("leeg", 50), ("vol", 450))
    ]
    page = Page(tmp_path / "page.png", boxes, [], [], [], 800)
    with pytest.raises(AssertionError, match="leeg"):
        _check_charts(page, ["leeg", "vol"])
    _check_charts(Page(tmp_path / "page.png", boxes[1:], [], [], [], 800), ["vol"])
