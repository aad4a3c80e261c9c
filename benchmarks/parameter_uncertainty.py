"""What parameter uncertainty costs in a run: scenarios/basis-gekalibreerd.toml (Steenwijkerland,
~1,250 cases, 42 months) with and without `parameteronzekerheid`, one worker each.

Replications with their own parameters run one per batch (the engine's hazard tables are shared
by a batch), so a small gemeente loses the batching across replications; a national run already
runs one replication per batch.

    python benchmarks/parameter_uncertainty.py [--replications 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import simbijstand

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "scenarios" / "basis-gekalibreerd.toml"


def timed(flag: bool, replications: int, folder: Path) -> float:
    scenario = simbijstand.load_scenario(SCENARIO).with_overrides(replications=replications)
    spec = scenario.spec.model_copy(
        update={
            "simulatie": scenario.spec.simulatie.model_copy(update={"parameteronzekerheid": flag})
        }
    )
    scenario = type(scenario)(
        scenario.name, scenario.path, spec, scenario.parameters, scenario.files
    )
    started = time.perf_counter()
    simbijstand.run(scenario, out=folder / f"run-{flag}", workers=1, keep_events=0)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        plain = timed(False, args.replications, Path(folder))
        drawn = timed(True, args.replications, Path(folder))
    print(f"{args.replications} replications, one worker")
    print(f"  chance only:                 {plain:6.2f} s")
    print(f"  with parameter uncertainty:  {drawn:6.2f} s  ({drawn / plain:.1f} x)")


if __name__ == "__main__":
    main()
