"""The values a parameter file holds, as functions of the free parameters, with their
uncertainty.

Each gemeente's file holds the point estimates in the engine's fields. Every value that depends
on the free parameters gets

- an interval in [intervallen]: on the log scale (log(1 + x) for the trend, logit for
  entry shares; the elasticity as is), log v(theta-hat) +/- z sd with sd^2 = J Sigma J^T,
  J = d log v / d theta (central differences) and Sigma the estimates' covariance (the delta
  method); with profile intervals, a value that depends on one parameter maps that
  parameter's profile bounds instead;
- a place in one [[onzekerheid]] block (lognormaal) with covariance J Sigma J^T over all of them,
  from which a run with parameteronzekerheid draws.

A parameter shared by several gemeenten is in each of their files; each file's draws are
independent of the others', so a scenario with several of them understates how much their
forecasts move together. `estimation.parameter_files` puts these values in the file's data.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from simbijstand.estimation.aggregate.aggregate import AggregateFitter

STEP = 1e-6


@dataclass(frozen=True, slots=True)
class KeyValue:
    key: str
    transform: str  # log | log1p | identity
    value: Callable[[np.ndarray], float]


def gemeente_values(fitter: AggregateFitter, gemeente: str) -> list[KeyValue]:
    """The parameter-file values of a gemeente as functions of theta."""
    param = fitter.param_
    keys = [
        KeyValue("instroom.per_jaar", "log", lambda t: param.inflow(t, gemeente).per_jaar),
        KeyValue(
            "instroom.trend_per_jaar",
            "log1p",
            lambda t: math.expm1(param.inflow(t, gemeente).trend_log),
        ),
    ]
    if param.spec.instroom.seizoen.schatten:
        keys += [
            KeyValue(f"instroom.seizoen[{m + 1}]", "log", _season(param, gemeente, m))
            for m in range(12)
        ]
    for g, group in enumerate(param.groups):
        keys.append(KeyValue(f"instroom.klantgroepen.{group}", "log", _entry(param, gemeente, g)))
    for group in param.groups:
        keys += _hazard_keys(param, gemeente, group)
    werkloosheid = param.spec.instroom.werkloosheid
    if werkloosheid is not None:
        keys.append(
            KeyValue(
                "instroom.werkloosheid.elasticiteit",
                "identity",
                lambda t: param.inflow(t, gemeente).elasticity,
            )
        )
    return keys


def _season(param, gemeente: str, month: int) -> Callable[[np.ndarray], float]:
    return lambda t: float(param.inflow(t, gemeente).season[month])


def _entry(param, gemeente: str, index: int) -> Callable[[np.ndarray], float]:
    return lambda t: float(param.entry(t, gemeente)[index])


def _hazard_keys(param, gemeente: str, group: str) -> list[KeyValue]:
    spec = param.spec.klantgroepen[group]
    keys = []
    for kind, table, field in (
        ("uitstroom", spec.uitstroom, "uitstroom"),
        ("doorstroom", spec.doorstroom, "doorstroom_per_jaar"),
    ):
        for target in table:
            keys.append(
                KeyValue(
                    f"klantgroepen.{group}.{field}.{target}",
                    "log",
                    _hazard(param, gemeente, group, kind, target),
                )
            )
    return keys


def _hazard(param, gemeente, group, kind, target) -> Callable[[np.ndarray], float]:
    return lambda t: param.hazard(t, gemeente, group, kind, target)


@dataclass(frozen=True, slots=True)
class Uncertain:
    """Values that depend on theta, with their log-scale covariance and intervals."""

    keys: list[str]
    point: np.ndarray
    covariance: np.ndarray  # of the transformed values (log, log1p or as is)
    lower: np.ndarray
    upper: np.ndarray
    drawable: np.ndarray  # may go into a lognormaal block


def uncertain_values(fitter: AggregateFitter, gemeente: str) -> Uncertain:
    theta, sigma = fitter.theta_, fitter.covariance_
    keys = [k for k in gemeente_values(fitter, gemeente) if _depends(k, theta)]
    if not keys:
        empty = np.zeros(0)
        return Uncertain([], empty, np.zeros((0, 0)), empty, empty, np.zeros(0, dtype=bool))
    jacobian = np.array([_gradient(k, theta) for k in keys])
    covariance = jacobian @ sigma @ jacobian.T
    z = stats.norm.ppf((1 + fitter.level) / 2)
    centre = np.array([_transformed(k, theta) for k in keys])
    sd = np.sqrt(np.clip(np.diag(covariance), 0, None))
    # shares get their interval on the logit scale, so it stays inside (0, 1):
    # d logit p = d log p / (1 - p)
    point = np.array([k.value(theta) for k in keys])
    share = np.array([k.key.startswith("instroom.klantgroepen.") for k in keys]) & (point < 1)
    logit_sd = sd / np.where(share, 1 - point, 1.0)
    lower, upper = _back(keys, centre - z * sd), _back(keys, centre + z * sd)
    if share.any():
        logit = np.log(point[share] / (1 - point[share]))
        lower[share] = _expit(logit - z * logit_sd[share])
        upper[share] = _expit(logit + z * logit_sd[share])
    if fitter.config.spec.model.intervallen == "profiel":
        lower, upper = _profile_mapped(fitter, keys, jacobian, lower, upper)
    drawable = np.array([k.transform != "identity" for k in keys])
    return Uncertain([k.key for k in keys], point, covariance, lower, upper, drawable)


def _expit(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _depends(key: KeyValue, theta: np.ndarray) -> bool:
    return bool(np.any(np.abs(_gradient(key, theta)) > 1e-10))


def _transformed(key: KeyValue, theta: np.ndarray) -> float:
    value = key.value(theta)
    if key.transform == "log":
        return math.log(value) if value > 0 else -math.inf
    if key.transform == "log1p":
        return math.log1p(value)
    return value


def _gradient(key: KeyValue, theta: np.ndarray) -> np.ndarray:
    result = np.zeros(len(theta))
    for i in range(len(theta)):
        step = np.zeros(len(theta))
        step[i] = STEP * max(1.0, abs(theta[i]))
        up, down = _transformed(key, theta + step), _transformed(key, theta - step)
        result[i] = (up - down) / (2 * step[i]) if np.isfinite(up - down) else 0.0
    return result


def _back(keys: list[KeyValue], values: np.ndarray) -> np.ndarray:
    out = []
    for key, value in zip(keys, values, strict=True):
        if key.transform == "log":
            out.append(math.exp(value))
        elif key.transform == "log1p":
            out.append(math.expm1(value))
        else:
            out.append(value)
    return np.array(out)


def _profile_mapped(fitter, keys, jacobian, lower, upper):
    """Values that depend on one free parameter take that parameter's profile bounds."""
    table = fitter.params_
    for k, key in enumerate(keys):
        used = np.flatnonzero(np.abs(jacobian[k]) > 1e-10)
        if len(used) != 1:
            continue
        i = int(used[0])
        bounds = []
        for column in ("theta_laag", "theta_hoog"):
            theta = fitter.theta_.copy()
            theta[i] = table[column][i]
            bounds.append(key.value(theta) if np.isfinite(theta[i]) else np.nan)
        low, high = sorted(bounds)
        if np.isfinite(low) and np.isfinite(high):  # else keep the Wald interval
            lower[k], upper[k] = low, high
    return lower, upper
