"""Out-of-sample backtest of the pooled gemeente calibration: 2016 forecast from 2015 alone.

Per gemeente (the 390 of 2016, 2015 converted to their boundaries): rates from 2015 shrunk
toward a pool fitted on the other folds (K-fold over gemeenten), the uncounted exits and the
common year-level variance from the national series up to December 2015, the own year-level
variance from the other folds' 2016 errors (their spread only); the engine forecasts 2016 from
the end-2015 stock (parameter draws and the year-level deviation on: its own part per gemeente,
its national part one draw per replication for all gemeenten, `gedeeld = "landelijk"`, as in
calibration/gemeenten/), and the median and the 80% and 90% bands (of the simulated stock
rounded to tens, as CBS publishes) are scored against 2016, coverage by the randomized PIT
(estimation/pooled/scores.py). The national total's band is shown, not scored; beside the
coverage, the spread one year's coverage has if the forecast is right (yearcoverage.py).
Baselines: last value (end 2015) and drift (end 2015 plus the change 2015, from the 2015 flows
and the uncounted exits: S_2015 - S_2014 = I - O - a X).

1000 replications by default, for the last digit. Every gemeente's median moves with the one
national draw per replication: with independent national draws the MAE of all gemeenten at 200
replications moved by several persons between seeds (39.6, 41.5 and 43.9 at three seeds); with
the antithetic pairs the engine now draws (engine/draws.py `SharedDraws`) 38.5, 38.4 and 38.2.

    python benchmarks/backtest_gemeenten.py                 # writes benchmarks/results/
    python benchmarks/backtest_gemeenten.py --replications 50 --out /tmp/x.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from simbijstand.estimation.pooled.backtest import backtest_year, table_text, year_coverage_text
from simbijstand.runs.gemeenten_sim import simulate_end_stocks

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "calibration" / "data"
RESULTS = REPO / "benchmarks" / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20160101)
    parser.add_argument("--out", type=Path, default=RESULTS / "accuracy-gemeenten.json")
    args = parser.parse_args()
    started = time.perf_counter()
    result = backtest_year(
        DATA / "cbs_gemeenten_bijstand_2015_2016.csv",
        REPO / "calibration" / "gemeenten" / "herindelingen-2016.csv",
        DATA / "cbs_37789ksz_uitkeringen_nederland_maand.csv",
        origin=dt.date(2016, 1, 1),
        simulate=lambda params, counts: simulate_end_stocks(
            params, counts, dt.date(2016, 1, 1), 12, args.replications, args.seed,
            workers=args.workers,
        ),
        folds=args.folds,
        seed=args.seed,
    )  # fmt: skip
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["replications"] = args.replications
    print(table_text(result["tabel"]))
    print("\nDe 80%-band van één jaar, als de prognose klopt:")
    print(year_coverage_text(result))
    total = result["totaal"]
    print(
        f"landelijk totaal: start {total['start']:.0f}, mediaan {total['mediaan']:.0f}, "
        f"80%-band {total['p10']:.0f}-{total['p90']:.0f}, waargenomen {total['waargenomen']:.0f}"
    )
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{args.out} ({result['seconds']} s)")


if __name__ == "__main__":
    main()
