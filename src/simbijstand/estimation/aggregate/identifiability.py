"""Which free parameters the data pin down: the identifiability report.

From the observed information H (the Hessian of -l at the estimate), the covariance is H^-1 and
each parameter's standard error se. A parameter counts as

- "bepaald door de data" when se <= 0.3 s,
- "zwak bepaald" when 0.3 s < se <= s,
- "nauwelijks bepaald" when se > s,

with s the scale on which a change matters (see `parametrisation.PRIOR_SCALE`: a factor e for
rates, 0.1 a year for the trend, ...). Pairs whose estimates correlate beyond 0.95 are reported:
the data pin down their combination more than each. When H is singular (an eigenvalue at or
below 1e-9 of the largest) some combination of parameters is not identified at all; the fit is
refused with the parameters involved, to be fixed as assumptions with their source. Parameters
the config fixes are listed in the report as assumptions, never mixed with these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simbijstand.estimation.aggregate.parametrisation import PRIOR_SCALE, FreeParameter
from simbijstand.estimation.errors import EstimationError

SINGULAR = 1e-9
PINNED, WEAK = 0.3, 1.0
CORRELATED = 0.95
STATUS = ("bepaald door de data", "zwak bepaald", "nauwelijks bepaald")


@dataclass(frozen=True, slots=True)
class Identifiability:
    covariance: np.ndarray
    status: list[str]
    correlated: list[tuple[str, str, float]]


def assess(parameters: list[FreeParameter], information: np.ndarray) -> Identifiability:
    if len(parameters) == 0:
        return Identifiability(np.zeros((0, 0)), [], [])
    symmetric = (information + information.T) / 2
    eigenvalues, vectors = np.linalg.eigh(symmetric)
    weak = eigenvalues <= SINGULAR * max(eigenvalues.max(), 1e-300)
    if weak.any():
        involved = np.flatnonzero(np.abs(vectors[:, weak]).max(axis=1) > 0.1)
        names = ", ".join(parameters[i].name for i in involved)
        raise EstimationError(
            f"the data do not identify {names}: only a combination of them is pinned down (the "
            "information matrix is singular). Fix one or more of them in the config as an "
            'assumption, { waarde = ..., bron = "..." }, or add data that separate them'
        )
    covariance = vectors @ np.diag(1 / eigenvalues) @ vectors.T
    se = np.sqrt(np.diag(covariance))
    scale = np.array([PRIOR_SCALE.get(p.kind, 1.0) for p in parameters])
    ratio = se / scale
    status = [STATUS[0] if r <= PINNED else STATUS[1] if r <= WEAK else STATUS[2] for r in ratio]
    correlation = covariance / np.outer(se, se)
    pairs = [
        (parameters[i].name, parameters[j].name, float(correlation[i, j]))
        for i in range(len(parameters))
        for j in range(i)
        if abs(correlation[i, j]) > CORRELATED
    ]
    return Identifiability(covariance, status, pairs)
