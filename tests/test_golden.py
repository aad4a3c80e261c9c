"""Golden outputs: seeded runs of two shipped scenarios, pinned to the last byte.

Any change to a number a run writes (a refactoring that reorders random draws, a changed
default, a new rounding) fails here, so it has to be deliberate and visible in the diff of this
file. The hashes were taken from the code before the package was restructured (issue 12) and
held through it. summary.csv is pinned as written. finance.parquet is pinned by its contents (the
table as CSV with every float in full): the Parquet bytes also carry the writer's version, which
changes with polars and not with our numbers.

When a change of numbers is intended: run the scenario as below, check the new figures, and put
the new hashes here with a line in the CHANGELOG saying what changed and why.

The finance hashes changed with issue 15: the cost per benefit-month follows the shipped bijstand
norms (scenario/regels.toml) by default, so 2022 rises by the norm's real rises (+1.2% in
January, +0.9% in July) instead of basis.toml's assumed 1.5%; caseloads are unchanged.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

import simbijstand
from simbijstand.store.rundir import FINANCE, SUMMARY

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
REPLICATIONS, SEED = 20, 11

GOLDEN = {
    # vangnet, budgets and statushouders (Steenwijkerland, second wave)
    "tweede-golf": (
        "70cfd1afe21ed6b653a5611f0463eb3e9ba27aa4c16bb8fbbb67bdcb1ccfbb39",
        "e9a275fa8fc43b08ba4f499c9c1687bf7f180dd41f62bf6bba433a58ae02172f",
    ),
    # measures with capacity and queues
    "jongeren-begeleiding": (
        "23c3a375ca6d2dc43a99ec629d9e7326ebd9ac00d57a307ec8fc854f210fd4d6",
        "7bbb64bd2fa30adb2731846b65c8c374b8be784b01e850afa677dedd1175aa35",
    ),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_seeded_run_writes_the_pinned_numbers(name: str, tmp_path: Path) -> None:
    summary_sha, finance_sha = GOLDEN[name]
    result = simbijstand.run(
        SCENARIOS / f"{name}.toml",
        replications=REPLICATIONS,
        seed=SEED,
        out=tmp_path / name,
        workers=1,
        report=False,
    )
    assert _sha256((result.run_dir / SUMMARY).read_bytes()) == summary_sha
    finance = pl.read_parquet(result.run_dir / FINANCE)
    assert _sha256(finance.write_csv(float_precision=None).encode()) == finance_sha


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
