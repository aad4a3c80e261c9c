"""The unemployment elasticity fit: recovery of a known value on synthetic series."""

from __future__ import annotations

import numpy as np

from simbijstand.estimation.elasticity import _simulate, fit_unemployment_elasticity


def test_a_known_elasticity_is_recovered() -> None:
    months = 17 * 12
    t = np.arange(months)
    unemployment = 5 + 1.5 * np.sin(t / 30) + 0.8 * np.sin(t / 11)
    smooth = np.convolve(unemployment, np.ones(12) / 12, mode="full")[:months]
    smooth[:11] = unemployment[:11]
    truth = _simulate(350_000.0, smooth / smooth[0], 0.6, 0.01, 0, 0.25 / 12)
    noise = np.exp(np.random.default_rng(1).normal(0, 0.005, months))
    fit = fit_unemployment_elasticity(truth * noise, unemployment, 2003 + t // 12)
    assert fit.lag_months == 0
    assert abs(fit.theta - 0.6) <= 3 * fit.standard_error + 0.02
    assert fit.standard_error < 0.2


def test_a_caseload_that_ignores_unemployment_gives_no_elasticity() -> None:
    months = 15 * 12
    t = np.arange(months)
    unemployment = 5 + 2 * np.sin(t / 25)
    flat = 300_000.0 * np.exp(0.001 * t)
    fit = fit_unemployment_elasticity(flat, unemployment, 2003 + t // 12)
    assert abs(fit.theta) < 0.1
