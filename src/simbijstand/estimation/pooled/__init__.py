"""Pooled calibration of every gemeente at once: rates drawn toward the pool as far as a
gemeente's own data are thin, and the variation that remains turned into what a run draws."""

import numpy as np
from numpy.typing import NDArray

Floats = NDArray[np.float64]  # the engine's alias; estimation may not import the engine
