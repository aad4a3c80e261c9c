"""Valid input files, ways to break them, and the one outcome allowed for any input: a clean
SimbijstandError naming a file, or a complete run; never a traceback, a hang or a partial output.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import strategies as st

import simbijstand
from simbijstand.errors import SimbijstandError
from simbijstand.runs.run import admitted_chunks

SECONDS_PER_EXAMPLE = 30  # far above any honest example (< 1 s): more means a hang
MAX_EXPECTED_CASES = 200_000
FUZZ_MEMORY = 2 * 2**30  # valid but large scenarios are checked, not run (time, not bugs)

PARAMETERS: dict[str, Any] = {
    "schema_version": 1,
    "routes": ["werk", "overig"],
    "duurbanden_maanden": [0, 6, 12],
    "instroom": {
        "per_jaar": 40.0,
        "trend_per_jaar": 0.01,
        "seizoen": [1.2, 1.1, 1.0, 1.0, 0.9, 0.8, 0.8, 0.9, 1.0, 1.1, 1.1, 1.1],
        "klantgroepen": {"a": 0.6, "b": 0.4},
    },
    "klantgroepen": {
        "a": {
            "uitstroom_per_jaar": 0.8,
            "uitstroom_routes": {"werk": 0.7, "overig": 0.3},
            "duur_factor": [1.4, 1.0, 0.6],
            "doorstroom_per_jaar": {"b": 0.2},
        },
        "b": {
            "regeling": "geplaatst",
            "uitstroom_per_jaar": 0.3,
            "uitstroom_routes": {"werk": 0.2, "overig": 0.8},
        },
    },
}
SCENARIO: dict[str, Any] = {
    "naam": "fuzz",
    "beschrijving": "a small valid scenario to mutate",
    "simulatie": {
        "start": dt.date(2021, 1, 1),
        "horizon_maanden": 6,
        "replicaties": 2,
        "seed": 3,
    },
    "gemeenten": {
        "Testdorp": {"parameters": "params.toml", "beginstand": {"bestand": "beginstand.csv"}}
    },
    "kosten": {
        "prijsjaar": 2021,
        "per_maand": {"participatiewet": 1000.0, "geplaatst": 500.0},
        "indexatie_per_jaar": 0.02,
        "indexatie": {"2022": 0.05},
    },
    "multiplicator": [{"van": dt.date(2021, 3, 1), "tot": dt.date(2021, 5, 1), "instroom": 1.5}],
    "historie": {"bestand": "historie.csv"},
}
BEGINSTAND = "klantgroep,aantal,duur_vanaf_maanden\na,30,0\na,20,6\nb,25,12\n"
HISTORIE = "datum,gemeente,aantal\n2020-01-01,Testdorp,70\n2020-07-01,totaal,75\n"
FILES = ("scenario.toml", "params.toml", "beginstand.csv", "historie.csv")


def write_valid(folder: Path) -> dict[str, str]:
    texts = {
        "scenario.toml": tomli_w.dumps(SCENARIO),
        "params.toml": tomli_w.dumps(PARAMETERS),
        "beginstand.csv": BEGINSTAND,
        "historie.csv": HISTORIE,
    }
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return texts


# --- strategies ---------------------------------------------------------------------------


def odd_values() -> st.SearchStrategy[Any]:
    """Values of every TOML type, with the extremes: huge, tiny, negative, NaN, infinity."""
    scalars = st.one_of(
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.sampled_from([0, -1, 1, 10**18, 2**63 - 1]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.sampled_from([0.0, -0.0, 1e-300, 1e300, float("nan"), float("inf"), -float("inf")]),
        st.text(max_size=12),
        st.sampled_from(["", "a", "werk", "../params.toml", "nul\x00byte", "é" * 3]),
        st.booleans(),
        st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    )
    return st.one_of(
        scalars,
        st.lists(scalars, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=6), scalars, max_size=3),
    )


def key_paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in nested tables and arrays (array entries by index)."""
    paths: list[tuple[Any, ...]] = []
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        path = (*prefix, key)
        paths.append(path)
        if isinstance(value, dict | list):
            paths += key_paths(value, path)
    return paths


@st.composite
def mutated_toml(draw: st.DrawFn, original: dict[str, Any]) -> dict[str, Any]:
    """The data with 1-3 keys deleted, replaced by odd values, or joined by unknown keys."""
    data = json.loads(json.dumps(original, default=str))  # a deep copy; dates become text
    data = _restore_dates(original, data)
    for _ in range(draw(st.integers(1, 3))):
        paths = key_paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _get(data, path[:-1])
        operation = draw(st.sampled_from(["delete", "replace", "add"]))
        if operation == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif operation == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(odd_values())
        else:
            parent[path[-1]] = draw(odd_values())
    return data


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> bytes:
    """The file's bytes cut short, with a slice removed or garbage (or a line) inserted."""
    data = text.encode()
    position = draw(st.integers(0, len(data)))
    operation = draw(st.sampled_from(["truncate", "delete", "insert", "duplicate_line"]))
    if operation == "truncate":
        return data[:position]
    if operation == "delete":
        return data[:position] + data[position + draw(st.integers(1, 20)) :]
    if operation == "insert":
        junk = draw(
            st.one_of(st.binary(min_size=1, max_size=8), st.text(max_size=8).map(str.encode))
        )
        return data[:position] + junk + data[position:]
    lines = data.splitlines(keepends=True)
    index = draw(st.integers(0, max(len(lines) - 1, 0)))
    return b"".join(lines[: index + 1] + lines[index:])


@st.composite
def mutated_csv(draw: st.DrawFn, text: str) -> str:
    """A CSV with odd cells, a column dropped or added, or rows removed or repeated."""
    rows = [line.split(",") for line in text.splitlines()]
    cell = st.one_of(
        st.sampled_from(["", "-1", "NaN", "inf", "1e400", "99999999999999999999", "3.5", "0x10"]),
        st.sampled_from(['"', '"a,b"', "a", "b", "totaal", "2020-02-30", " 1", "\ufeff"]),
        st.text(max_size=6).filter(lambda s: "\n" not in s and "\r" not in s),
    )
    for _ in range(draw(st.integers(1, 3))):
        operation = draw(st.sampled_from(["cell", "drop_column", "add_column", "rows"]))
        row = draw(st.integers(0, len(rows) - 1))
        column = draw(st.integers(0, len(rows[0]) - 1))
        if operation == "cell":
            rows[row][column] = draw(cell)
        elif operation == "drop_column":
            rows = [r[:column] + r[column + 1 :] for r in rows]
        elif operation == "add_column":
            rows = [[*r, draw(cell)] for r in rows]
        else:
            rows = draw(st.lists(st.sampled_from(rows), max_size=6))
        if not rows or not rows[0]:
            return ""
    return "".join(",".join(r) + "\n" for r in rows)


# --- the property ---------------------------------------------------------------------------


class HangError(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise HangError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def assert_clean_outcome(folder: Path) -> str:
    """Run the scenario in `folder`: a clean error naming an input file, or a whole run.

    Returns "error" or "run" (or "valid" for a valid scenario too large to run here).
    """
    out = folder / "run"
    try:
        with time_limit(SECONDS_PER_EXAMPLE):
            prepared = simbijstand.prepare(folder / "scenario.toml")
            # admission control refuses (naming scenario.toml) what a small machine cannot hold
            admitted_chunks(prepared, workers=1, max_memory=FUZZ_MEMORY)
            if _expected_cases(prepared) > MAX_EXPECTED_CASES:
                return "valid"
            simbijstand.run(prepared.scenario, out=out, workers=1)
    except SimbijstandError as exc:
        message = str(exc)
        assert any(name in message for name in FILES), message
        assert "Traceback" not in message
        assert not (out / "manifest.json").exists()
        return "error"
    manifest = json.loads((out / "manifest.json").read_text())
    assert all((out / name).is_file() for name in manifest["outputs"])
    return "run"


def _expected_cases(prepared: simbijstand.runs.run.Prepared) -> float:
    model = prepared.model
    per_replication = model.expected_initial_size() + float(model.inflow_mean.sum())
    return per_replication * prepared.scenario.spec.simulatie.replicaties


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _restore_dates(original: Any, copy: Any) -> Any:
    if isinstance(original, dict):
        return {k: _restore_dates(original[k], copy[k]) for k in original}
    if isinstance(original, list):
        return [_restore_dates(o, c) for o, c in zip(original, copy, strict=True)]
    return original if isinstance(original, dt.date) else copy
