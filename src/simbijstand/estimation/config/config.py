"""Loading a calibration config: read, resolve paths, validate, cross-check.

Every problem names the config file, the key path and what is allowed; all problems are
reported at once (`ConfigError.problems`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simbijstand.errors import ScenarioError
from simbijstand.estimation.config.checks import check_config
from simbijstand.estimation.config.schema import CONFIG_PATH_KEYS, KalibratieConfig, Reeks
from simbijstand.estimation.errors import ConfigError
from simbijstand.scenario.problems import describe_validation_error, format_key_path
from simbijstand.scenario.toml_io import file_sha256, read_toml


@dataclass(frozen=True, slots=True)
class CalibrationConfig:
    """A validated calibration config, its paths resolved against its folder."""

    path: Path
    spec: KalibratieConfig
    sha256: str

    def reeks(self, name: str) -> Reeks:
        return next(r for r in self.spec.reeks if r.naam == name)

    @property
    def gemeenten(self) -> list[str]:
        return list(self.spec.gemeenten)

    @property
    def klantgroepen(self) -> list[str]:
        return list(self.spec.klantgroepen)

    @property
    def buig_groups(self) -> list[str]:
        return [name for name, group in self.spec.klantgroepen.items() if group.buig]


def load_config(path: str | Path) -> CalibrationConfig:
    """Read and check a calibration config; raise ConfigError listing every problem."""
    path = Path(path)
    try:
        data = read_toml(path)
    except ScenarioError as exc:
        raise ConfigError(exc.problems) from None
    _resolve_paths(data, path.resolve().parent)
    try:
        spec = KalibratieConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            describe_validation_error(exc, KalibratieConfig, lambda _: path)
        ) from None
    problems = [f"{path}: {format_key_path(where)}: {text}" for where, text in check_config(spec)]
    if problems:
        raise ConfigError(problems)
    return CalibrationConfig(path, spec, file_sha256(path))


def _resolve_paths(data: dict[str, Any], folder: Path) -> None:
    for key_path in CONFIG_PATH_KEYS:
        for parent, key in _find(data, key_path):
            value = parent[key]
            if isinstance(value, str) and value:
                parent[key] = str((folder / value).resolve())


def _find(data: Any, key_path: tuple[str | int, ...]) -> list[tuple[Any, Any]]:
    """(container, key) pairs matching `key_path`; `*` matches every table key or array entry."""
    if not key_path:
        return []
    head, rest = key_path[0], key_path[1:]
    if isinstance(data, dict):
        keys: list[Any] = list(data) if head == "*" else [head] if head in data else []
    elif isinstance(data, list) and head == "*":
        keys = list(range(len(data)))
    else:
        return []
    if not rest:
        return [(data, k) for k in keys]
    return [hit for k in keys for hit in _find(data[k], rest)]
