"""Builders for small scenarios with known answers, written to a temporary folder."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from click.testing import CliRunner

import simbijstand
from report_helpers import add_finance_columns, write_trajecten
from simbijstand.cli import main
from simbijstand.reporting import compare_report as compare_report_module
from simbijstand.reporting import report as report_module
from simbijstand.reporting.compare_report import write_comparison_report
from simbijstand.reporting.report import write_report
from simbijstand.store.rundir import REPORT

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"


@pytest.fixture(autouse=True)
def _report_only_where_asked(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drawing report.html takes about a second a run, and most tests run many: only tests
    marked `report` draw it (and session fixtures, which are made before this applies). The
    others get a one-line page in its place, so the run directory has the same files."""
    if request.node.get_closest_marker("report") is None:
        monkeypatch.setattr(
            report_module,
            "write_report",
            lambda run_dir, manifest=None, out=None: _undrawn(out or Path(run_dir) / REPORT),
        )
        monkeypatch.setattr(
            compare_report_module,
            "write_comparison_report",
            lambda run_dirs, out, **_: _undrawn(Path(out)),
        )


def _undrawn(path: Path) -> Path:
    path.write_text("<!-- report not drawn in this test -->\n", encoding="utf-8")
    return path


def one_group_parameters(
    *,
    exit_per_year: float = 0.5,
    inflow_per_year: float = 0.0,
    routes: dict[str, float] | None = None,
    bands: list[float] | None = None,
    duur_factor: list[float] | None = None,
) -> dict[str, Any]:
    """A parameter file with one klantgroep 'a' and optional duration bands."""
    routes = routes or {"werk": 1.0}
    group: dict[str, Any] = {"uitstroom_per_jaar": exit_per_year, "uitstroom_routes": routes}
    if duur_factor is not None:
        group["duur_factor"] = duur_factor
    return {
        "schema_version": 1,
        "routes": sorted(set(routes) | {"werk"}),
        "duurbanden_maanden": bands or [0],
        "instroom": {"per_jaar": inflow_per_year, "klantgroepen": {"a": 1.0}},
        "klantgroepen": {"a": group},
    }


def scenario_data(
    *,
    start: dt.date = dt.date(2021, 1, 1),
    months: int = 24,
    replications: int = 50,
    seed: int = 1,
    gemeenten: dict[str, dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    data = {
        "naam": "test",
        "simulatie": {
            "start": start,
            "horizon_maanden": months,
            "replicaties": replications,
            "seed": seed,
        },
        "gemeenten": gemeenten
        or {"Testdorp": {"parameters": "params.toml", "beginstand": {"aantallen": {"a": 100}}}},
        # a flat cost, without the shipped norm rises, so that tests can reckon in round numbers
        "kosten": {
            "prijsjaar": start.year,
            "per_maand": {"participatiewet": 1000.0},
            "ingebouwde_normen": False,
        },
    }
    data.update(extra)
    return data


def write_toml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(tomli_w.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def make_scenario(tmp_path: Path) -> Callable[..., Path]:
    """Write params.toml and scenario.toml into a fresh folder; return the scenario's path."""

    def make(
        parameters: dict[str, Any],
        scenario: dict[str, Any] | None = None,
        name: str = "scenario.toml",
    ) -> Path:
        write_toml(tmp_path / "params.toml", parameters)
        return write_toml(tmp_path / name, scenario or scenario_data())

    return make


# --- runs the report tests share (session scope: each costs a run and a report) ------------------

HISTORY = "datum,gemeente,aantal\n" + "".join(
    f"{dt.date(2019 + m // 12, m % 12 + 1, 1)},Steenwijkerland,{880 + 3 * m}\n" for m in range(18)
)


@pytest.fixture(scope="session")
def basis_with_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pristine run of basis.toml (20 replications) with an observed history, via the CLI."""
    folder = tmp_path_factory.mktemp("report")
    (folder / "hist.csv").write_text(HISTORY)
    scenario = folder / "basis-historie.toml"
    scenario.write_text(
        f'extends = "{SCENARIOS / "basis.toml"}"\n[historie]\nbestand = "hist.csv"\n'
    )
    out = folder / "run"
    result = CliRunner().invoke(
        main, ["run", str(scenario), "-n", "20", "--out", str(out), "--workers", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    (folder / "run.json").write_text(result.stdout)
    return out


@pytest.fixture(scope="session")
def full_run(basis_with_history: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same run with hand-made finance columns and trajecten.parquet, report made again."""
    out = tmp_path_factory.mktemp("full") / "run"
    shutil.copytree(basis_with_history, out)
    add_finance_columns(out)
    write_trajecten(out, replications=20, start=dt.date(2020, 7, 1), months=42)
    write_report(out)
    return out


@pytest.fixture(scope="session")
def comparison(basis_with_history: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """comparison.html of basis and tweede-golf (same seed, 20 replications, hand-made finance
    columns), basis as baseline."""
    folder = tmp_path_factory.mktemp("compare")
    basis = folder / "basis"
    shutil.copytree(basis_with_history, basis, ignore=shutil.ignore_patterns("events"))
    variant = folder / "tweede-golf"
    simbijstand.run(
        SCENARIOS / "tweede-golf.toml", replications=20, out=variant, workers=1, report=False
    )
    for run_dir in (basis, variant):
        add_finance_columns(run_dir)
    return write_comparison_report([basis, variant], folder / "comparison.html", baseline=basis)
