"""Shared components of [[onzekerheid]] (`gedeeld`): one draw per replication for every file
that declares it, own blocks still per file; the national total's spread as theory says."""

from __future__ import annotations

import copy
import datetime as dt
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import simbijstand
from conftest import one_group_parameters, scenario_data, write_toml
from simbijstand.engine.draws import ReplicationModels, SharedDraws
from simbijstand.engine.streams import shared_seed
from simbijstand.errors import ScenarioError
from simbijstand.runs.gemeenten_sim import simulate_end_stocks
from simbijstand.scenario import load_parameter_file
from simbijstand.scenario.uncertainty import normal_factors

INFLOW = "instroom.per_jaar"
EXIT = "klantgroepen.a.uitstroom_per_jaar"


def params(own: float, shared: float | None, inflow: float = 60.0) -> dict[str, Any]:
    """One klantgroep; inflow with an own log variance and (unless None) a shared one."""
    data = one_group_parameters(exit_per_year=0.5, inflow_per_year=inflow)
    data["onzekerheid"] = [
        {"verdeling": "lognormaal", "sleutels": [INFLOW], "covariantie_log": [[own]]}
    ]
    if shared is not None:
        data["onzekerheid"].append(
            {
                "verdeling": "lognormaal",
                "gedeeld": "landelijk",
                "sleutels": [INFLOW],
                "covariantie_log": [[shared]],
            }
        )
    return data


def antithetic(seed: int, replication: int) -> float:
    """Replication r's national normal: drawn for an even r, its negation for the odd r + 1."""
    first = replication - replication % 2
    u = np.random.default_rng(shared_seed(seed, first, "landelijk")).standard_normal()
    return float(-u if replication % 2 else u)


def scenario_of(folder: Path, files: list[dict[str, Any]], seed: int = 3) -> Path:
    gemeenten = {}
    for i, data in enumerate(files):
        write_toml(folder / f"p{i}.toml", data)
        gemeenten[f"G{i}"] = {"parameters": f"p{i}.toml", "beginstand": {"aantallen": {"a": 50}}}
    scenario = scenario_data(months=12, replications=10, seed=seed, gemeenten=gemeenten)
    scenario["simulatie"]["parameteronzekerheid"] = True
    return write_toml(folder / "scenario.toml", scenario)


def log_factors(path: Path, replications: range) -> np.ndarray:
    """log(drawn inflow / file inflow) [replication, gemeente]."""
    scenario = simbijstand.load_scenario(path)
    models = ReplicationModels(scenario, {}, scenario.spec.simulatie.seed, True)
    base = [scenario.parameters[g].instroom.per_jaar for g in scenario.gemeenten]
    rows = []
    for r in replications:
        drawn = models.parameters(r)
        rows.append(
            [math.log(drawn[g].instroom.per_jaar / b) for g, b in zip(drawn, base, strict=True)]
        )
    return np.array(rows)


def test_the_shared_draw_is_the_same_in_every_file_and_differs_across_replications(
    tmp_path: Path,
) -> None:
    # no own variance: each file's log factor is its shared sd times the replication's normal
    sds = [0.05, 0.1, 0.2, 0.3, 0.1, 0.05]
    path = scenario_of(tmp_path, [params(0.0, sd**2) for sd in sds])
    logs = log_factors(path, range(50))
    normals = logs / np.array(sds)
    np.testing.assert_allclose(normals, normals[:, :1] * np.ones_like(normals), rtol=1e-12)
    assert len(np.unique(np.round(normals[:, 0], 12))) == 50
    expected = [antithetic(3, r) for r in range(50)]
    np.testing.assert_allclose(normals[:, 0], expected, rtol=1e-12)


def test_own_parts_stay_independent_and_the_marginal_adds_both_variances(tmp_path: Path) -> None:
    own, shared = 0.03, 0.02
    path = scenario_of(tmp_path, [params(own, shared) for _ in range(4)])
    logs = log_factors(path, range(3000))
    covariance = np.cov(logs.T)
    # each file: N(0, own + shared), as a single block of own + shared would draw
    np.testing.assert_allclose(np.diag(covariance), own + shared, rtol=0.08)
    np.testing.assert_allclose(logs.mean(axis=0), 0.0, atol=0.015)
    # two files: they share only the national part. Monte Carlo sd of a covariance estimate
    # with the shared normals in antithetic pairs (u, -u): each pair's u^2 counts twice, so
    # Var = (own^2 + 2 shared own + 4 shared^2) / n (independent draws: 2 shared^2)
    off = covariance[~np.eye(4, dtype=bool)]
    sd = np.sqrt((own**2 + 2 * shared * own + 4 * shared**2) / len(logs))
    np.testing.assert_allclose(off, shared, atol=4 * sd)
    assert 4 * sd < shared / 4  # still tells the national part from none or from own + shared


def test_a_files_shared_draw_does_not_depend_on_the_other_files(tmp_path: Path) -> None:
    (tmp_path / "alone").mkdir()
    (tmp_path / "many").mkdir()
    alone = scenario_of(tmp_path / "alone", [params(0.0, 0.04)])
    others = [params(0.05, 0.01), params(0.02, 0.03)]
    many = scenario_of(tmp_path / "many", [*others, params(0.0, 0.04)])
    np.testing.assert_array_equal(
        log_factors(alone, range(20))[:, 0], log_factors(many, range(20))[:, 2]
    )


def test_shared_draws_are_drawn_once_per_component_and_keep_their_prefix() -> None:
    draws = SharedDraws(seed=9, replication=4)
    first = draws("landelijk", 1).copy()
    longer = draws("landelijk", 3)
    assert longer[0] == first[0]
    assert draws("regio", 1)[0] != first[0]
    direct = np.random.default_rng(shared_seed(9, 4, "landelijk")).standard_normal(3)
    np.testing.assert_array_equal(longer, direct)
    # replication 5 is 4's antithetic partner
    np.testing.assert_array_equal(SharedDraws(seed=9, replication=5)("landelijk", 3), -direct)


# --- the national total of many gemeenten: theory and workers --------------------------------

START, HAZARD = 80, 0.5
INFLOWS = [30.0 + 2.0 * i for i in range(24)]
OWN_SD, SHARED_SD = 0.12, 0.15


def pooled_like(inflow: float, shared: float | None) -> dict[str, Any]:
    data = params(OWN_SD**2, shared, inflow=inflow)
    data["klantgroepen"]["a"]["uitstroom_per_jaar"] = HAZARD
    return data


def total_variance(shared: bool) -> float:
    """Var(sum of end stocks): E[Var | F] + Var(E | F), F_g = exp(s e + o e_g) the inflow
    factors (lognormal), given F the start survives binomially and arrivals are Poisson."""
    p = math.exp(-HAZARD)
    a = np.array(INFLOWS) * (1 - p) / HAZARD  # expected survivors of a year's inflow
    s = SHARED_SD if shared else 0.0
    v = OWN_SD**2 + SHARED_SD**2
    chance = len(INFLOWS) * START * p * (1 - p) + a.sum() * math.exp(v / 2)
    cov = math.exp(v) * (math.exp(s * s) - 1) * np.ones((len(a), len(a)))
    np.fill_diagonal(cov, math.exp(v) * (math.exp(v) - 1))
    return float(chance + a @ cov @ a)


def end_stocks(shared: bool, replications: int, workers: int = 1) -> np.ndarray:
    files = {}
    for i, inflow in enumerate(INFLOWS):
        data = pooled_like(inflow, SHARED_SD**2 if shared else None)
        if not shared:  # the same marginal: one own block with both variances
            data["onzekerheid"][0]["covariantie_log"] = [[OWN_SD**2 + SHARED_SD**2]]
        files[f"G{i}"] = data
    counts = dict.fromkeys(files, START)
    return simulate_end_stocks(
        files, counts, dt.date(2017, 1, 1), 12, replications, 20170101, workers=workers
    )


@pytest.mark.parametrize("shared", [True, False])
def test_the_national_totals_spread_matches_theory(shared: bool) -> None:
    replications = 600
    stocks = end_stocks(shared, replications)
    total = stocks.sum(axis=1)
    expected = total_variance(shared)
    # Monte Carlo error of a sample variance: Var(s^2) = sigma^4 (2 / (R - 1) + excess / R);
    # the shared normals come in antithetic pairs (u, -u), whose squares are equal, so count
    # R / 2 independent draws: conservative for the part the gemeenten do not share
    independent = replications // 2
    centred = total - total.mean()
    excess = float(np.mean(centred**4) / np.mean(centred**2) ** 2 - 3)
    error = expected * math.sqrt(2 / (independent - 1) + max(excess, 0.0) / independent)
    assert abs(total.var(ddof=1) - expected) < 4 * error
    # and the two answers lie far apart: the test can tell one from the other
    other = total_variance(not shared)
    assert abs(other - expected) > 8 * error
    # each gemeente's own spread is the same either way (its marginal did not change)
    p = math.exp(-HAZARD)
    v = OWN_SD**2 + SHARED_SD**2
    a = INFLOWS[-1] * (1 - p) / HAZARD
    single = START * p * (1 - p) + a * math.exp(v / 2) + a * a * math.exp(v) * (math.exp(v) - 1)
    assert stocks[:, -1].var(ddof=1) == pytest.approx(single, rel=0.25)


def test_shared_draws_do_not_depend_on_workers() -> None:
    one = end_stocks(True, 12, workers=1)
    two = end_stocks(True, 12, workers=2)
    np.testing.assert_array_equal(one, two)


# --- checks at load ------------------------------------------------------------------------


def shared_block(**changes: Any) -> dict[str, Any]:
    block = {
        "verdeling": "lognormaal",
        "gedeeld": "landelijk",
        "sleutels": [INFLOW],
        "covariantie_log": [[0.01]],
    }
    return block | changes


BROKEN = [
    (
        [shared_block(verdeling="gamma", covariantie_log=None, vorm=2.0, schaal=1.0)],
        ["onzekerheid[1]", "gedeeld = 'landelijk'", "lognormaal or normaal only", "gamma"],
    ),
    ([shared_block(), shared_block()], ["onzekerheid[2]", "more than one block"]),
    (
        [
            shared_block(gedeeld="regio"),
            shared_block(sleutels=[INFLOW, INFLOW], covariantie_log=[[0.01, 0], [0, 0.01]]),
        ],
        ["instroom.per_jaar", "more than one block with gedeeld = 'landelijk'"],
    ),
    ([shared_block(gedeeld="-x")], ["gedeeld = '-x'", "not starting with '-'"]),
    ([shared_block(gedeeld="totaal")], ["gedeeld", "reserved"]),
    (
        [
            {"verdeling": "lognormaal", "sleutels": [INFLOW], "covariantie_log": [[0.01]]},
            {"verdeling": "lognormaal", "sleutels": [INFLOW], "covariantie_log": [[0.01]]},
        ],
        ["more than one block of verdeling lognormaal without gedeeld"],
    ),
    (
        [
            {"verdeling": "normaal", "sleutels": [INFLOW], "covariantie": [[0.01]]},
            {"verdeling": "normaal", "sleutels": [INFLOW], "covariantie": [[0.01]]},
        ],
        ["more than one block of verdeling normaal without gedeeld"],
    ),
    (
        [{"verdeling": "normaal", "sleutels": [INFLOW], "covariantie_log": [[0.01]]}],
        ["verdeling normaal needs covariantie", "covariantie_log does not belong"],
    ),
    (
        [{"verdeling": "normaal", "sleutels": [INFLOW], "covariantie": [[0.01, 0], [0, 0.01]]}],
        ["covariantie has shape (2, 2); expected 1 x 1"],
    ),
]


@pytest.mark.parametrize(("blocks", "words"), BROKEN)
def test_bad_shared_blocks_are_refused_with_file_and_key(tmp_path, blocks, words) -> None:
    data = one_group_parameters(inflow_per_year=60.0) | {"onzekerheid": copy.deepcopy(blocks)}
    for block in data["onzekerheid"]:
        for key in [k for k, v in block.items() if v is None]:
            del block[key]
    path = write_toml(tmp_path / "p.toml", data)
    with pytest.raises(ScenarioError) as caught:
        load_parameter_file(path)
    message = str(caught.value)
    assert str(path) in message
    for word in words:
        assert word in message


def test_a_key_in_an_own_block_and_a_shared_block_is_fine(tmp_path: Path) -> None:
    path = write_toml(tmp_path / "p.toml", params(0.02, 0.01))
    assert load_parameter_file(path).onzekerheid[1].gedeeld == "landelijk"


def test_files_that_share_a_component_must_draw_it_alike(tmp_path: Path) -> None:
    other = params(0.02, None)
    other["onzekerheid"].append(
        {
            "verdeling": "normaal",
            "gedeeld": "landelijk",
            "sleutels": [INFLOW],
            "covariantie": [[0.01]],
        }
    )
    path = scenario_of(tmp_path, [params(0.02, 0.01), other])
    with pytest.raises(ScenarioError) as caught:
        simbijstand.load_scenario(path)
    for word in ("p1.toml", "verdeling normaal", "p0.toml has lognormaal", "act alike"):
        assert word in str(caught.value)


def test_files_that_share_a_component_must_name_the_same_keys(tmp_path: Path) -> None:
    other = params(0.02, None)
    other["onzekerheid"].append(
        shared_block(sleutels=[INFLOW, EXIT], covariantie_log=[[0.01, 0.0], [0.0, 0.01]])
    )
    path = scenario_of(tmp_path, [params(0.02, 0.01), other])
    with pytest.raises(ScenarioError) as caught:
        simbijstand.load_scenario(path)
    message = str(caught.value)
    for word in ("gemeenten.G1.parameters", "p1.toml", "p0.toml", "same keys in the same order"):
        assert word in message


# --- the pooled calibration and init write the national part as shared ---------------------

REPO = Path(__file__).resolve().parents[1]
GEMEENTEN = REPO / "calibration" / "gemeenten"


def inflow_variances(params: Any) -> tuple[float, float, float]:
    """instroom.per_jaar's log variance in the rates' lognormal block, and its variance in the
    own and in the shared normaal block (the year-level deviation's two parts)."""
    blocks = params.onzekerheid
    (posterior,) = [b for b in blocks if b.verdeling == "lognormaal"]
    (own,) = [b for b in blocks if b.verdeling == "normaal" and b.gedeeld is None]
    (shared,) = [b for b in blocks if b.gedeeld == "landelijk"]
    assert posterior.sleutels[0] == own.sleutels[0] == INFLOW and shared.sleutels == [INFLOW]
    assert shared.verdeling == "normaal"
    return posterior.covariantie_log[0][0], own.covariantie[0][0], shared.covariantie[0][0]


def test_pooled_files_split_the_year_level_deviation_into_own_and_national() -> None:
    from simbijstand.estimation.pooled.calibrate import calibrate_gemeenten
    from simbijstand.estimation.pooled.files import parameter_data
    from simbijstand.scenario.schema import ParameterFile

    data = REPO / "calibration" / "data"
    fit = calibrate_gemeenten(
        data / "cbs_gemeenten_bijstand_2015_2016.csv",
        GEMEENTEN / "herindelingen-2016.csv",
        data / "cbs_37789ksz_uitkeringen_nederland_maand.csv",
        dt.date(2017, 1, 1),
    )
    start = fit.rates.year.stock
    own_part, common_part = fit.own_variance.model.variance(start), fit.common_variance * start**2
    for index in range(0, 390, 7):
        share = common_part[index] / (own_part[index] + common_part[index])
        params = ParameterFile.model_validate(parameter_data(fit.rates, fit.level, index, None))
        posterior, own, national = inflow_variances(params)
        assert posterior == pytest.approx(fit.rates.inflow_log_variance[index], rel=1e-6)
        # together the year-level variance of one factor; split in proportion
        assert own + national == pytest.approx(fit.level_variance[index], rel=1e-6)
        assert national == pytest.approx(share * fit.level_variance[index], rel=1e-6)


def test_every_shipped_gemeente_shares_the_national_part() -> None:
    files = [p for p in GEMEENTEN.glob("*.toml") if p.name != "kalibratie-gepoold.toml"]
    shared = [p for p in files if "gedeeld" in p.read_text(encoding="utf-8")]
    assert len(shared) == 390
    for path in shared[::29]:
        posterior, own, national = inflow_variances(load_parameter_file(path))
        assert posterior > 0 and national > 0 and own > 0


def test_init_writes_the_national_part_shared_with_the_calibrated_gemeenten(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from simbijstand.cli import main
    from simbijstand.runs.init import InitRequest, plan_init

    args = ["--gemeente", "Zwolle", "--start", "2027-01-01", "--bestand", "6000",
            "--inwoners", "130000"]  # fmt: skip
    result = CliRunner().invoke(main, ["init", str(tmp_path / "z"), *args])
    assert result.exit_code == 0, result.output
    posterior, own, national = inflow_variances(
        load_parameter_file(tmp_path / "z" / "parameters.toml")
    )
    plan = plan_init(InitRequest("Zwolle", dt.date(2027, 1, 1), 6000, inwoners=130000))
    record = plan.record
    assert posterior == pytest.approx(plan.rates.inflow_log_variance, rel=1e-12)
    assert own + national == pytest.approx(plan.level_variance, rel=1e-12)
    persons = 6000 * record.persons_per_benefit  # the unit the own variance was fitted in
    own_relative = float(record.own_variance.variance(persons)) / persons**2
    share = record.common_variance / (own_relative + record.common_variance)
    assert national == pytest.approx(share * plan.level_variance, rel=1e-12)
    # one run with a calibrated gemeente: the same component, the same keys; without their own
    # blocks both move by the same national normal, each with its own sd
    files = {
        "Zwolle": tmp_path / "z" / "parameters.toml",
        "Amsterdam": GEMEENTEN / "amsterdam.toml",
    }
    gemeenten, sds = {}, []
    for name, path in files.items():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        data["onzekerheid"] = [b for b in data["onzekerheid"] if "gedeeld" in b]
        sds.append(math.sqrt(data["onzekerheid"][0]["covariantie"][0][0]))
        write_toml(tmp_path / f"{name}.toml", data)
        gemeenten[name] = {
            "parameters": f"{name}.toml",
            "beginstand": {"aantallen": {"bijstand": 100}},
        }
    scenario = scenario_data(months=12, gemeenten=gemeenten, seed=5)
    scenario["simulatie"]["parameteronzekerheid"] = True
    logs = log_factors(write_toml(tmp_path / "samen.toml", scenario), range(5))
    normals = [antithetic(5, r) for r in range(5)]
    sd = np.array(sds)
    expected = [normal_factors(sd * n, sd**2) for n in normals]  # 1 + sd n, mean kept
    np.testing.assert_allclose(np.exp(logs), np.array(expected), rtol=1e-9)
