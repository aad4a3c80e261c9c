"""The shape a manifest must have before anything reads it: keys, types, and file names that stay
inside the run directory.

A manifest is a file a person can edit (or damage); readers index into it freely, so a missing
key or a list where a table belongs must be named here, once, instead of surfacing as a KeyError
or TypeError deep inside verify, replay or a report. A file name such as `../../etc/hostname`
would make verify read (and report on) a file outside the run.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

# key -> expected type; a dict value is a nested table, a one-element list an array of that shape
RunFile = "run-file"  # a relative path inside the run directory
SEGMENT = {"file": RunFile, "replications": [int], "rows": int, "sha256": str}
SHAPE: dict[str, Any] = {
    "manifest_version": int,
    "scenario": {"name": str, "file": str},
    "inputs": [{"file": str, "sha256": str}],
    "seed": int,
    "replications": int,
    "horizon": {"start": str, "end": str, "months": int},
    "gemeenten": [str],
    "klantgroepen": [{"gemeente": str, "klantgroep": str, "buig": bool}],
    "events": {"schema_version": int, "kept_replications": int, "segments": [SEGMENT]},
    "outputs": dict,
}
OPTIONAL: dict[str, Any] = {"checkpoints": [{"file": RunFile, "sha256": str}]}


def manifest_problems(data: object) -> list[str]:
    """What is wrong with the manifest's shape, one line per problem (empty when it is sound)."""
    if not isinstance(data, dict):
        return [f"expected a JSON object at the top, found {_kind(data)}"]
    problems = _table_problems(data, SHAPE, "")
    for key, shape in OPTIONAL.items():
        if key in data:
            problems += _value_problems(data[key], shape, key)
    outputs = data.get("outputs")
    if isinstance(outputs, dict):
        for name, sha in outputs.items():
            problems += _value_problems(name, RunFile, "outputs")
            problems += _value_problems(sha, str, f"outputs.{name}")
    return problems


def outside_run_directory(name: str) -> bool:
    """True for a name that is absolute or climbs out of the run directory."""
    path = PurePosixPath(name)
    return not name or path.is_absolute() or ".." in path.parts or "\\" in name or "\0" in name


def _table_problems(data: dict[str, Any], shape: dict[str, Any], where: str) -> list[str]:
    problems = []
    for key, expected in shape.items():
        path = f"{where}.{key}" if where else key
        if key not in data:
            problems.append(f"missing key '{path}'")
        else:
            problems += _value_problems(data[key], expected, path)
    return problems


def _value_problems(value: object, expected: Any, where: str) -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(value, dict):
            return [f"'{where}': expected an object, found {_kind(value)}"]
        return _table_problems(value, expected, where)
    if isinstance(expected, list):
        if not isinstance(value, list):
            return [f"'{where}': expected an array, found {_kind(value)}"]
        return [
            p
            for i, item in enumerate(value)
            for p in _value_problems(item, expected[0], f"{where}[{i}]")
        ]
    if expected is RunFile:
        if not isinstance(value, str):
            return [f"'{where}': expected a file name, found {_kind(value)}"]
        if outside_run_directory(value):
            return [f"'{where}' = {value!r}: names a file outside the run directory"]
        return []
    if (expected is int and isinstance(value, bool)) or not isinstance(value, expected):
        return [f"'{where}': expected {_names[expected]}, found {_kind(value)}"]
    return []


_names = {int: "a whole number", str: "a text", bool: "true or false", dict: "an object"}


def _kind(value: object) -> str:
    kinds = {
        dict: "an object",
        list: "an array",
        str: "a text",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }
    return "null" if value is None else kinds.get(type(value), type(value).__name__)
