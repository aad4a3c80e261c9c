"""Exceptions of the estimation package; both are `InputDataError`s, so the CLI reports them."""

from __future__ import annotations

from simbijstand.errors import InputDataError, ScenarioError


class EstimationError(InputDataError):
    """Data or settings that an estimator, metric or baseline cannot work with."""


class PrivacyError(InputDataError):
    """An import holds what looks like citizen service numbers (BSN) and was not pseudonymised."""


class ConfigError(ScenarioError):
    """A calibration config is missing, unreadable or invalid; `problems` lists every problem."""
