"""Readers for the aggregate series: CBS national monthly series and municipal report tables.

Each reader takes a path, checks the columns (missing or unknown ones are errors), the values
(dates as YYYY-MM-DD, counts whole and >= 0, percentages 0-100), unique keys, and for monthly
series that every month from the first to the last is present once and in order. It returns a
polars DataFrame with typed columns, in the order of the file. The files themselves are in
`calibration/data/` (see the README there); the column meanings in `../shared/data/README.md`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from simbijstand.errors import InputDataError
from simbijstand.scenario import csv_input


@dataclass(frozen=True, slots=True)
class TableSpec:
    """The columns of one kind of file, by type, and the rules that tie rows together."""

    text: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()  # whole numbers >= 0
    numbers: tuple[str, ...] = ()  # numbers >= 0
    percents: tuple[str, ...] = ()  # numbers 0-100
    years: tuple[str, ...] = ()
    key: tuple[str, ...] = ()  # at most one row per key
    monthly: str | None = None  # a date column that must run month by month without gaps
    may_be_empty: tuple[str, ...] = ()

    @property
    def columns(self) -> tuple[str, ...]:
        return self.text + self.dates + self.counts + self.numbers + self.percents + self.years


CBS_UITKERINGEN = TableSpec(
    dates=("maand",),
    numbers=(
        "bijstand_totaal_x1000",
        "bijstand_tot_aow_x1000",
        "bijstand_vanaf_aow_x1000",
        "ioaw_x1000",
        "ioaz_x1000",
        "ww_nsa_x1000",
    ),
    key=("maand",),
    monthly="maand",
)
CBS_WERKLOOSHEID = TableSpec(
    dates=("maand",),
    percents=("werkloosheid_pct_15_75_niet_seizoengecorrigeerd",),
    key=("maand",),
    monthly="maand",
)
BESTAND = TableSpec(
    text=("gemeente",),
    dates=("peildatum",),
    counts=("bijstandsuitkeringen",),
    key=("gemeente", "peildatum"),
)
BESTAND_PER_REGELING = TableSpec(
    text=("gemeente", "regeling"),
    dates=("peildatum",),
    counts=("uitkeringen",),
    key=("gemeente", "peildatum", "regeling"),
)
STROOM = TableSpec(
    text=("gemeente",),
    dates=("periode_start", "periode_eind"),
    counts=("stand_begin", "instroom", "uitstroom", "stand_eind"),
    key=("gemeente", "periode_start"),
)
REDENEN = TableSpec(
    text=("gemeente", "richting", "reden"),
    counts=("aantal",),
    key=("gemeente", "richting", "reden"),
)
AANVRAGEN = TableSpec(
    text=("gemeente", "soort_aanvraag"), counts=("aantal",), key=("gemeente", "soort_aanvraag")
)
BESLUITEN_PARTS = (
    "toekenning",
    "afwijzing",
    "intrekking",
    "buiten_behandeling",
    "niet_tot_aanvraag_gekomen",
)
BESLUITEN = TableSpec(years=("jaar",), counts=(*BESLUITEN_PARTS, "totaal"), key=("jaar",))
BELEIDSKADER = TableSpec(
    text=("reeks", "gebied"), years=("jaar",), numbers=("waarde",), key=("reeks", "gebied", "jaar")
)
PROFIELEN = TableSpec(
    text=("gemeente", "profiel", "leeftijd"),
    counts=("aantal",),
    key=("gemeente", "profiel", "leeftijd"),
)
KLANTGROEPEN = TableSpec(
    text=("klantgroep", "toelichting"),
    counts=("aantal",),
    key=("klantgroep",),
    may_be_empty=("toelichting",),
)

FIRST_YEAR, LAST_YEAR = 1900, 2100


def read_table(path: Path, spec: TableSpec) -> pl.DataFrame:
    """Read and check a CSV file against `spec`; columns come back in the file's order."""
    raw = csv_input.read_text_table(path)
    csv_input.check_columns(path, raw, spec.columns)
    csv_input.require_values(path, raw, [c for c in raw.columns if c not in spec.may_be_empty])
    parsed = {c: raw[c] for c in spec.text}
    parsed |= {c: csv_input.parse_dates(path, raw, c) for c in spec.dates}
    parsed |= {c: csv_input.parse_counts(path, raw, c) for c in spec.counts}
    parsed |= {c: csv_input.parse_numbers(path, raw, c) for c in spec.numbers}
    parsed |= {c: csv_input.parse_numbers(path, raw, c, maximum=100) for c in spec.percents}
    parsed |= {c: _years(path, raw, c) for c in spec.years}
    frame = pl.DataFrame(parsed).select(raw.columns)
    _check_unique(path, frame, spec.key)
    if spec.monthly:
        check_monthly(path, frame[spec.monthly])
    return frame


def read_cbs_uitkeringen(path: Path) -> pl.DataFrame:
    """CBS 37789ksz: national benefits (x1000) per month; columns as in the file."""
    return read_table(path, CBS_UITKERINGEN)


def read_cbs_werkloosheid(path: Path) -> pl.DataFrame:
    """CBS 80590ned: national unemployment rate (%, 15-75, not seasonally adjusted) per month."""
    return read_table(path, CBS_WERKLOOSHEID)


def read_bestand(path: Path) -> pl.DataFrame:
    """Caseload per gemeente at reference dates (bmwe_bestand.csv)."""
    return read_table(path, BESTAND)


def read_bestand_per_regeling(path: Path) -> pl.DataFrame:
    """Caseload per gemeente and scheme at a reference date (igsd_bestand_2016.csv)."""
    return read_table(path, BESTAND_PER_REGELING)


def read_stroom(path: Path) -> pl.DataFrame:
    """Stock, inflow and outflow per period (igsd_stroom_2016q1.csv); flows must explain stock."""
    frame = read_table(path, STROOM)
    _check_period(path, frame)
    _check_stock(path, frame)
    return frame


def read_redenen(path: Path) -> pl.DataFrame:
    """Inflow and outflow by reason (igsd_redenen_2016q1.csv); richting is instroom or uitstroom."""
    frame = read_table(path, REDENEN)
    wrong = ~pl.col("richting").is_in(["instroom", "uitstroom"])
    _refuse(
        path, frame, wrong, lambda r: f"richting {r['richting']!r} must be instroom or uitstroom"
    )
    return frame


def read_aanvragen(path: Path) -> pl.DataFrame:
    """Applications by kind (igsd_aanvragen_2016q1.csv)."""
    return read_table(path, AANVRAGEN)


def read_besluiten(path: Path) -> pl.DataFrame:
    """Decisions on applications per year (bmwe_aanvragen_besluiten.csv); totaal is their sum."""
    frame = read_table(path, BESLUITEN)
    parts = pl.sum_horizontal(BESLUITEN_PARTS)
    _refuse(
        path,
        frame,
        parts != pl.col("totaal"),
        lambda r: (
            f"totaal is {r['totaal']} but {' + '.join(BESLUITEN_PARTS)} = "
            f"{sum(r[c] for c in BESLUITEN_PARTS)}"
        ),
    )
    return frame


def read_beleidskader(path: Path) -> pl.DataFrame:
    """Long-format series (reeks, gebied, jaar, waarde) of bmwe_beleidskader_2015.csv."""
    return read_table(path, BELEIDSKADER)


def read_profielen(path: Path) -> pl.DataFrame:
    """Caseload by profile and age band (igsd_profielen_2016q1.csv)."""
    return read_table(path, PROFIELEN)


def read_klantgroepen(path: Path) -> pl.DataFrame:
    """Sizes of the client groups (steenwijkerland_klantgroepen_2020.csv)."""
    return read_table(path, KLANTGROEPEN)


def check_monthly(path: Path, months: pl.Series) -> None:
    """Every value the first day of a month, in order, each month once, none missing."""
    name = months.name
    rows = csv_input.row_numbers(months.dt.day() != 1)
    if rows:
        value = months[rows[0] - csv_input.FIRST_DATA_ROW]
        raise InputDataError(
            f"{path}, {csv_input.rows_text(rows)}: {name} {value} is not the first day of a month"
        )
    index = months.dt.year().cast(pl.Int64) * 12 + months.dt.month().cast(pl.Int64)
    step = index.diff().to_list()[1:]
    # order first: a row out of place would otherwise show up as a gap
    bad = next((i for i, s in enumerate(step) if s < 1), None)
    if bad is None:
        bad = next((i for i, s in enumerate(step) if s > 1), None)
    if bad is not None:
        before, month = months[bad], months[bad + 1]
        raise InputDataError(
            f"{path}, row {bad + 1 + csv_input.FIRST_DATA_ROW}: "
            + _gap_text(name, before, month, step[bad])
        )


def _gap_text(name: str, before: object, month: object, step: int) -> str:
    if step == 0:
        return f"{name} {month} appears twice; keep one row per month"
    if step < 0:
        return f"{name} {month} comes after {before}; sort the file by {name}"
    return (
        f"{name} {month} follows {before}: {step - 1} month(s) missing, a gap in a monthly series; "
        "add the missing months (or start the series after the gap)"
    )


def _years(path: Path, raw: pl.DataFrame, column: str) -> pl.Series:
    years = csv_input.parse_counts(path, raw, column)
    out_of_range = csv_input.row_numbers((years < FIRST_YEAR) | (years > LAST_YEAR))
    if out_of_range:
        value = years[out_of_range[0] - csv_input.FIRST_DATA_ROW]
        raise InputDataError(
            f"{path}, {csv_input.rows_text(out_of_range)}: {column} = {value} is not a year "
            f"({FIRST_YEAR}-{LAST_YEAR})"
        )
    return years


def _check_unique(path: Path, frame: pl.DataFrame, key: tuple[str, ...]) -> None:
    if not key:
        return
    numbered = csv_input.number_rows(frame)
    repeated = numbered.filter(pl.struct(key).is_duplicated())
    if repeated.height:
        first = repeated.row(0, named=True)
        rows = repeated.filter(pl.all_horizontal(pl.col(c) == first[c] for c in key))[
            "rij"
        ].to_list()
        shown = ", ".join(f"{c} = {first[c]}" for c in key)
        raise InputDataError(
            f"{path}, {csv_input.rows_text(rows)}: {shown} appears more than once; keep one row"
        )


def _check_period(path: Path, frame: pl.DataFrame) -> None:
    _refuse(
        path,
        frame,
        pl.col("periode_eind") < pl.col("periode_start"),
        lambda r: f"periode_eind {r['periode_eind']} is before periode_start {r['periode_start']}",
    )


def _check_stock(path: Path, frame: pl.DataFrame) -> None:
    """stand_begin + instroom - uitstroom must equal stand_eind: the flows explain the stock."""
    explained = pl.col("stand_begin") + pl.col("instroom") - pl.col("uitstroom")
    _refuse(
        path,
        frame,
        explained != pl.col("stand_eind"),
        lambda r: (
            f"stand_begin {r['stand_begin']} + instroom {r['instroom']} - uitstroom "
            f"{r['uitstroom']} = {r['stand_begin'] + r['instroom'] - r['uitstroom']}, "
            f"but stand_eind is {r['stand_eind']}: "
            "the flows cannot explain the stock; check the four numbers (corrections or transfers "
            "between schemes must be counted as instroom or uitstroom)"
        ),
    )


def _refuse(
    path: Path, frame: pl.DataFrame, condition: pl.Expr, describe: csv_input.Describe
) -> None:
    csv_input.refuse(path, csv_input.number_rows(frame), condition, describe)
