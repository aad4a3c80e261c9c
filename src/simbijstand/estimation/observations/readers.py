"""Reading each [[reeks]] of a calibration config into observations, one function per format.

Every file goes through its checked reader in `series` first (columns, negative counts, dates,
gaps in monthly series, duplicate keys); the functions here add what the config says about the
file (which column, which gemeente, which period) and refuse values they cannot place, naming
the file and row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl

from simbijstand.domain.calendar import add_months
from simbijstand.estimation.config.config import CalibrationConfig
from simbijstand.estimation.config.schema import Reeks
from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.observations import series
from simbijstand.estimation.observations.observations import (
    Applications,
    Flow,
    GroupSizes,
    Observations,
    Origin,
    Stock,
    day_after_month_end,
    month_start,
)
from simbijstand.scenario.csv_input import FIRST_DATA_ROW

BESTAND_KLANTGROEP = series.TableSpec(
    text=("gemeente", "klantgroep"),
    dates=("peildatum",),
    counts=("aantal",),
    key=("gemeente", "peildatum", "klantgroep"),
    may_be_empty=("klantgroep",),
)
STROMEN = series.TableSpec(
    text=("gemeente", "richting", "klantgroep", "route"),
    dates=("van", "tot"),
    counts=("aantal",),
    key=("gemeente", "van", "tot", "richting", "klantgroep", "route"),
    may_be_empty=("klantgroep", "route"),
)
HISTORIE = series.TableSpec(
    text=("gemeente",), dates=("datum",), counts=("aantal",), key=("gemeente", "datum")
)

Reader = Callable[[CalibrationConfig, Reeks], Observations]


def read_observations(config: CalibrationConfig) -> Observations:
    """All observations of a config's [[reeks]] entries, in the config's order."""
    result = Observations()
    for reeks in config.spec.reeks:
        result = result + READERS[reeks.formaat](config, reeks)
    return result


def _rows(frame: pl.DataFrame) -> list[tuple[int, dict[str, object]]]:
    return [(i + FIRST_DATA_ROW, row) for i, row in enumerate(frame.iter_rows(named=True))]


def _groups(config: CalibrationConfig, reeks: Reeks) -> tuple[str, ...]:
    return tuple(reeks.klantgroepen or config.buig_groups)


def _ours(config: CalibrationConfig, frame: pl.DataFrame, reeks: Reeks) -> Observations:
    """A note when rows of other gemeenten are skipped, so nothing is left out silently."""
    other = frame.filter(~pl.col("gemeente").is_in(config.gemeenten))
    if other.is_empty():
        return Observations()
    names = ", ".join(sorted(set(other["gemeente"].to_list())))
    return Observations(
        notes=(
            f"{reeks.naam}: {other.height} rij(en) van {names} niet gebruikt "
            "(gemeente niet in deze kalibratie)",
        )
    )


def _stock(
    config: CalibrationConfig,
    reeks: Reeks,
    row: int,
    gemeente: str,
    day: dt.date,
    count: float,
    groups: tuple[str, ...] | None = None,
) -> Stock:
    origin = Origin(reeks.naam, Path(reeks.bestand), row)
    return Stock(
        origin,
        gemeente,
        groups or _groups(config, reeks),
        month_start(origin, "the date", day),
        count,
        reeks.gebruik == "doel",
    )


def _cbs(config: CalibrationConfig, reeks: Reeks) -> Observations:
    path = Path(reeks.bestand)
    frame = series.read_cbs_uitkeringen(path)
    if reeks.kolom not in frame.columns:
        raise EstimationError(
            f"{path}: reeks {reeks.naam!r}: no column {reeks.kolom!r}; columns: "
            f"{', '.join(c for c in frame.columns if c != 'maand')}"
        )
    shift = 1 if reeks.peilmoment == "einde_maand" else 0
    stocks = tuple(
        _stock(
            config,
            reeks,
            row,
            str(reeks.gemeente),
            add_months(values["maand"], shift),
            float(values[reeks.kolom]) * reeks.schaal,
        )
        for row, values in _rows(frame)
    )
    return Observations(stocks=stocks)


def _bestand(config: CalibrationConfig, reeks: Reeks) -> Observations:
    frame = series.read_bestand(Path(reeks.bestand))
    stocks = tuple(
        _stock(config, reeks, row, str(v["gemeente"]), v["peildatum"], v["bijstandsuitkeringen"])
        for row, v in _rows(frame)
        if v["gemeente"] in config.gemeenten
    )
    return Observations(stocks=stocks) + _ours(config, frame, reeks)


def _bestand_per_regeling(config: CalibrationConfig, reeks: Reeks) -> Observations:
    frame = series.read_bestand_per_regeling(Path(reeks.bestand)).with_row_index(
        "rij", offset=FIRST_DATA_ROW
    )
    summed = frame.group_by("gemeente", "peildatum", maintain_order=True).agg(
        pl.col("uitkeringen").sum(), pl.col("rij").first()
    )
    stocks = tuple(
        _stock(config, reeks, v["rij"], v["gemeente"], v["peildatum"], v["uitkeringen"])
        for v in summed.iter_rows(named=True)
        if v["gemeente"] in config.gemeenten
    )
    return Observations(stocks=stocks) + _ours(config, frame, reeks)


def _stroom(config: CalibrationConfig, reeks: Reeks) -> Observations:
    path = Path(reeks.bestand)
    frame = series.read_stroom(path)
    result = Observations()
    for row, v in _rows(frame):
        if v["gemeente"] not in config.gemeenten:
            continue
        origin = Origin(reeks.naam, path, row)
        start = month_start(origin, "periode_start", v["periode_start"])
        end = day_after_month_end(origin, "periode_eind", v["periode_eind"])
        gemeente = str(v["gemeente"])
        result = result + Observations(
            stocks=(
                _stock(config, reeks, row, gemeente, start, v["stand_begin"]),
                _stock(config, reeks, row, gemeente, end, v["stand_eind"]),
            ),
            flows=tuple(
                Flow(origin, (gemeente,), kind, _groups(config, reeks), None, start, end, v[kind])
                for kind in ("instroom", "uitstroom")
            ),
        )
    return result + _ours(config, frame, reeks)


def _redenen(config: CalibrationConfig, reeks: Reeks) -> Observations:
    path = Path(reeks.bestand)
    frame = series.read_redenen(path).with_row_index("rij", offset=FIRST_DATA_ROW)
    groups = reeks.uitstroomredenen or []
    mapped = {r: i for i, g in enumerate(groups) for r in g.redenen}
    assert reeks.periode is not None
    flows = []
    for gemeente in config.gemeenten:
        rows = frame.filter((pl.col("gemeente") == gemeente) & (pl.col("richting") == "uitstroom"))
        if rows.is_empty():
            continue
        counts = [0] * len(groups)
        for v in rows.iter_rows(named=True):
            if v["reden"] in reeks.weglaten:
                continue
            if v["reden"] not in mapped:
                raise EstimationError(
                    f"{path}, row {v['rij']}: uitstroom reason {v['reden']!r} is not mapped to a "
                    f"route; add it to an uitstroomredenen group of reeks {reeks.naam!r}, or to "
                    "weglaten (with the reason in bron)"
                )
            counts[mapped[v["reden"]]] += v["aantal"]
        origin = Origin(reeks.naam, path, int(rows["rij"][0]))
        flows += [
            Flow(
                origin,
                (gemeente,),
                "uitstroom",
                _groups(config, reeks),
                tuple(g.routes),
                reeks.periode.van,
                reeks.periode.tot,
                float(n),
            )
            for g, n in zip(groups, counts, strict=True)
        ]
    inflow = frame.filter(pl.col("richting") == "instroom").height
    notes = (
        (
            f"{reeks.naam}: {inflow} rij(en) met instroomredenen niet gebruikt (het model kent "
            "geen instroomredenen)",
        )
        if inflow
        else ()
    )
    return Observations(flows=tuple(flows), notes=notes) + _ours(config, frame, reeks)


def _besluiten(config: CalibrationConfig, reeks: Reeks) -> Observations:
    path = Path(reeks.bestand)
    frame = series.read_besluiten(path)
    gemeenten = tuple(reeks.gemeenten or ())
    flows, apps = [], []
    for row, v in _rows(frame):
        origin = Origin(reeks.naam, path, row)
        start = dt.date(int(v["jaar"]), 1, 1)
        end = dt.date(int(v["jaar"]) + 1, 1, 1)
        flows.append(
            Flow(
                origin,
                gemeenten,
                "instroom",
                _groups(config, reeks),
                None,
                start,
                end,
                v["toekenning"],
            )
        )
        apps.append(Applications(origin, gemeenten, start, end, v["totaal"], v["toekenning"]))
    return Observations(flows=tuple(flows), applications=tuple(apps))


def _aanvragen(config: CalibrationConfig, reeks: Reeks) -> Observations:
    path = Path(reeks.bestand)
    frame = series.read_aanvragen(path).with_row_index("rij", offset=FIRST_DATA_ROW)
    assert reeks.periode is not None
    apps = []
    for gemeente in config.gemeenten:
        rows = frame.filter(pl.col("gemeente") == gemeente)
        if not rows.is_empty():
            origin = Origin(reeks.naam, path, int(rows["rij"][0]))
            apps.append(
                Applications(
                    origin,
                    (gemeente,),
                    reeks.periode.van,
                    reeks.periode.tot,
                    int(rows["aantal"].sum()),
                    None,
                )
            )
    return Observations(applications=tuple(apps)) + _ours(config, frame, reeks)


def _klantgroepen(config: CalibrationConfig, reeks: Reeks) -> Observations:
    path = Path(reeks.bestand)
    frame = series.read_klantgroepen(path)
    counts: dict[str, float] = {}
    for row, v in _rows(frame):
        name = str(v["klantgroep"])
        if name in reeks.weglaten:
            continue
        if name not in config.klantgroepen:
            raise EstimationError(
                f"{path}, row {row}: klantgroep {name!r} is not in the config; known: "
                f"{', '.join(config.klantgroepen)} (or list it under weglaten)"
            )
        counts[name] = float(v["aantal"])
    origin = Origin(reeks.naam, path)
    assert reeks.peildatum is not None
    return Observations(sizes=(GroupSizes(origin, str(reeks.gemeente), reeks.peildatum, counts),))


def _profielen(config: CalibrationConfig, reeks: Reeks) -> Observations:
    path = Path(reeks.bestand)
    frame = series.read_profielen(path).with_row_index("rij", offset=FIRST_DATA_ROW)
    group_of = {p: g for g, profiles in (reeks.profielen or {}).items() for p in profiles}
    sizes = []
    for gemeente in config.gemeenten:
        counts = dict.fromkeys(reeks.profielen or {}, 0.0)
        rows = frame.filter(pl.col("gemeente") == gemeente)
        for v in rows.iter_rows(named=True):
            if v["profiel"] in reeks.weglaten:
                continue
            if v["profiel"] not in group_of:
                raise EstimationError(
                    f"{path}, row {v['rij']}: profiel {v['profiel']!r} is not mapped to a "
                    f"klantgroep in reeks {reeks.naam!r}; add it to profielen or weglaten"
                )
            counts[group_of[v["profiel"]]] += v["aantal"]
        if not rows.is_empty():
            assert reeks.peildatum is not None
            sizes.append(GroupSizes(Origin(reeks.naam, path), gemeente, reeks.peildatum, counts))
    return Observations(sizes=tuple(sizes)) + _ours(config, frame, reeks)


def _historie(config: CalibrationConfig, reeks: Reeks) -> Observations:
    frame = series.read_table(Path(reeks.bestand), HISTORIE)
    stocks = tuple(
        _stock(config, reeks, row, str(v["gemeente"]), v["datum"], v["aantal"])
        for row, v in _rows(frame)
        if v["gemeente"] in config.gemeenten
    )
    return Observations(stocks=stocks) + _ours(config, frame, reeks)


def _bestand_klantgroep(config: CalibrationConfig, reeks: Reeks) -> Observations:
    path = Path(reeks.bestand)
    frame = series.read_table(path, BESTAND_KLANTGROEP)
    stocks = []
    for row, v in _rows(frame):
        if v["gemeente"] not in config.gemeenten:
            continue
        group = v["klantgroep"]
        if group is not None and group not in config.klantgroepen:
            raise EstimationError(f"{path}, row {row}: klantgroep {group!r} is not in the config")
        groups = (str(group),) if group is not None else None
        stocks.append(
            _stock(config, reeks, row, str(v["gemeente"]), v["peildatum"], v["aantal"], groups)
        )
    return Observations(stocks=tuple(stocks)) + _ours(config, frame, reeks)


def _stromen(config: CalibrationConfig, reeks: Reeks) -> Observations:
    path = Path(reeks.bestand)
    frame = series.read_table(path, STROMEN)
    flows = []
    for row, v in _rows(frame):
        if v["gemeente"] not in config.gemeenten:
            continue
        origin = Origin(reeks.naam, path, row)
        kind, group, route = v["richting"], v["klantgroep"], v["route"]
        if kind not in ("instroom", "uitstroom") or (kind == "instroom" and route is not None):
            raise EstimationError(
                f"{path}, row {row}: richting {kind!r} with route {route!r}: richting is instroom "
                "(without route) or uitstroom"
            )
        _known(path, row, "klantgroep", group, config.klantgroepen)
        _known(path, row, "route", route, config.spec.model.routes)
        start, end = (month_start(origin, c, v[c]) for c in ("van", "tot"))
        if end <= start:
            raise EstimationError(f"{path}, row {row}: tot {end} must come after van {start}")
        flows.append(
            Flow(
                origin,
                (str(v["gemeente"]),),
                kind,
                (group,) if group else _groups(config, reeks),
                (route,) if route else None,
                start,
                end,
                float(v["aantal"]),
            )
        )
    return Observations(flows=tuple(flows)) + _ours(config, frame, reeks)


def _known(path: Path, row: int, column: str, value: object, known: list[str]) -> None:
    if value is not None and value not in known:
        raise EstimationError(
            f"{path}, row {row}: {column} {value!r} is not in the config; known: {', '.join(known)}"
        )


READERS: dict[str, Reader] = {
    "cbs_uitkeringen": _cbs,
    "bestand": _bestand,
    "bestand_per_regeling": _bestand_per_regeling,
    "stroom": _stroom,
    "redenen": _redenen,
    "besluiten": _besluiten,
    "aanvragen": _aanvragen,
    "klantgroepen": _klantgroepen,
    "profielen": _profielen,
    "historie": _historie,
    "bestand_klantgroep": _bestand_klantgroep,
    "stromen": _stromen,
}
