"""Reading TOML files and applying `extends`: a variant is its base with the variant's keys on top.

Tables merge key by key; any other value (including arrays) replaces the base's value. Paths are
resolved against the file that wrote them, so a base's `parameters = "../calibration/..."` keeps
working from a variant in another folder. Each key remembers the file it came from, so errors can
name the right file.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simbijstand.errors import ScenarioError

KeyPath = tuple[str | int, ...]
MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class MergedToml:
    """A scenario's data after `extends`, with the file each key came from."""

    data: dict[str, Any]
    origins: dict[KeyPath, Path]
    files: tuple[Path, ...]  # the variant first, then its bases

    def origin(self, path: KeyPath) -> Path:
        """The file that set `path`, or the nearest enclosing table's file."""
        for length in range(len(path), 0, -1):
            if path[:length] in self.origins:
                return self.origins[path[:length]]
        return self.files[0]


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file, turning every way it can fail into a ScenarioError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([f"{path}: file not found"]) from None
    except IsADirectoryError:
        raise ScenarioError([f"{path}: is a directory, expected a TOML file"]) from None
    except OSError as exc:
        raise ScenarioError([f"{path}: cannot read file ({exc.strerror})"]) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ScenarioError([f"{path}: not UTF-8 text (byte {exc.start})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([f"{path}: not valid TOML: {exc}"]) from None
    except RecursionError:
        # tomllib recurses once per nesting level; thousands of `[` exhaust the stack
        raise ScenarioError(
            [f"{path}: not valid TOML: arrays or tables nested too deeply"]
        ) from None
    depth = nesting_depth(data)
    if depth > MAX_DEPTH:
        raise ScenarioError(
            [
                f"{path}: tables or arrays nested {depth} levels deep; at most {MAX_DEPTH} "
                "are allowed (scenario and parameter files need fewer than 10)"
            ]
        )
    return data


def nesting_depth(data: Any) -> int:
    """How deeply tables and arrays nest, counted without recursion: a header such as
    [a.a.a...] thousands deep parses fine but would exhaust the stack of every recursive
    walk after it (merging, validation)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        children = value.values() if isinstance(value, dict) else value
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return deepest


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_with_extends(path: Path, path_keys: tuple[KeyPath, ...]) -> MergedToml:
    """Read `path` and its chain of bases, resolve path-valued keys, and merge.

    `path_keys` name the keys holding file paths; `*` in a key path matches any table key.
    """
    chain: list[Path] = []
    layers: list[dict[str, Any]] = []
    current: Path | None = path.resolve()
    while current is not None:
        if current in chain:
            cycle = " -> ".join(str(p) for p in [*chain, current])
            raise ScenarioError([f"{chain[-1]}: extends forms a cycle: {cycle}"])
        data = read_toml(current)
        chain.append(current)
        current = _base_of(current, data)
        _resolve_paths(data, current_dir=chain[-1].parent, path_keys=path_keys)
        layers.append(data)

    merged: dict[str, Any] = {}
    origins: dict[KeyPath, Path] = {}
    for data, source in zip(reversed(layers), reversed(chain), strict=True):
        _merge_into(merged, data, source, (), origins)
    return MergedToml(data=merged, origins=origins, files=tuple(chain))


def _base_of(path: Path, data: dict[str, Any]) -> Path | None:
    base = data.pop("extends", None)
    if base is None:
        return None
    if not isinstance(base, str) or not base:
        raise ScenarioError([f"{path}: extends = {base!r}: expected the path of a base file"])
    resolved = (path.parent / base).resolve()
    if not resolved.is_file():
        raise ScenarioError([f"{path}: extends = {base!r}: no such file ({resolved})"])
    return resolved


def _resolve_paths(data: dict[str, Any], current_dir: Path, path_keys: tuple[KeyPath, ...]) -> None:
    for key_path in path_keys:
        for parent, key in _find(data, key_path):
            value = parent[key]
            if isinstance(value, str) and value:
                parent[key] = str((current_dir / value).resolve())


def _find(data: Any, key_path: KeyPath) -> list[tuple[dict[str, Any], str]]:
    """(parent table, key) pairs that match `key_path`, with `*` matching any key."""
    if not isinstance(data, dict) or not key_path:
        return []
    head, rest = key_path[0], key_path[1:]
    keys = list(data) if head == "*" else [head] if head in data else []
    if not rest:
        return [(data, str(k)) for k in keys]
    return [hit for k in keys for hit in _find(data[k], rest)]


def _merge_into(
    target: dict[str, Any],
    layer: dict[str, Any],
    source: Path,
    prefix: KeyPath,
    origins: dict[KeyPath, Path],
) -> None:
    for key, value in layer.items():
        path = (*prefix, key)
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge_into(target[key], value, source, path, origins)
            continue
        target[key] = _copy(value)
        for stale in [p for p in origins if p[: len(path)] == path]:
            del origins[stale]
        _record_origins(value, source, path, origins)


def _record_origins(value: Any, source: Path, path: KeyPath, origins: dict[KeyPath, Path]) -> None:
    origins[path] = source
    if isinstance(value, dict):
        for key, inner in value.items():
            _record_origins(inner, source, (*path, key), origins)


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
