"""`simbijstand compare`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from simbijstand.cli.shared import (
    LazyProgressBar,
    echo,
    json_option,
    replications_option,
    scenario_files_argument,
    seed_option,
    user_errors,
    workers_option,
)
from simbijstand.reporting.compare_text import compare_json, compare_summary
from simbijstand.reporting.workbook import write_workbook
from simbijstand.runs.compare import compare as compare_scenarios


@click.command()
@scenario_files_argument()
@click.option("--baseline", metavar="NAME", help="Scenario to compare with [default: the first].")
@replications_option("Replications of every scenario [default: the baseline's].", minimum=2)
@seed_option("Seed of every scenario [default: the baseline's].")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Compare directory to create [default: outputs/compare-<time>].",
)
@click.option(
    "--xlsx", type=click.Path(path_type=Path), help="Also write a workbook for finance here."
)
@workers_option()
@json_option()
@user_errors
def compare(
    scenarios: tuple[Path, ...],
    baseline: str | None,
    replications: int | None,
    seed: int | None,
    out: Path | None,
    xlsx: Path | None,
    workers: int | None,
    as_json: bool,
) -> None:
    """Compare scenarios' BUIG finance: budget, tekort and vangnet, paired per replication.

    Every scenario runs with the same seed and number of replications (common random numbers),
    so the difference to the baseline is paired per replication; the interval is the 90%
    confidence interval of the mean paired difference. Writes each run to <out>/<scenario>/
    and the table to <out>/comparison.csv and comparison.parquet, with a report in
    comparison.html.

    \b
    Examples:
      simbijstand compare scenarios/basis.toml scenarios/tweede-golf.toml
      simbijstand compare scenarios/*.toml --baseline basis -n 500 --xlsx vergelijking.xlsx
      simbijstand compare scenarios/basis.toml scenarios/tweede-golf.toml --json
    """
    bar = LazyProgressBar("replicaties", enabled=not as_json)
    try:
        result = compare_scenarios(
            scenarios,
            baseline=baseline,
            replications=replications,
            seed=seed,
            out=out,
            workers=workers,
            progress=bar,
        )
    finally:
        bar.close()
    if xlsx is not None:
        write_workbook(xlsx, result)
    if as_json:
        echo(json.dumps(compare_json(result, xlsx), indent=2, default=str))
        return
    echo(compare_summary(result))
    if xlsx is not None:
        echo(f"Werkboek: {xlsx}")
