"""The population's guards: a broken invariant stops the run with the values that broke it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import simbijstand
from conftest import one_group_parameters, scenario_data
from simbijstand.engine.population import Population
from simbijstand.engine.streams import ReplicationStreams


def test_reaching_aow_age_in_a_model_without_ages_names_the_day_and_the_case(
    make_scenario: Callable[..., Path],
) -> None:
    path = make_scenario(one_group_parameters(exit_per_year=0.0), scenario_data(replications=1))
    model = simbijstand.prepare(path).model
    assert model.ages is None
    population = Population(model, ReplicationStreams(1, [0]), np.array([0], dtype=np.int32))
    population.add(np.array([0]), np.array([0]), np.zeros(1), np.zeros(1), month=0)
    # a state the engine never makes: only a case given an age has an AOW moment
    population.aow_at[0] = population.t_next[0] = 10.0
    population.fires[0] = False
    with pytest.raises(RuntimeError, match=r"day 10\.0000 .*1 case\(s\).*person ids \[0\]"):
        population.advance_to(0, 20.0)
