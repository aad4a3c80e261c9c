"""Golden outputs: seeded runs of two shipped scenarios, pinned to the last byte.

Any change to a number a run writes (a refactoring that reorders random draws, a changed
default, a new rounding) fails here, so it has to be deliberate and visible in the diff of this
file. The hashes were taken from the code before the package was restructured (issue 12) and
held through it. summary.csv is pinned as written. finance.parquet is pinned by its contents (the
table as CSV with every float in full): the Parquet bytes also carry the writer's version, which
changes with polars and not with our numbers.

When a change of numbers is intended: run the scenario as below, check the new figures, and put
the new hashes here with a line in the CHANGELOG saying what changed and why.
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
        "a10e30dbdc24cd742c12d9e1056a7dac17ee3f7c1c8ef3341987d61bf55342ce",
    ),
    # measures with capacity and queues
    "jongeren-begeleiding": (
        "23c3a375ca6d2dc43a99ec629d9e7326ebd9ac00d57a307ec8fc854f210fd4d6",
        "1180b24b86714fc5f46846bf5bfaed8501666763375903538273cc85005452e8",
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
