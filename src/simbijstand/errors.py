"""The exceptions simbijstand raises for problems a user can fix.

Every message names where the problem is (file, key path or row), the bad value and what is
allowed. Only the CLI turns these into a one-line message and exit code 2; anything else that
escapes is a bug in simbijstand and keeps its traceback.
"""

from __future__ import annotations


class SimbijstandError(Exception):
    """Root of all user-facing errors."""


class ScenarioError(SimbijstandError):
    """A scenario or parameter file is missing, unreadable or invalid."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


class InputDataError(SimbijstandError):
    """A data file (CSV, event log) does not have the expected shape or values."""


class RunDirectoryError(SimbijstandError):
    """A run directory is missing, incomplete or would be overwritten."""


class DiskWriteError(RunDirectoryError):
    """A file could not be written: the disk is full, over quota, read-only or failing."""


class CapacityError(SimbijstandError):
    """A run too large for the memory it may use (admission control)."""


class FinanceError(SimbijstandError):
    """Input to a finance calculation (budget, expenditure, vangnet regime) is not allowed."""


class ExecutionError(SimbijstandError):
    """The machinery to run replications is missing or unusable (e.g. a Dask cluster)."""
