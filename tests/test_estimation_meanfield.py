"""The expected-flow model against closed forms, scipy's Van Loan integrals and the engine."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import polars as pl
import pytest
from scipy.linalg import expm

import simbijstand
from conftest import scenario_data, write_toml
from simbijstand.estimation.aggregate.meanfield import (
    GroupRates,
    MonthOperator,
    exp_integrals,
    initial_state,
    rates_from_parameters,
    stationary_stock,
)
from simbijstand.scenario import load_parameter_file

Z = 4.0


def one_group(mu: float | list[float], edges: tuple[int, ...] = (0,)) -> GroupRates:
    hazard = np.atleast_1d(np.asarray(mu, dtype=float))
    return GroupRates(hazard[None, :, None], np.zeros((1, 1)), np.array([1.0]), edges)


def test_one_group_with_inflow_follows_the_closed_form() -> None:
    """E[N(t)] = N0 e^(-mu t) + (lambda / mu)(1 - e^(-mu t)); exits = N0 + lambda t - N(t)."""
    mu, lam, n0 = 0.5, 120.0, 100.0
    rates = one_group(mu)
    operator = MonthOperator(rates)
    state, exits = initial_state(rates, [n0]), 0.0
    for _ in range(36):
        step = operator.step(state, lam / 12)
        state, exits = step.state, exits + step.uitstroom.sum()
    expected = n0 * np.exp(-mu * 3) + lam / mu * (1 - np.exp(-mu * 3))
    assert state.sum() == pytest.approx(expected, rel=1e-12)
    assert exits == pytest.approx(n0 + lam * 3 - expected, rel=1e-12)


def test_duration_bands_follow_the_exact_survival_of_the_steady_profile() -> None:
    """Without inflow, N(t) = N0 int S(d + t) dd / int S(d) dd for the profile density S / int S."""
    hazard = np.array([0.34, 0.30, 0.26])
    rates = one_group(list(hazard), (0, 6, 24))
    operator = MonthOperator(rates)
    state = initial_state(rates, [500.0])
    d = np.linspace(0, 2000, 2_000_001)  # months
    per_month = np.where(d < 6, hazard[0], np.where(d < 24, hazard[1], hazard[2])) / 12
    survival = np.exp(-np.concatenate([[0], np.cumsum(per_month[:-1] * np.diff(d))]))
    total = np.trapezoid(survival, d)
    for month in range(37):
        if month % 12 == 0:
            k = round(month / (d[1] - d[0]))
            exact = 500 * np.trapezoid(survival[k:], d[k:] - d[k]) / total
            assert state.sum() == pytest.approx(exact, rel=1e-4)
        state = operator.step(state, 0.0).state


@pytest.mark.parametrize("scale", [0.05, 1.0, 5.0])
def test_exponential_integrals_match_the_van_loan_block_exponential(scale: float) -> None:
    rng = np.random.default_rng(1)
    q = rng.uniform(0, scale, (4, 4))
    q -= np.diag(q.sum(axis=1) + scale)
    n = len(q)
    block = np.zeros((3 * n, 3 * n))
    block[:n, :n], block[:n, n : 2 * n], block[n : 2 * n, 2 * n :] = q, np.eye(n), np.eye(n)
    times = np.array([0.3, 1.0, 2.5])
    e, f, g = exp_integrals(q, times)
    for i, t in enumerate(times):
        exact = expm(block * t)
        np.testing.assert_allclose(e[i], exact[:n, :n], atol=1e-13)
        np.testing.assert_allclose(f[i], exact[:n, n : 2 * n], atol=1e-13)
        np.testing.assert_allclose(g[i], exact[:n, 2 * n :], atol=1e-13)


def test_the_stationary_stock_is_where_the_months_lead() -> None:
    rates = GroupRates(
        exit=np.array([[[0.6], [0.3]], [[0.2], [0.1]]]),
        doorstroom=np.array([[0.0, 0.2], [0.05, 0.0]]),
        entry=np.array([0.7, 0.3]),
        edges=(0, 12),
    )
    operator = MonthOperator(rates)
    state = np.zeros((rates.cells, 2))
    for _ in range(1200):
        state = operator.step(state, 1.0).state
    np.testing.assert_allclose(stationary_stock(rates), state.sum(axis=0), rtol=2e-2)


TWO_GROUPS = {
    "schema_version": 1,
    "routes": ["werk", "overig"],
    "duurbanden_maanden": [0, 6, 24],
    "instroom": {"per_jaar": 300.0, "klantgroepen": {"a": 0.7, "b": 0.3}},
    "klantgroepen": {
        "a": {
            "uitstroom_per_jaar": 0.8,
            "uitstroom_routes": {"werk": 0.7, "overig": 0.3},
            "duur_factor": [1.5, 1.0, 0.4],
            "doorstroom_per_jaar": {"b": 0.3},
        },
        "b": {
            "uitstroom_per_jaar": 0.2,
            "uitstroom_routes": {"werk": 0.2, "overig": 0.8},
            "duur_factor": [1.2, 1.0, 0.8],
            "doorstroom_per_jaar": {"a": 0.1},
        },
    },
}


def test_expected_flows_agree_with_the_engine(tmp_path) -> None:
    """Stocks per klantgroep and exits per route, month by month, within Monte Carlo error
    (plus 0.5% for the model's two stated approximations)."""
    reps = 300
    write_toml(tmp_path / "params.toml", TWO_GROUPS)
    gemeenten = {
        "T": {"parameters": "params.toml", "beginstand": {"aantallen": {"a": 300, "b": 500}}}
    }
    scenario = scenario_data(months=24, replications=reps, seed=3, gemeenten=gemeenten)
    result = simbijstand.run(
        write_toml(tmp_path / "s.toml", scenario), out=tmp_path / "run", workers=1, keep_events=0
    )
    rates = rates_from_parameters(load_parameter_file(tmp_path / "params.toml"))
    state = initial_state(rates, np.array([300.0, 500.0]))
    stocks = result.caseload.group_by("date", "klantgroep").agg(
        m=pl.col("count").mean(), s=pl.col("count").std()
    )
    exits = (
        result.flows.filter(pl.col("event") == "uitstroom")
        .group_by("month", "route")
        .agg(c=pl.col("count").sum() / reps)
    )
    dates = sorted(result.caseload["date"].unique().to_list())
    for day, following in itertools.pairwise(dates):
        for g, name in enumerate(("a", "b")):
            row = stocks.filter((pl.col("date") == day) & (pl.col("klantgroep") == name)).row(
                0, named=True
            )
            allowed = Z * row["s"] / np.sqrt(reps) + 0.005 * row["m"] + 1e-9
            assert abs(row["m"] - state.sum(axis=0)[g]) <= allowed, (day, name)
        days = (following - day).days
        step = MonthOperator(rates, days).step(state, 300.0 * days / 365.25)
        for r, route in enumerate(("werk", "overig")):
            seen = exits.filter((pl.col("month") == day) & (pl.col("route") == route))["c"].sum()
            expected = step.uitstroom.sum(axis=0)[r]
            assert abs(seen - expected) <= Z * np.sqrt(expected / reps) + 0.005 * expected, (
                day,
                route,
            )
        state = step.state
    assert dates[0] == dt.date(2021, 1, 1)
