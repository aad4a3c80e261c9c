"""Simulating many gemeenten in memory (no run directory): the pooled backtest's engine run.

Each gemeente gets its own parameter file (its own parameter draw and its own path of inflow
deviation), one klantgroep, and starts from a count. Returns the caseload at the horizon's end.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from simbijstand.engine import compile_model
from simbijstand.engine.draws import replication_models
from simbijstand.projections import Projections
from simbijstand.runs.chunks import plan_chunks
from simbijstand.runs.execution import run_chunks
from simbijstand.scenario import Scenario
from simbijstand.scenario.initial_state import InitialCounts
from simbijstand.scenario.schema import ParameterFile, ScenarioFile
from simbijstand.scenario.toml_io import MergedToml


def simulate_end_stocks(
    parameters: dict[str, dict[str, Any]],
    start_counts: dict[str, int],
    start: dt.date,
    months: int,
    replications: int,
    seed: int,
    *,
    workers: int = 1,
    draw: bool = True,
) -> np.ndarray:
    """Caseload [replication, gemeente] on start + months, gemeenten in `parameters` order."""
    checked = {g: ParameterFile.model_validate(d) for g, d in parameters.items()}
    initial = {g: InitialCounts({(_group(p), None): start_counts[g]}) for g, p in checked.items()}
    data = {
        "naam": "gemeenten-backtest",
        "simulatie": {"start": start, "horizon_maanden": months, "replicaties": replications,
                      "seed": seed, "parameteronzekerheid": draw},
        "gemeenten": {
            g: {"parameters": f"parameters-{i}", "beginstand": {"aantallen": {}}}
            for i, g in enumerate(checked)
        },
        "kosten": {"prijsjaar": start.year, "per_maand": {"participatiewet": 0.0}},
    }  # fmt: skip
    spec = ScenarioFile.model_validate(data)
    source = MergedToml(data=data, origins={}, files=())
    scenario = Scenario("gemeenten-backtest", Path("."), spec, checked, (), source)
    model = compile_model(scenario, initial)
    draws = replication_models(scenario, initial, seed, draw=draw)
    chunks = plan_chunks(replications, model.expected_initial_size(), own_models=draws is not None)
    results = run_chunks(model, seed, chunks, None, 0, workers, draws=draws)
    caseload = Projections.concat([r.projections for r in results]).caseload  # [R, M+1, C]
    end = np.zeros((replications, len(checked)))
    for cell, gemeente in enumerate(model.cell_gemeente):
        end[:, gemeente] += caseload[:, -1, cell]
    return end


def _group(parameters: ParameterFile) -> str:
    return next(iter(parameters.klantgroepen))
