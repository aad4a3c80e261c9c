"""Normal-normal empirical Bayes on log rates, with covariates.

Model: y_g = x_g' beta + u_g + e_g, u_g ~ N(0, tau^2) between gemeenten, e_g ~ N(0, v_g) the
known sampling variance of gemeente g's own estimate (Poisson count and CBS rounding).
beta and tau^2 maximise the marginal likelihood sum_g log N(y_g; x_g' beta, v_g + tau^2). The
posterior of theta_g = x_g' beta + u_g is normal with mean w_g y_g + (1 - w_g) x_g' beta and
variance w_g v_g (plus the pool mean's own estimation variance), w_g = tau^2 / (tau^2 + v_g):
w_g is how much of the estimate comes from the gemeente's own data, 1 - w_g from the pool.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.pooled import Floats


@dataclass(frozen=True, slots=True)
class Shrinkage:
    """A fitted pool: coefficients, between-gemeente variance, and each gemeente's posterior."""

    beta: Floats
    tau2: float
    pool_mean: Floats  # x_g' beta
    own_weight: Floats  # w_g
    posterior_mean: Floats
    posterior_variance: Floats

    beta_cov: Floats

    def posterior(self, y: Floats, v: Floats, covariates: Floats) -> tuple[Floats, Floats, Floats]:
        """Mean, variance and own weight for gemeenten shrunk toward this pool (also ones that
        were not in the fit: cross-fitting scores gemeenten the pool has not seen)."""
        pool = covariates @ self.beta
        weight = self.tau2 / (self.tau2 + v)
        pool_var = np.einsum("gi,ij,gj->g", covariates, self.beta_cov, covariates)
        mean = weight * y + (1 - weight) * pool
        return mean, weight * v + (1 - weight) ** 2 * pool_var, weight

    def log_likelihood(self, y: Floats, v: Floats, covariates: Floats) -> float:
        """Predictive log density of gemeenten' own log rates under the pool (for choosing
        covariates on gemeenten left out of the fit)."""
        w = v + self.tau2
        r = y - covariates @ self.beta
        return float(-0.5 * np.sum(np.log(2 * np.pi * w) + r * r / w))


def fit_shrinkage(y: Floats, v: Floats, covariates: Floats) -> Shrinkage:
    """Fit beta and tau^2 by maximum marginal likelihood and shrink every y_g (module docstring)."""
    if not (np.all(np.isfinite(y)) and np.all(v > 0) and len(y) > covariates.shape[1] + 1):
        raise EstimationError(
            f"pooled fit: needs finite log rates with positive variances for more gemeenten "
            f"({len(y)}) than covariates ({covariates.shape[1]}) + 1"
        )
    start = np.log(max(np.var(y) - np.mean(v), 1e-4))
    result = optimize.minimize_scalar(
        lambda log_tau2: _profile_nll(y, v, covariates, np.exp(log_tau2)),
        bounds=(start - 15, start + 5),
        method="bounded",
    )
    tau2 = float(np.exp(result.x))
    beta, beta_cov = _gls(y, v + tau2, covariates)
    fitted = Shrinkage(beta, tau2, *(np.empty(0),) * 4, beta_cov)
    # the pool mean is estimated too: its variance enters as far as the estimate leans on it
    mean, variance, weight = fitted.posterior(y, v, covariates)
    return Shrinkage(beta, tau2, covariates @ beta, weight, mean, variance, beta_cov)


def _gls(y: Floats, w: Floats, covariates: Floats) -> tuple[Floats, Floats]:
    """Weighted least squares with weights 1/w: beta and its covariance."""
    weighted = covariates / w[:, None]
    information = covariates.T @ weighted
    cov = np.linalg.inv(information)
    return cov @ (weighted.T @ y), cov


def _profile_nll(y: Floats, v: Floats, covariates: Floats, tau2: float) -> float:
    w = v + tau2
    beta, _ = _gls(y, w, covariates)
    r = y - covariates @ beta
    return float(0.5 * np.sum(np.log(w) + r * r / w))
