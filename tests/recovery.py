"""Parameter recovery: simulate data with the engine from known rates, calibrate, and count how
often the true values lie inside their intervals. Shared by the fast and the slow tests."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import tomli_w

import simbijstand
from conftest import scenario_data, write_toml
from simbijstand.estimation.calibrate import calibrate
from simbijstand.estimation.parameter_files import parameter_file_data

START = dt.date(2018, 1, 1)


def simulate(
    folder: Path,
    params: dict[str, Any],
    counts: dict[str, int],
    months: int,
    replications: int,
    seed: int,
    keep_events: int = 0,
) -> simbijstand.RunResult:
    write_toml(folder / "truth.toml", params)
    gemeenten = {"Proef": {"parameters": "truth.toml", "beginstand": {"aantallen": counts}}}
    scenario = scenario_data(
        start=START, months=months, replications=replications, seed=seed, gemeenten=gemeenten
    )
    return simbijstand.run(
        write_toml(folder / "truth-scenario.toml", scenario),
        out=folder / "run",
        workers=1,
        keep_events=keep_events,
    )


def write_aggregates(
    result: simbijstand.RunResult,
    replication: int,
    folder: Path,
    *,
    per_group: bool,
    flows: tuple[str, ...],
) -> None:
    """Month-start stocks (per klantgroep or in total) and monthly flows of one replication, in
    the generic formats bestand_klantgroep and stromen."""
    folder.mkdir(parents=True, exist_ok=True)
    caseload = result.caseload.filter(pl.col("replication") == replication)
    if not per_group:
        caseload = (
            caseload.group_by("gemeente", "date")
            .agg(pl.col("count").sum())
            .with_columns(klantgroep=pl.lit(None, pl.String))
        )
    caseload.select(
        gemeente="gemeente", peildatum="date", klantgroep="klantgroep", aantal="count"
    ).sort("peildatum").write_csv(folder / "bestand.csv")
    dates = sorted(result.caseload["date"].unique().to_list())
    groups = result.caseload["klantgroep"].unique().sort().to_list()
    observed = result.flows.filter(pl.col("replication") == replication)
    rows = []
    for start, end in itertools.pairwise(dates):
        month = observed.filter(pl.col("month") == start)
        for group in groups if per_group else [None]:
            chosen = month if group is None else month.filter(pl.col("klantgroep") == group)
            if "instroom" in flows:
                count = chosen.filter(pl.col("event") == "instroom")["count"].sum()
                rows.append(("Proef", start, end, "instroom", group, None, int(count)))
            if "uitstroom" in flows:
                for route in sorted(result.scenario.parameters["Proef"].routes):
                    exits = chosen.filter(
                        (pl.col("event") == "uitstroom") & (pl.col("route") == route)
                    )
                    rows.append(
                        ("Proef", start, end, "uitstroom", group, route, int(exits["count"].sum()))
                    )
    schema = ["gemeente", "van", "tot", "richting", "klantgroep", "route", "aantal"]
    pl.DataFrame(rows, schema=schema, orient="row").write_csv(folder / "stromen.csv")


def write_spells(result: simbijstand.RunResult, replication: int, folder: Path) -> None:
    """One replication's event log as a spells file (dates: the day each event happened)."""
    folder.mkdir(parents=True, exist_ok=True)
    events = (
        pl.scan_parquet(result.run_dir / "events" / "*.parquet")
        .filter(pl.col("replication") == replication)
        .collect()
    )
    starts = events.filter(pl.col("event") == "instroom").select(
        "person_id", startdatum=pl.col("time").dt.date(), klantgroep="klantgroep"
    )
    ends = events.filter(pl.col("event") == "uitstroom").select(
        "person_id", einddatum=pl.col("time").dt.date(), uitstroomroute="route"
    )
    spells = starts.join(ends, on="person_id", how="left").sort("person_id")
    spells.select(
        persoon_id=pl.format("x{}", "person_id"),
        startdatum="startdatum",
        einddatum="einddatum",
        uitstroomroute="uitstroomroute",
        klantgroep="klantgroep",
    ).write_csv(folder / "spells.csv")


def write_config(folder: Path, config: dict[str, Any]) -> Path:
    path = folder / "kalibratie.toml"
    path.write_text(tomli_w.dumps(config))
    return path


def coverage(results: list[dict[str, tuple[bool, float]]]) -> dict[str, float]:
    """Share of repetitions whose interval holds the true value, per parameter."""
    keys = results[0].keys()
    return {k: float(np.mean([r[k][0] for r in results])) for k in keys}


def widest(results: list[dict[str, tuple[bool, float]]]) -> dict[str, float]:
    """The largest ratio hoog / laag of each parameter's intervals."""
    keys = results[0].keys()
    return {k: float(np.max([r[k][1] for r in results])) for k in keys}


def hits(folder: Path, truth: dict[str, float]) -> dict[str, tuple[bool, float]]:
    """Per parameter: whether the true value lies inside its interval in the calibrated
    parameter file, and the interval's hoog / laag."""
    calibration = calibrate(folder / "kalibratie.toml")
    data = parameter_file_data(calibration, "Proef", folder / "uit.toml", version="test")
    intervals = data["intervallen"]
    return {
        k: (
            intervals[k]["laag"] <= v <= intervals[k]["hoog"],
            intervals[k]["hoog"] / intervals[k]["laag"],
        )
        for k, v in truth.items()
    }


ONE_GROUP = {
    "schema_version": 1,
    "routes": ["werk", "overig"],
    "duurbanden_maanden": [0],
    "instroom": {"per_jaar": 240.0, "klantgroepen": {"a": 1.0}},
    "klantgroepen": {
        "a": {"uitstroom_per_jaar": 0.5, "uitstroom_routes": {"werk": 0.7, "overig": 0.3}}
    },
}


def aggregate_config(
    months: int,
    *,
    exits_observed: bool,
    naam: str = "herstel",
    bron: str = "met de engine gesimuleerd",
) -> dict:
    """A calibration config for ONE_GROUP's stocks and flows (see `write_aggregates`), with
    the exits estimated per route or, without exit counts, tied to their shares."""
    config = {
        "naam": naam,
        "waarneming": {"van": START, "tot": dt.date(START.year + months // 12, 1, 1)},
        "model": {"routes": ["werk", "overig"], "overdispersie": {"waarde": 1.0, "bron": bron}},
        "instroom": {
            "trend": {"waarde": 0.0, "bron": "proef"},
            "seizoen": "geen",
            "klantgroepen": {"waarde": {"a": 1.0}, "bron": "proef"},
        },
        "klantgroepen": {"a": {"uitstroom": {"werk": "schatten", "overig": "schatten"}}},
        "gemeenten": {"Proef": {"uitvoer": "uit.toml"}},
        "reeks": [
            {"naam": "bestand", "formaat": "bestand_klantgroep", "bestand": "bestand.csv"},
            {"naam": "stromen", "formaat": "stromen", "bestand": "stromen.csv"},
        ],
    }
    if not exits_observed:  # stocks and inflow only: the exits come from the stock's changes
        config["klantgroepen"]["a"]["uitstroom"] = {
            "werk": {"schaal": "uit", "relatief": 0.7, "bron": "proef: routes naar hun aandeel"},
            "overig": {"schaal": "uit", "relatief": 0.3, "bron": "proef: routes naar hun aandeel"},
        }
    return config


def write_toy(folder: Path) -> Path:
    """One engine replication of a one-group gemeente as stocks and flows, a calibration
    config for it with a [backtest], and a made-up own forecast."""
    result = simulate(
        folder,
        ONE_GROUP,
        {"a": 300},
        36,
        1,
        seed=8,
    )
    write_aggregates(result, 0, folder, per_group=False, flows=("instroom", "uitstroom"))
    (folder / "prognose.csv").write_text(
        "reeks,gebied,jaar,waarde\nprognose,Proef,2019,470\nprognose,Proef,2020,480\n"
    )
    config = aggregate_config(36, exits_observed=True, naam="proef", bron="proef")
    config["backtest"] = {
        "doel": "bestand",
        "replicaties": 12,
        "venster_maanden": 12,
        "eigen_prognose": {
            "bestand": "prognose.csv",
            "reeks": "prognose",
            "gebied": "Proef",
            "jaar_is": "einde_jaar",
            "gemaakt_op": dt.date(2019, 1, 1),
            "bron": "proef",
        },
    }
    path = folder / "kalibratie.toml"
    path.write_text(tomli_w.dumps(config))
    return path
