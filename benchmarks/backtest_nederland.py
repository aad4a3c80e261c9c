"""Rolling-origin backtest of the national calibration (calibration/nederland/kalibratie.toml).

Origins: 1 January of every year 2005-2019; horizons 12 and 24 months. At each origin the
calibration is refitted on the five years before it (from January 2004 at the earliest: the
unemployment average needs 2003), the engine forecasts from the fitted state with 40
replications (parameter uncertainty on), and the forecast is scored against the CBS total
(bijstand_totaal) with the baselines beside it. The 12-month score is the first year of the
24-month run. Origins after mid-2018 have fewer than 24 months of data after them (the series
ends June 2020); they are scored on the months there are.

Runtime: a national replication of ~400,000 benefits over 24 months takes about half a second
on one core; 40 replications per origin keep the 5-95% band estimable (2 per tail) at ~30 s
per origin on two workers, plus ~30 s for the fit.

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
from simbijstand.runs.backtest import backtest

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "calibration" / "nederland" / "kalibratie.toml"
RESULTS = REPO / "benchmarks" / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", default="2005-2019", help="years, e.g. 2005-2019 or 2018,2019")
    parser.add_argument("--horizons", default="12,24")
    parser.add_argument("--replications", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=RESULTS / "backtest-nederland.json")
    args = parser.parse_args()
    horizons = [int(h) for h in args.horizons.split(",")]
    results, failures = [], {}
    started = time.perf_counter()
    for year in _years(args.origins):
        origin = dt.date(year, 1, 1)
        try:
            results += backtest(
                CONFIG, [origin], horizons, replications=args.replications, workers=args.workers
            )
        except SimbijstandError as exc:
            failures[str(origin)] = str(exc)
        print(f"{origin}: {time.perf_counter() - started:.0f} s", flush=True)
    print(backtest_text(results))
    for origin, message in failures.items():
        print(f"niet gelukt: {origin}: {message}")
    data = backtest_json(results) | {"failures": failures, "seconds": time.perf_counter() - started}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({str(h): m for h, m in summary(results).items()}, indent=2))


def _years(text: str) -> list[int]:
    if "-" in text:
        first, last = (int(x) for x in text.split("-"))
        return list(range(first, last + 1))
    return [int(x) for x in text.split(",")]


if __name__ == "__main__":
    main()
