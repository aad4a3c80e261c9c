"""Diagnostics of the own year-level variance on the backtest's folds (2016 from 2015, the same
seed and folds as benchmarks/backtest_gemeenten.py): the outer held-out log density of each form
and, per size class, the share of standardized residuals inside the normal 80% and 90% bands,
own part only (around the training folds' common shift) and with the national part added (no
shift, as a run centres its band). Evidence for calibration/gemeenten/README.md; nothing is
chosen by it.

    python benchmarks/ownvariance_diagnostics.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from simbijstand.estimation.pooled.fit import fit_pool
from simbijstand.estimation.pooled.national import last_growth, year_end_stocks
from simbijstand.estimation.pooled.ownvariance import FORMS, fit_form, log_density
from simbijstand.estimation.pooled.panel import read_years
from simbijstand.estimation.pooled.rates import uncounted_from_growth
from simbijstand.estimation.pooled.scores import size_class
from simbijstand.estimation.pooled.yearlevel import common_variance, residuals

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "calibration" / "data"
SEED, FOLDS = 20160101, 5
Z80, Z90 = 1.2816, 1.6449


def main() -> None:
    years = read_years(
        DATA / "cbs_gemeenten_bijstand_2015_2016.csv",
        REPO / "calibration" / "gemeenten" / "herindelingen-2016.csv",
        90100,
    )
    stocks = year_end_stocks(DATA / "cbs_37789ksz_uitkeringen_nederland_maand.csv",
                             dt.date(2016, 1, 1))  # fmt: skip
    year, following = years[2015], years[2016]
    uncounted = uncounted_from_growth(year, last_growth(stocks))
    common = common_variance(stocks)
    n = len(year.gemeenten)
    fold_of = np.random.default_rng(SEED).permutation(n) % FOLDS
    density = dict.fromkeys(FORMS, 0.0)
    own = {f: np.zeros(n) for f in FORMS}
    with_national = {f: np.zeros(n) for f in FORMS}
    for k in range(FOLDS):
        train, test = np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)
        pool = fit_pool(year.subset(train), uncounted, seed=SEED)
        fitted = residuals(pool.apply(year.subset(train)), following.stock[train])
        held = residuals(pool.apply(year.subset(test)), following.stock[test])
        for form in FORMS:
            model, shift = fit_form(fitted, form)
            density[form] += log_density(held, model, shift)
            w = held.base + model.variance(held.scale)
            own[form][test] = (held.residual - shift * held.scale) / np.sqrt(w)
            with_national[form][test] = held.residual / np.sqrt(w + common * held.scale**2)
    print("outer held-out log density, over kwadratisch:",
          {f: round(v - density["kwadratisch"], 1) for f, v in density.items()})  # fmt: skip
    classes = size_class(year.gemeenten, year.stock)
    for label, z in (("own part, given the shift", own), ("own + national", with_national)):
        print(label)
        for form in FORMS:
            print(f"  {form}: {_coverage(z[form], classes)}")


def _coverage(z: np.ndarray, classes: np.ndarray) -> str:
    parts = []
    for name in ("klein", "middel", "G4", "alle"):
        a = np.abs(z[classes == name] if name != "alle" else z)
        parts.append(f"{name} {np.mean(a < Z80):.0%}/{np.mean(a < Z90):.0%}")
    return "; ".join(parts)


if __name__ == "__main__":
    main()
