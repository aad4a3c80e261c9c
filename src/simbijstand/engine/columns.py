"""Growable columns of equal length: the storage under the population.

Rows are appended in bulk into buffers that double when full, and kept rows are moved to the
front in one pass when compacting; views of the first `size` rows are what callers use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simbijstand.engine.arrays import Ints


class ColumnStore:
    def __init__(
        self, dtypes: Mapping[str, type[np.generic]], defaults: Mapping[str, object]
    ) -> None:
        self.defaults = defaults
        self.size = 0
        # columns differ in dtype: callers know each column's own
        self._buffers: dict[str, NDArray[Any]] = {
            name: np.zeros(0, dtype=dtype) for name, dtype in dtypes.items()
        }

    def views(self) -> dict[str, NDArray[Any]]:
        return {name: buffer[: self.size] for name, buffer in self._buffers.items()}

    def append(self, columns: Mapping[str, NDArray[Any]], count: int) -> Ints:
        """Add `count` rows; missing columns take their default. Returns the new row numbers."""
        size = self.size + count
        if size > len(self._buffers[next(iter(self._buffers))]):
            self._grow(size)
        for name, buffer in self._buffers.items():
            buffer[self.size : size] = columns.get(name, self.defaults.get(name, 0))
        rows = np.arange(self.size, size)
        self.size = size
        return rows

    def keep(self, rows: Ints) -> None:
        """Keep only `rows` (ascending), moved to the front in their order."""
        for buffer in self._buffers.values():
            buffer[: len(rows)] = buffer[: self.size].take(rows)
        self.size = len(rows)

    def _grow(self, needed: int) -> None:
        # room for as many again: a run's first append (the initial caseload) is usually its
        # largest, and copying every column at the next month's inflow was a visible cost
        for name, buffer in self._buffers.items():
            bigger = np.empty(max(2 * needed, 2 * len(buffer)), dtype=buffer.dtype)
            bigger[: self.size] = buffer[: self.size]
            self._buffers[name] = bigger
