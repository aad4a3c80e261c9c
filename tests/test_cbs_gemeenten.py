"""The CBS per-gemeente reader, herindelingen and the pooled fit's pieces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simbijstand.errors import InputDataError
from simbijstand.estimation.observations.cbs_gemeenten import read_cbs_gemeenten
from simbijstand.estimation.observations.herindelingen import on_boundaries_of, read_herindelingen
from simbijstand.estimation.pooled.panel import read_years
from simbijstand.estimation.pooled.shrinkage import fit_shrinkage

DATA = Path(__file__).resolve().parents[1] / "calibration" / "data"
CBS = DATA / "cbs_gemeenten_bijstand_2015_2016.csv"
HERINDELINGEN = DATA.parent / "gemeenten" / "herindelingen-2016.csv"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / CBS.name


def test_copy_matches_shared_data():
    if not SHARED.exists():
        pytest.skip("shared data not present")
    assert CBS.read_bytes() == SHARED.read_bytes()


def test_reads_one_age_group_with_missing_as_none():
    rows = read_cbs_gemeenten(CBS, 90100)
    assert {r.jaar for r in rows} == {2015, 2016}
    assert sum(r.jaar == 2016 for r in rows) == 390
    amsterdam = next(r for r in rows if r.gemeente == "Amsterdam" and r.jaar == 2016)
    assert (amsterdam.bestand, amsterdam.instroom, amsterdam.uitstroom) == (42220, 10670, 9110)
    aow = read_cbs_gemeenten(CBS, 90200)
    assert any(r.uitstroom_naar_werk is None for r in aow)  # CBS's '.'


def _write(tmp_path: Path, edit) -> Path:
    lines = CBS.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "cbs.csv"
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (
            lambda ls: [ls[0], ls[1].replace(",370,17.5", ",373,17.5", 1)],
            ["row 2", "multiple of 10"],
        ),
        (lambda ls: [ls[0], ls[1].replace("GM1680", "1680")], ["row 2", "not a CBS code"]),
        (lambda ls: [ls[0], ls[1], ls[1]], ["rows 2 and 3", "more than once"]),
        (lambda ls: [ls[0].replace("instroom,", "instr,", 1), ls[1]], ["missing column"]),
        (lambda ls: [ls[0], ls[1].replace(",370,", ",-370,", 1)], ["row 2", "negative"]),
    ],
)
def test_broken_files_name_row_and_problem(tmp_path, edit, words):
    with pytest.raises(InputDataError) as caught:
        read_cbs_gemeenten(_write(tmp_path, edit), 20150)
    assert all(w in str(caught.value) for w in words)


def test_merger_is_summed_not_chained():
    rows = read_cbs_gemeenten(CBS, 90100)
    changes = read_herindelingen(HERINDELINGEN)
    earlier = [r for r in rows if r.jaar == 2015]
    later = [r for r in rows if r.jaar == 2016]
    converted = on_boundaries_of(earlier, later, changes)
    assert len(converted) == 390
    # Edam-Volendam kept its code but took in Zeevang: 260 + 70
    assert converted["GM0385"].bestand == 330 and converted["GM0385"].delen == 2
    assert converted["GM1942"].bestand == 580 + 90 + 210  # Bussum, Muiden, Naarden
    assert converted["GM1945"].bestand == 780  # Groesbeek renamed Berg en Dal


def test_unexplained_new_code_is_refused():
    rows = read_cbs_gemeenten(CBS, 90100)
    changes = [c for c in read_herindelingen(HERINDELINGEN) if c.gemeente_oud != "Zeevang"]
    earlier = [r for r in rows if r.jaar == 2015]
    later = [r for r in rows if r.jaar == 2016]
    with pytest.raises(InputDataError, match="GM0478 is not in 2016"):
        on_boundaries_of(earlier, later, changes)


def test_years_share_boundaries_and_start_stock():
    years = read_years(CBS, HERINDELINGEN, 90100)
    assert years[2015].codes == years[2016].codes
    assert years[2015].start is None
    assert np.array_equal(years[2016].start, years[2015].stock)


def test_shrinkage_recovers_pool_and_weights_follow_noise():
    rng = np.random.default_rng(5)
    n = 400
    x = np.column_stack([np.ones(n), rng.normal(size=n)])
    truth = x @ np.array([-3.0, 0.5]) + rng.normal(0, 0.2, n)  # tau^2 = 0.04
    v = rng.choice([0.001, 0.04, 1.0], size=n)
    fit = fit_shrinkage(truth + rng.normal(0, np.sqrt(v)), v, x)
    assert fit.beta == pytest.approx([-3.0, 0.5], abs=0.06)
    assert 0.025 < fit.tau2 < 0.06
    assert fit.own_weight[v == 0.001].min() > 0.9 > 0.1 > fit.own_weight[v == 1.0].max()
    # shrinking lowers the error against the truth where the own data are noisy
    noisy = v == 1.0
    err_post = np.abs(fit.posterior_mean - truth)[noisy].mean()
    assert err_post < 0.5 * np.sqrt(2 / np.pi)  # below the raw estimate's mean error
