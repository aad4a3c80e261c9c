"""Rolling-origin backtest of the national calibration (calibration/nederland/kalibratie.toml).

Origins: 1 January of every year 2006-2023; horizons 12 and 24 months. At each origin the
calibration is refitted on the five years before it (from January 2004 at the earliest: the
unemployment average needs 2003), the engine forecasts from the fitted state with 40
replications (parameter uncertainty on, the inflow deviation from its filtered start, its
spread widened by the inflation calibrated on earlier origins only), and the forecast is scored
against the CBS total (bijstand_totaal) with the baselines beside it. The 12-month score is the
first year of the 24-month run. The same as

    simbijstand backtest calibration/nederland/kalibratie.toml --origin <18 origins> \\
        --horizon 12,24 -n 40 --workers 2 --json

    python benchmarks/backtest_nederland.py                  # all origins, writes results
    python benchmarks/backtest_nederland.py --origins 2018,2019 --replications 20
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from simbijstand.errors import SimbijstandError
from simbijstand.estimation.backtest.results import summary
from simbijstand.reporting.backtest_report import backtest_json, backtest_text
from simbijstand.runs.backtest import backtest_run

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "calibration" / "nederland" / "kalibratie.toml"
RESULTS = REPO / "benchmarks" / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", default="2006-2023", help="years, e.g. 2006-2023 or 2018,2019")
    parser.add_argument("--horizons", default="12,24")
    parser.add_argument("--replications", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--config", type=Path, default=CONFIG)
    parser.add_argument("--out", type=Path, default=RESULTS / "backtest-nederland.json")
    args = parser.parse_args()
    origins = [dt.date(year, 1, 1) for year in _years(args.origins)]
    horizons = [int(h) for h in args.horizons.split(",")]
    started = time.perf_counter()
    try:
        run = backtest_run(
            args.config, origins, horizons, replications=args.replications, workers=args.workers
        )
    except SimbijstandError as error:
        raise SystemExit(f"error: {error}") from None
    seconds = time.perf_counter() - started
    described = {"target": run.target, "failures": run.failures, "inflation": run.inflation}
    text = backtest_text(run.results, **described)
    print(text)
    print(f"{seconds:.0f} s")
    data = backtest_json(run.results, **described) | {"seconds": seconds}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    args.out.with_suffix(".txt").write_text(text + "\n", encoding="utf-8")
    print(json.dumps({str(h): m for h, m in summary(run.results).items()}, indent=2))


def _years(text: str) -> list[int]:
    if "-" in text:
        first, last = (int(x) for x in text.split("-"))
        return list(range(first, last + 1))
    return [int(x) for x in text.split(",")]


if __name__ == "__main__":
    main()
