"""Names for the numpy array types the engine passes around, for type hints.

Shapes are not part of the type; the attribute or docstring that holds an array states its shape.
numpy's stubs type some results as Any (indexing with an integer, comparisons, reductions along
an axis, most of scipy): where a function returns one, a local with a declared type takes it
first, so mypy checks the return and the code stays as it runs.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray

Floats: TypeAlias = NDArray[np.float64]  # moments and durations in days, hazards, uniforms
Ints: TypeAlias = NDArray[np.int64]  # row numbers, ids, counts and the population's index columns
Int32s: TypeAlias = NDArray[np.int32]  # per-cell codes and replication numbers as stored
Bools: TypeAlias = NDArray[np.bool_]  # masks
# an event code column (cell, route) of any integer width: int64 while the engine works on it,
# the narrow type of EventBatch.typed() once recorded
Codes: TypeAlias = NDArray[np.integer[Any]]
