"""Loading a scenario: its file, its bases (`extends`) and its gemeenten's parameter files."""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from simbijstand.domain.calendar import add_months
from simbijstand.errors import ScenarioError
from simbijstand.scenario.checks import Problem, check_parameter_file, check_scenario
from simbijstand.scenario.checks_policy import check_policy
from simbijstand.scenario.checks_vangnet import check_vangnet
from simbijstand.scenario.problems import describe_validation_error
from simbijstand.scenario.schema import (
    SCENARIO_PATH_KEYS,
    ParameterFile,
    ScenarioFile,
    scenario_name,
)
from simbijstand.scenario.schema_base import name_problem
from simbijstand.scenario.toml_io import MergedToml, load_with_extends, read_toml

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Scenario:
    """A validated scenario with everything it refers to loaded."""

    name: str
    path: Path
    spec: ScenarioFile
    parameters: Mapping[str, ParameterFile]  # per gemeente, in the scenario's order
    files: tuple[Path, ...]  # every input file read: scenario chain, then parameter files
    source: MergedToml  # the merged data with the file each key came from, for messages

    @property
    def start(self) -> dt.date:
        return self.spec.simulatie.start

    @property
    def months(self) -> int:
        return self.spec.simulatie.horizon_maanden

    @property
    def end(self) -> dt.date:
        return add_months(self.start, self.months)

    @property
    def gemeenten(self) -> list[str]:
        return list(self.spec.gemeenten)

    def with_overrides(
        self, *, replications: int | None = None, seed: int | None = None
    ) -> Scenario:
        """The same scenario with the run settings a command line may override."""
        update: dict[str, Any] = {}
        if replications is not None:
            update["replicaties"] = replications
        if seed is not None:
            update["seed"] = seed
        if not update:
            return self
        try:
            checked = ScenarioFile.model_validate(
                self.spec.model_dump() | {"simulatie": self.spec.simulatie.model_dump() | update},
                strict=False,
            )
        except ValidationError as exc:
            raise ScenarioError(_override_problems(exc, self.path)) from None
        return Scenario(self.name, self.path, checked, self.parameters, self.files, self.source)


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge and validate a scenario file; raise ScenarioError listing every problem."""
    path = Path(path)
    merged = load_with_extends(path, SCENARIO_PATH_KEYS)
    unknown = _unknown_gemeenten(merged)
    if unknown:
        raise ScenarioError(unknown)
    spec = _validate(ScenarioFile, merged.data, merged.origin)
    parameters, parameter_files, problems = _load_parameters(spec, merged.origin)
    cross_checks = check_scenario(spec, parameters) + check_policy(spec, parameters)
    problems += [f"{merged.origin(where)}: {text}" for where, text in cross_checks]
    problems += check_vangnet(spec, merged.origin)
    problems += _file_name_problems(spec, path)
    if problems:
        raise ScenarioError(problems)
    return Scenario(
        name=scenario_name(spec, path),
        path=path,
        spec=spec,
        parameters=parameters,
        files=(*merged.files, *parameter_files),
        source=merged,
    )


def _file_name_problems(spec: ScenarioFile, path: Path) -> list[str]:
    """A scenario without `naam` is named after its file, which then must be a safe name."""
    problem = None if spec.naam is not None else name_problem(path.stem)
    if problem is None:
        return []
    return [
        f"{path}: the file name {path.stem!r} would be the scenario's name, but {problem}; "
        'add naam = "..." to the scenario, or rename the file'
    ]


OVERRIDES = {"replicaties": "replications (-n)", "seed": "seed (--seed)"}


def _override_problems(error: ValidationError, path: Path) -> list[str]:
    """The overridden run settings that fall outside the schema's range, named as the
    argument the caller gave (the scenario file itself was valid)."""
    problems = describe_validation_error(error, ScenarioFile, lambda _: path)
    for key, argument in OVERRIDES.items():
        problems = [p.replace(f"simulatie.{key} =", f"{argument} =") for p in problems]
    return problems


def load_parameter_file(path: Path) -> ParameterFile:
    data = read_toml(path)
    params = _validate(ParameterFile, data, lambda _: path)
    problems = _prefixed(path, check_parameter_file(params))
    if problems:
        raise ScenarioError(problems)
    return params


def _load_parameters(
    spec: ScenarioFile, origin: Callable[[tuple[str | int, ...]], Path]
) -> tuple[dict[str, ParameterFile], list[Path], list[str]]:
    parameters: dict[str, ParameterFile] = {}
    files: list[Path] = []
    problems: list[str] = []
    for name, gemeente in spec.gemeenten.items():
        path = Path(gemeente.parameters)
        if not path.is_file():
            key = ("gemeenten", name, "parameters")
            problems.append(f"{origin(key)}: gemeenten.{name}.parameters: no such file {path}")
            continue
        try:
            parameters[name] = load_parameter_file(path)
        except ScenarioError as exc:
            problems += exc.problems
            continue
        if path not in files:
            files.append(path)
    return parameters, files, problems


def _validate(
    model: type[M], data: dict[str, Any], origin: Callable[[tuple[str | int, ...]], Path]
) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(describe_validation_error(exc, model, origin)) from None


def _unknown_gemeenten(merged: MergedToml) -> list[str]:
    """A variant's table for a misspelt gemeente would otherwise read as a new gemeente with
    no parameters: name it as unknown, with the gemeenten its base does have."""
    tables = merged.data.get("gemeenten")
    if not isinstance(tables, dict):
        return []
    complete = [n for n, t in tables.items() if isinstance(t, dict) and "parameters" in t]
    problems = []
    for name, table in tables.items():
        if complete and isinstance(table, dict) and not {"parameters", "beginstand"} & set(table):
            close = difflib.get_close_matches(name, complete, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(
                f"{merged.origin(('gemeenten', name))}: gemeenten.{name}: unknown gemeente (no "
                f"parameters or beginstand); known: {', '.join(complete)}{hint}"
            )
    return problems


def _prefixed(path: Path, problems: list[Problem]) -> list[str]:
    return [f"{path}: {text}" for _, text in problems]
