"""Checked conversion of series to float arrays for metrics and baselines."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simbijstand.estimation.errors import EstimationError

ArrayLike = Sequence[float] | np.ndarray


def as_series(values: ArrayLike, name: str, *, min_length: int = 1) -> np.ndarray:
    """A finite 1-D float array of at least `min_length` values."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise EstimationError(f"{name}: expected a 1-dimensional series, got shape {array.shape}")
    if array.size < min_length:
        raise EstimationError(f"{name}: {array.size} value(s); at least {min_length} needed")
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise EstimationError(
            f"{name}[{bad[0]}] = {array[bad[0]]}: every value must be a finite number"
        )
    return array


def same_length(**series: np.ndarray) -> None:
    lengths = {name: len(values) for name, values in series.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{name} {n}" for name, n in lengths.items())
        raise EstimationError(f"series of different lengths ({shown}); compare the same periods")
