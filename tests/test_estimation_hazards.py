"""Piecewise-exponential hazards: hand-checked exposure, exact intervals, window, recovery."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from simbijstand.domain.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from simbijstand.estimation.errors import EstimationError
from simbijstand.estimation.spells.episodes import EPOCH, Episodes, day_number
from simbijstand.estimation.spells.hazards import PiecewiseExponentialFitter, poisson_rate_interval
from simbijstand.estimation.spells.spells import read_spells
from simbijstand.scenario.schema import KlantgroepParameters

ROUTES = ("werk", "overig")
GROUPS = ("a", "b")
BANDS = (0.0, 6.0, 12.0)
EDGES_DAYS = np.array([0.0, 6 * DAYS_PER_MONTH, 12 * DAYS_PER_MONTH, np.inf])
# True hazards per year [group, band, transition]; transitions: werk, overig, to a, to b.
TRUE = np.array(
    [
        [[0.8, 0.2, 0.0, 0.3], [0.5, 0.2, 0.0, 0.3], [0.3, 0.2, 0.0, 0.3]],
        [[0.3, 0.15, 0.1, 0.0], [0.2, 0.15, 0.1, 0.0], [0.1, 0.15, 0.1, 0.0]],
    ]
)
PEIL = dt.date(2018, 1, 1)
VAN = dt.date(2014, 1, 1)


def _episodes(rows: list[tuple[str, float, float, float, str | None, str | None]]) -> Episodes:
    frame = pl.DataFrame(
        rows,
        schema=["klantgroep", "entry_day", "exit_day", "duration_at_entry_days", "kind", "target"],
        orient="row",
    )
    return Episodes(frame, ROUTES, GROUPS)


def _row(frame: pl.DataFrame, group: str, band: float, target: str) -> dict[str, object]:
    match = frame.filter(
        (pl.col("klantgroep") == group)
        & (pl.col("band_from_months") == band)
        & (pl.col("target") == target)
    )
    assert match.height == 1
    return match.row(0, named=True)


# --- hand-checked small cases ----------------------------------------------------------------


def test_exposure_is_split_exactly_over_bands() -> None:
    # One benefit in group a from duration 100 to 300 days, exit by werk at 300 days.
    # Band edges: 6 months = 182.625 days. Band 0 gets 82.625 days, band 1 gets 117.375 days;
    # the exit (at 300 days) falls in band 1.
    # A second benefit of group a: 0 to 50 days, censored.
    episodes = _episodes(
        [("a", 1000.0, 1200.0, 100.0, "uitstroom", "werk"), ("a", 0.0, 50.0, 0.0, None, None)]
    )
    estimates = PiecewiseExponentialFitter([0, 6]).fit(episodes).estimates_
    band0, band1 = _row(estimates, "a", 0.0, "werk"), _row(estimates, "a", 6.0, "werk")
    assert band0["exposure_years"] == pytest.approx((82.625 + 50) / DAYS_PER_YEAR)
    assert band0["events"] == 0 and band0["rate_per_year"] == 0.0 and band0["lower"] == 0.0
    assert band1["exposure_years"] == pytest.approx(117.375 / DAYS_PER_YEAR)
    assert band1["events"] == 1
    assert band1["rate_per_year"] == pytest.approx(DAYS_PER_YEAR / 117.375)
    assert band1["band_to_months"] is None  # the last band is open
    # group b had no time on benefit: no rate, no interval
    assert _row(estimates, "b", 0.0, "werk")["rate_per_year"] is None
    assert estimates.columns == [
        "klantgroep", "band_from_months", "band_to_months", "kind", "target",
        "events", "exposure_years", "rate_per_year", "lower", "upper",
    ]  # fmt: skip
    # no doorstroom from a group into itself
    assert estimates.filter((pl.col("klantgroep") == "a") & (pl.col("target") == "a")).is_empty()


def test_window_counts_only_what_happens_inside_it() -> None:
    van, tot = dt.date(2015, 1, 1), dt.date(2016, 1, 1)
    lo, hi = day_number(van), day_number(tot)
    episodes = _episodes(
        [
            # began 300 days before the window at duration 0; exits on tot
            # (counts: van < exit <= tot)
            ("a", lo - 300, hi, 0.0, "uitstroom", "werk"),
            # exits on van: its exposure lies before the window, so the exit does not count
            ("a", lo - 10, lo, 0.0, "uitstroom", "werk"),
            # starts after the window
            ("a", hi + 1, hi + 30, 0.0, "uitstroom", "overig"),
        ]
    )
    estimates = PiecewiseExponentialFitter([0, 6]).fit(episodes, van=van, tot=tot).estimates_
    # the first benefit enters the window at duration 300 days: all 365 days are in band 1
    assert _row(estimates, "a", 0.0, "werk")["exposure_years"] == 0.0
    band1 = _row(estimates, "a", 6.0, "werk")
    assert band1["exposure_years"] == pytest.approx(365 / DAYS_PER_YEAR)
    assert band1["events"] == 1
    assert _row(estimates, "a", 6.0, "overig")["events"] == 0


def test_garwood_interval_matches_known_values() -> None:
    lower, upper = poisson_rate_interval(np.array([0, 10, 10]), np.array([1.0, 1.0, 2.0]), 0.05)
    # D = 0: upper = -ln(0.025) = 3.6889; D = 10: [4.7954, 18.3904] (standard tables)
    assert lower[0] == 0.0 and upper[0] == pytest.approx(3.68888, abs=1e-4)
    assert lower[1] == pytest.approx(4.79539, abs=1e-4) and upper[1] == pytest.approx(
        18.39036, abs=1e-4
    )
    assert lower[2] == pytest.approx(lower[1] / 2) and upper[2] == pytest.approx(upper[1] / 2)
    assert np.isnan(poisson_rate_interval(np.array([1]), np.array([0.0]), 0.05)[0][0])


def test_estimator_settings_are_validated() -> None:
    with pytest.raises(EstimationError, match="starting at 0"):
        PiecewiseExponentialFitter([6, 12])
    with pytest.raises(EstimationError, match="increasing"):
        PiecewiseExponentialFitter([0, 12, 6])
    with pytest.raises(EstimationError, match="alpha"):
        PiecewiseExponentialFitter([0], alpha=1.5)
    episodes = _episodes([("a", 0.0, 50.0, 0.0, None, None)])
    with pytest.raises(EstimationError, match="van must come before tot"):
        PiecewiseExponentialFitter([0]).fit(
            episodes, van=dt.date(2020, 1, 1), tot=dt.date(2019, 1, 1)
        )
    with pytest.raises(EstimationError, match="widen the window"):
        PiecewiseExponentialFitter([0]).fit(episodes, van=dt.date(2020, 1, 1))
    with pytest.raises(RuntimeError, match="fit"):
        PiecewiseExponentialFitter([0]).klantgroep_rates("a")


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (("a", 10.0, 5.0, 0.0, None, None), "end before they begin"),
        (("a", 0.0, 5.0, -1.0, None, None), "negative duration"),
        (("c", 0.0, 5.0, 0.0, None, None), "klantgroep outside"),
        (("a", 0.0, 5.0, 0.0, "uitstroom", "emigratie"), "unknown route"),
        (("a", 0.0, 5.0, 0.0, "doorstroom", "a"), "own group"),
        (("a", 0.0, 5.0, 0.0, "uitstroom", None), "kind without a target"),
    ],
)
def test_bad_episodes_are_refused(row: tuple, problem: str) -> None:
    with pytest.raises(EstimationError, match=problem):
        _episodes([row])


# --- conversion to parameter-file fields -----------------------------------------------------


def test_klantgroep_rates_reproduce_band_rates_and_validate_as_parameters() -> None:
    fitter = PiecewiseExponentialFitter(BANDS).fit(
        _simulated_episodes(np.random.default_rng(7), 3000)
    )
    estimates = fitter.estimates_
    rates = fitter.klantgroep_rates("a")
    for k, band in enumerate(BANDS):
        exits = estimates.filter(
            (pl.col("klantgroep") == "a")
            & (pl.col("band_from_months") == band)
            & (pl.col("kind") == "uitstroom")
        )
        total_rate = exits["events"].sum() / exits["exposure_years"][0]
        # uitstroom_per_jaar * duur_factor[k] is the band's total exit rate, exactly
        assert rates.uitstroom_per_jaar * rates.duur_factor[k] == pytest.approx(total_rate)
    assert rates.duur_factor[0] == 1.0
    assert sum(rates.uitstroom_routes.values()) == pytest.approx(1.0)
    assert set(rates.doorstroom_per_jaar) == {"b"}
    assert rates.doorstroom_per_jaar["b"] == pytest.approx(0.3, rel=0.15)
    KlantgroepParameters(**rates.as_parameter_fields())  # the engine's schema accepts it
    shifted = fitter.klantgroep_rates("a", reference_band=2)
    assert shifted.uitstroom_per_jaar * shifted.duur_factor[0] == pytest.approx(
        rates.uitstroom_per_jaar
    )


def test_klantgroep_rates_explain_what_to_do_when_they_cannot() -> None:
    # group a: exits only in band 1; band 0 has exposure but no exits
    episodes = _episodes(
        [("a", 0.0, 300.0, 0.0, "uitstroom", "werk"), ("b", 0.0, 100.0, 0.0, None, None)]
    )
    fitter = PiecewiseExponentialFitter([0, 6]).fit(episodes)
    with pytest.raises(EstimationError, match=r"no exits in reference band 0.*1 \(6 months\)"):
        fitter.klantgroep_rates("a")
    assert fitter.klantgroep_rates("a", reference_band=1).duur_factor == (0.0, 1.0)
    # group b: never leaves, never reaches band 1
    assert fitter.klantgroep_rates("b").uitstroom_per_jaar == 0.0
    with pytest.raises(EstimationError, match="not in the estimates"):
        fitter.klantgroep_rates("zzz")
    short = PiecewiseExponentialFitter([0, 6]).fit(
        _episodes([("a", 0.0, 100.0, 0.0, "uitstroom", "werk")])
    )
    with pytest.raises(EstimationError, match="merge them"):
        short.klantgroep_rates("a")


# --- parameter recovery on simulated spells ---------------------------------------------------


def _simulate(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    """Competing risks with piecewise-constant hazards (TRUE), group moves, censoring at PEIL.

    Returns one record per episode: spell, group, entry and exit (calendar days), duration at
    entry (days), transition (index into werk, overig, to a, to b; -1 when censored).
    """
    peil = day_number(PEIL)
    start = rng.uniform(day_number(dt.date(2010, 1, 1)), peil, n)
    spell, group = np.arange(n), (rng.random(n) < 0.4).astype(int)
    t, entry_t = np.zeros(n), np.zeros(n)
    out: dict[str, list[np.ndarray]] = {
        k: [] for k in ("spell", "group", "entry", "exit", "d0", "transition")
    }
    while spell.size:
        band = np.searchsorted(EDGES_DAYS, t, side="right") - 1
        rates = TRUE[group, band] / DAYS_PER_YEAR
        wait = rng.exponential(1 / rates.sum(axis=1))
        limit = np.minimum(EDGES_DAYS[band + 1], peil - start)
        happens = t + wait < limit
        censored = ~happens & (limit == peil - start)
        chosen = (
            rng.random(spell.size)[:, None] * rates.sum(axis=1, keepdims=True)
            > rates.cumsum(axis=1)
        ).sum(1)
        transition = np.where(happens, chosen, -1)
        ends = happens | censored
        exit_t = np.where(happens, t + wait, limit)
        finished = {
            "spell": spell,
            "group": group,
            "entry": start + entry_t,
            "exit": start + exit_t,
            "d0": entry_t,
            "transition": transition,
        }
        for key, value in finished.items():
            out[key].append(value[ends])
        moved = happens & (transition >= len(ROUTES))
        group = np.where(moved, transition - len(ROUTES), group)
        entry_t = np.where(moved, exit_t, entry_t)
        t = np.where(happens, t + wait, np.where(censored, t, limit))
        keep = ~(censored | (happens & ~moved))
        spell, group, start, t, entry_t = (
            spell[keep],
            group[keep],
            start[keep],
            t[keep],
            entry_t[keep],
        )
    return {key: np.concatenate(value) for key, value in out.items()}


def _simulated_episodes(rng: np.random.Generator, n: int) -> Episodes:
    sim = _simulate(rng, n)
    names = [*ROUTES, *GROUPS]
    transition = sim["transition"].tolist()
    frame = pl.DataFrame(
        {
            "klantgroep": [GROUPS[g] for g in sim["group"]],
            "entry_day": sim["entry"],
            "exit_day": sim["exit"],
            "duration_at_entry_days": sim["d0"],
            "kind": [
                None if j < 0 else "uitstroom" if j < len(ROUTES) else "doorstroom"
                for j in transition
            ],
            "target": [None if j < 0 else names[j] for j in transition],
        },
        schema_overrides={"kind": pl.String, "target": pl.String},
    )
    return Episodes(frame, ROUTES, GROUPS)


def _write_csv(tmp_path: Path, sim: dict[str, np.ndarray]) -> tuple[Path, Path]:
    """Spells and group changes as an administration would export them (whole days).

    Event times are rounded up to the next day; a benefit whose events then fall on one day is
    left out (about 0.1% of them), as such a record would be refused as ambiguous.
    """
    day = np.ceil(sim["exit"]).astype(int)
    frame = pl.DataFrame({**sim, "day": day}).sort("spell", "entry")
    clash = frame.group_by("spell").agg(
        (pl.col("day").n_unique() < pl.len())
        | (pl.col("day").first() <= pl.col("entry").first().ceil())
    )
    bad = clash.filter(pl.col("day"))["spell"]
    frame = frame.filter(~pl.col("spell").is_in(bad.to_list()))
    assert bad.len() < 0.01 * clash.height
    to_date = lambda days: pl.lit(EPOCH) + pl.duration(days=days)  # noqa: E731
    by_spell = frame.group_by("spell", maintain_order=True).agg(
        start=pl.col("entry").first().ceil().cast(pl.Int64),
        end=pl.col("day").last(),
        last=pl.col("transition").last(),
        first_group=pl.col("group").first(),
    )
    names = [*ROUTES]
    spells = by_spell.select(
        persoon_id=pl.format("id{}", "spell"),
        startdatum=to_date(pl.col("start")).cast(pl.Date),
        einddatum=pl.when(pl.col("last") >= 0).then(to_date(pl.col("end")).cast(pl.Date)),
        uitstroomroute=pl.col("last").replace_strict({0: names[0], 1: names[1]}, default=None),
        klantgroep=pl.col("first_group").replace_strict({0: "a", 1: "b"}),
    )
    changes = frame.filter(pl.col("transition") >= len(ROUTES)).select(
        persoon_id=pl.format("id{}", "spell"),
        datum=to_date(pl.col("day")).cast(pl.Date),
        klantgroep=(pl.col("transition") - len(ROUTES)).replace_strict({0: "a", 1: "b"}),
    )
    spells.write_csv(tmp_path / "spells.csv")
    changes.write_csv(tmp_path / "changes.csv")
    return tmp_path / "spells.csv", tmp_path / "changes.csv"


def _truth_frame() -> pl.DataFrame:
    g, k, j = (axis.ravel() for axis in np.indices(TRUE.shape))
    targets = np.array([*ROUTES, *GROUPS], dtype=object)
    keep = ~((j >= len(ROUTES)) & (j - len(ROUTES) == g))
    return pl.DataFrame(
        {
            "klantgroep": np.array(GROUPS, dtype=object)[g[keep]],
            "band_from_months": np.array(BANDS)[k[keep]],
            "target": targets[j[keep]],
            "truth": TRUE[g[keep], k[keep], j[keep]],
        }
    )


def _covered(estimates: pl.DataFrame) -> pl.DataFrame:
    joined = estimates.join(_truth_frame(), on=["klantgroep", "band_from_months", "target"])
    assert joined.height == 18
    return joined.with_columns(
        covered=(pl.col("lower") <= pl.col("truth")) & (pl.col("truth") <= pl.col("upper"))
    )


def test_true_hazards_are_recovered_from_an_exported_csv(tmp_path: Path) -> None:
    spells_path, changes_path = _write_csv(tmp_path, _simulate(np.random.default_rng(2024), 4000))
    spells = read_spells(
        spells_path,
        routes=ROUTES,
        peildatum=PEIL,
        klantgroepen=GROUPS,
        groepswijzigingen=changes_path,
    )
    checked = _covered(
        PiecewiseExponentialFitter(BANDS).fit(spells.episodes(), van=VAN, tot=PEIL).estimates_
    )
    # With 18 intervals, all 18 inside the 95% intervals happens for only about half of all
    # seeds (0.96^18); this seed has all 18 inside. So that another seed or a change in the
    # simulation does not turn this test into a coin toss, it asserts what holds for ~95% of
    # seeds: at least 16 of 18 inside the 95% intervals, and all inside the 99.9% intervals.
    # The slow test below checks the 95% coverage itself.
    assert checked["covered"].sum() >= 16, checked.filter(~pl.col("covered"))
    wide = PiecewiseExponentialFitter(BANDS, alpha=0.001).fit(spells.episodes(), van=VAN, tot=PEIL)
    assert _covered(wide.estimates_)["covered"].all()
    # and the intervals are narrow enough to mean something
    assert (checked["upper"] / checked["lower"]).max() < 2.5


def test_ignoring_left_truncation_would_be_caught() -> None:
    # Guard that the recovery test can fail: treating every episode as if it entered at
    # duration 0 puts long-duration exposure in band 0, and the werk hazard of band 0 is missed.
    episodes = _simulated_episodes(np.random.default_rng(3), 4000)
    wrong = Episodes(
        episodes.frame.with_columns(duration_at_entry_days=pl.lit(0.0)), ROUTES, GROUPS
    )
    checked = _covered(PiecewiseExponentialFitter(BANDS).fit(wrong, van=VAN, tot=PEIL).estimates_)
    assert not checked["covered"].all()


@pytest.mark.slow
def test_intervals_cover_the_truth_about_95_percent_of_the_time() -> None:
    seeds = 200
    hits = []
    for seed in range(seeds):
        episodes = _simulated_episodes(np.random.default_rng(seed), 2000)
        fitted = PiecewiseExponentialFitter(BANDS).fit(episodes, van=VAN, tot=PEIL)
        hits.append(_covered(fitted.estimates_)["covered"].to_numpy())
    coverage = np.mean(hits, axis=0)
    # Per parameter: 200 repetitions, binomial sd sqrt(.95 * .05 / 200) = 0.015; allow 3 sd.
    assert coverage.min() >= 0.95 - 3 * 0.0154, coverage
    # Pooled over 18 parameters (3600 intervals, sd 0.0036): Garwood is conservative, so the
    # pooled coverage sits at or a little above 95%, not far above (too-wide intervals).
    assert 0.95 - 3 * 0.0036 <= coverage.mean() <= 0.985, coverage.mean()
