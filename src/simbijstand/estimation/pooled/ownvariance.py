"""The gemeente's own year-level variance as a function of its size, its form chosen out of sample.

Residuals of a year forecast from the year before (`yearlevel`): r_g = observed - expected end
stock, base_g the variance from chance, estimation and rounding, S_g the start stock, and

    r_g ~ N(c S_g, base_g + v(S_g)),   v(S) = lineair S + kappa S^(2 beta).

c, the year's common shift, is profiled out (its weighted least-squares value given the
variance): only the spread around it is learned, never its level. The candidate forms (FORMS):

- `kwadratisch`: v = kappa S^2, the own relative deviation the same at every size;
- `macht`: v = kappa S^(2 beta), a relative deviation S^(beta - 1) that shrinks with size for
  beta < 1 (a large gemeente's year is more of an average);
- `lineair_kwadratisch`: v = lineair S + kappa S^2, overdispersion of the counts (relative
  deviation 1/sqrt(S)) plus a part common to every size.

The form is chosen as the covariates are (`covariates.choose`): K folds over the gemeenten,
each form fitted by maximum likelihood on the other folds (c with it) and scored by the
predictive log density of the held-out residuals, N(c S, base + v(S)); a later form is taken
only if it scores better by more than MARGIN (both later forms hold `kwadratisch`, and where the
data say nothing more they reach its score up to the optimiser's last digits). Never by the
coverage of any band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.pooled import Floats

FORMS = ("kwadratisch", "macht", "lineair_kwadratisch")
FOLDS = 5
BETA_BOUNDS = (0.0, 1.5)  # beyond: a variance falling with size, or growing faster than S^3
MIN_GEMEENTEN = 10
MARGIN = 0.01  # nats over all held-out gemeenten: far below any difference that means anything


@dataclass(frozen=True, slots=True)
class OwnVariance:
    """v(S) = lineair S + kappa S^(2 beta): the own year-level variance of the end stock of a
    gemeente that starts the year with S (module docstring)."""

    form: str
    kappa: float
    beta: float = 1.0
    lineair: float = 0.0

    def variance(self, scale: Floats | float) -> Floats:
        s = np.asarray(scale, dtype=float)
        v: Floats = self.lineair * s + self.kappa * s ** (2 * self.beta)
        return v

    def relative_sd(self, scale: float) -> float:
        """sd of the own part relative to the start stock, for a gemeente of `scale`."""
        return float(np.sqrt(self.variance(scale)) / scale)


@dataclass(frozen=True, slots=True)
class Residuals:
    residual: Floats
    base: Floats
    scale: Floats

    def __post_init__(self) -> None:
        if len(self.residual) < MIN_GEMEENTEN:
            raise EstimationError(
                f"year-level variance: needs {MIN_GEMEENTEN} or more gemeenten, "
                f"got {len(self.residual)}"
            )

    def subset(self, rows: np.ndarray) -> Residuals:
        return Residuals(self.residual[rows], self.base[rows], self.scale[rows])


@dataclass(frozen=True, slots=True)
class OwnVarianceFit:
    """The chosen form fitted on all residuals, and every form's held-out log density."""

    model: OwnVariance
    held_out: dict[str, float]  # form -> summed predictive log density over the folds
    folds: int


def fit_own_variance(res: Residuals, *, folds: int = FOLDS, seed: int = 0) -> OwnVarianceFit:
    """Choose the form by K-fold predictive log density, then fit it on all (module docstring)."""
    held_out = held_out_scores(res, folds, seed)
    best = FORMS[0]
    for form in FORMS[1:]:
        if held_out[form] > held_out[best] + MARGIN:
            best = form
    return OwnVarianceFit(fit_form(res, best)[0], held_out, folds)


def held_out_scores(res: Residuals, folds: int, seed: int) -> dict[str, float]:
    """Per form, the predictive log density of each fold's residuals under the fit on the rest."""
    fold = np.random.default_rng(seed).permutation(len(res.residual)) % folds
    scores = dict.fromkeys(FORMS, 0.0)
    for k in range(folds):
        train, test = res.subset(fold != k), res.subset(fold == k)
        for form in FORMS:
            model, shift = fit_form(train, form)
            scores[form] += log_density(test, model, shift)
    return scores


def log_density(res: Residuals, model: OwnVariance, shift: float) -> float:
    """sum log N(r; c S, base + v(S))."""
    w = res.base + model.variance(res.scale)
    e = res.residual - shift * res.scale
    return float(-0.5 * np.sum(np.log(2 * np.pi * w) + e * e / w))


def fit_form(res: Residuals, form: str) -> tuple[OwnVariance, float]:
    """Maximum likelihood of one form; returns the model and the profiled shift c."""
    if form not in FORMS:
        raise EstimationError(f"year-level variance: form {form!r}; allowed: {', '.join(FORMS)}")
    # the variance at a typical size S0 is the free level, so both parameters are of order one
    s0 = float(np.median(res.scale[res.scale > 0])) if np.any(res.scale > 0) else 1.0
    build = _BUILDERS[form]

    def nll(params: Floats) -> float:
        model = build(params, s0)
        return -log_density(res, model, _shift(res, model))

    best = None
    for start in _STARTS[form]:
        result = optimize.minimize(
            nll, start, method="Nelder-Mead", bounds=_BOUNDS[form],
            options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 8000},
        )  # fmt: skip
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None
    model = build(best.x, s0)
    return model, _shift(res, model)


def _shift(res: Residuals, model: OwnVariance) -> float:
    """c maximising the likelihood given the variance: weighted least squares of r on S."""
    w = res.base + model.variance(res.scale)
    denominator = float(np.sum(res.scale**2 / w))
    return float(np.sum(res.residual * res.scale / w)) / denominator if denominator > 0 else 0.0


def _quadratic(params: Floats, s0: float) -> OwnVariance:
    return OwnVariance("kwadratisch", float(np.exp(params[0])))


def _power(params: Floats, s0: float) -> OwnVariance:
    # kappa S^(2 beta) = k S0^2 (S / S0)^(2 beta): k is the relative variance at S0
    beta = float(params[1])
    return OwnVariance("macht", float(np.exp(params[0])) * s0 ** (2 - 2 * beta), beta)


def _linear_quadratic(params: Floats, s0: float) -> OwnVariance:
    # lineair S0 is the linear part's variance at S0, k S0^2 the quadratic part's
    return OwnVariance(
        "lineair_kwadratisch", float(np.exp(params[1])), lineair=float(np.exp(params[0])) * s0
    )


_BUILDERS = {"kwadratisch": _quadratic, "macht": _power, "lineair_kwadratisch": _linear_quadratic}
_LOG_BOUNDS = (-30.0, 5.0)  # of a relative variance: e^-30 is none, e^5 far beyond any data
_BOUNDS = {
    "kwadratisch": [_LOG_BOUNDS],
    "macht": [_LOG_BOUNDS, BETA_BOUNDS],
    "lineair_kwadratisch": [_LOG_BOUNDS, _LOG_BOUNDS],
}
_STARTS = {
    "kwadratisch": [np.array([np.log(1e-3)])],
    "macht": [np.array([np.log(1e-3), 1.0]), np.array([np.log(1e-3), 0.5])],
    "lineair_kwadratisch": [np.array([np.log(1e-3), np.log(1e-3)]),
                            np.array([np.log(1e-1), np.log(1e-5)])],
}  # fmt: skip
