"""Finance per run, worked by hand on scenarios whose caseload cannot move.

With no inflow and no exits, 100 benefits at EUR 1,000 a month cost exactly 1,200,000 a year in
every replication, so every figure below follows by hand from the scenario's money keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

from conftest import one_group_parameters, scenario_data, write_toml
from simbijstand.cli import main
from simbijstand.finance.cost import price_level
from simbijstand.runs.run import RunResult, run
from simbijstand.scenario.schema import Kosten

FINANCE_COLUMNS = [
    "replication",
    "year",
    "gemeente",
    "months",
    "benefit_months",
    "expenditure_eur",
    "realised_months",
    "complete",
    "gross_expenditure_eur",
    "receipts_eur",
    "wage_subsidy_eur",
    "net_expenditure_eur",
    "budget_eur",
    "budget_basis",
    "regime",
    "deficit_eur",
    "deficit_pct",
    "meets_single_year",
    "meets_multi_year",
    "vangnet_eligible",
    "vangnet_eur",
    "remaining_deficit_eur",
]


def steady(
    tmp_path: Path,
    money: dict[str, Any],
    *,
    start: dt.date = dt.date(2021, 1, 1),
    months: int = 24,
    **extra: Any,
) -> Path:
    """A scenario of 100 benefits that never change, with `money` in gemeenten.Testdorp."""
    write_toml(tmp_path / "params.toml", one_group_parameters(exit_per_year=0.0))
    gemeente = {"parameters": "params.toml", "beginstand": {"aantallen": {"a": 100}}, **money}
    data = scenario_data(
        start=start, months=months, replications=3, gemeenten={"Testdorp": gemeente}, **extra
    )
    return write_toml(tmp_path / "scenario.toml", data)


def finance_run(path: Path, tmp_path: Path) -> RunResult:
    return run(path, out=tmp_path / "run", workers=1)


def year_row(result: RunResult, year: int, replication: int = 0) -> dict[str, Any]:
    rows = result.finance.filter(year=year, replication=replication)
    return rows.row(0, named=True)


EXAMPLE = {
    "baten": {"aandeel": 0.05},
    "loonkostensubsidie": {"per_jaar": 24_000.0},
    "budget": {
        "jaren": {"2021": {"voorlopig": 950_000.0, "definitief": 1_000_000.0}},
        "groei_per_jaar": 0.10,
    },
    "realisatie": {"2019": {"resultaat": 10_000.0}, "2020": {"resultaat": 20_000.0}},
}


def test_worked_example_net_lasten_budget_deficit_and_vangnet(tmp_path: Path) -> None:
    result = finance_run(steady(tmp_path, EXAMPLE), tmp_path)
    assert result.finance.columns == FINANCE_COLUMNS
    # 2021: gross 1,200,000; receipts 5% = 60,000; LKS 24,000: net 1,164,000. The definitive
    # budget 1,000,000 decides (not the provisional 950,000): deficit 164,000 = 16.4% > 7.5%.
    # Cumulative 2019-2021: 10,000 + 20,000 + 164,000 = 194,000 = 19.4% > 7.5%: eligible.
    # Vangnet: 50% of 7.5-12.5% (50,000) = 25,000, plus 100% above 12.5% (39,000): 64,000.
    r = year_row(result, 2021)
    assert r["gross_expenditure_eur"] == pytest.approx(1_200_000)
    assert r["receipts_eur"] == pytest.approx(60_000)
    assert r["wage_subsidy_eur"] == pytest.approx(24_000)
    assert r["net_expenditure_eur"] == pytest.approx(1_164_000)
    assert (r["budget_eur"], r["budget_basis"], r["regime"]) == (
        1_000_000,
        "definitief",
        "vanaf-2019",
    )
    assert (r["deficit_eur"], r["deficit_pct"]) == (164_000, pytest.approx(16.4))
    assert r["meets_single_year"] and r["meets_multi_year"] and r["vangnet_eligible"]
    assert (r["vangnet_eur"], r["remaining_deficit_eur"]) == (64_000, 100_000)
    # 2022: budget grown 10% from 2021's 1,000,000 = 1,100,000; deficit 64,000 = 5.8%: below
    # 7.5%, so no vangnet although 20,000 + 164,000 + 64,000 passes the multi-year test.
    r = year_row(result, 2022)
    assert (r["budget_eur"], r["budget_basis"]) == (pytest.approx(1_100_000), "groei")
    assert r["deficit_eur"] == 64_000 and not r["meets_single_year"] and r["meets_multi_year"]
    assert (r["vangnet_eligible"], r["vangnet_eur"], r["remaining_deficit_eur"]) == (
        False,
        0,
        64_000,
    )


def test_summary_has_quantiles_probabilities_and_the_expected_vangnet(tmp_path: Path) -> None:
    result = finance_run(steady(tmp_path, EXAMPLE), tmp_path)
    summary = pl.read_csv(result.run_dir / "finance_summary.csv")
    stats = {
        (r["year"], r["quantity"]): r
        for r in summary.filter(gemeente="Testdorp").iter_rows(named=True)
    }
    assert stats[(2021, "vangnet_eur")]["mean"] == 64_000  # the expected vangnet
    assert stats[(2021, "p_vangnet_pct")]["mean"] == 100
    assert (
        stats[(2022, "p_deficit_pct")]["mean"] == 100
        and stats[(2022, "p_vangnet_pct")]["mean"] == 0
    )
    assert stats[(2021, "deficit_eur")]["p90"] == 164_000
    assert stats[(2021, "p_vangnet_pct")]["p50"] is None  # no quantiles of a probability


def test_a_provisional_budget_stands_in_and_the_outputs_say_so(tmp_path: Path) -> None:
    money = {"budget": {"jaren": {"2021": {"voorlopig": 1_100_000.0}}}}
    result = finance_run(steady(tmp_path, money, months=12), tmp_path)
    r = year_row(result, 2021)
    assert (r["budget_eur"], r["budget_basis"], r["deficit_eur"]) == (
        1_100_000,
        "voorlopig",
        100_000,
    )
    assert "voorlopige budget" in result.finance_summary["note"][0]


def test_realised_months_complete_a_partial_start_year(tmp_path: Path) -> None:
    # From 1 July: 6 simulated months cost 600,000 (receipts 5% = 30,000); January-June were
    # realised: lasten 590,000, baten 10,000. Net 1,190,000 - 40,000 = 1,150,000; deficit 50,000.
    money = {
        "baten": {"aandeel": 0.05},
        "budget": {"jaren": {"2021": {"definitief": 1_100_000.0}}},
        "realisatie": {"2021": {"lasten": 590_000.0, "baten": 10_000.0}},
    }
    result = finance_run(steady(tmp_path, money, start=dt.date(2021, 7, 1), months=6), tmp_path)
    r = year_row(result, 2021)
    assert (r["months"], r["realised_months"], r["complete"]) == (6, 6, True)
    assert r["gross_expenditure_eur"] == pytest.approx(1_190_000)
    assert r["net_expenditure_eur"] == pytest.approx(1_150_000)
    assert r["deficit_eur"] == 50_000
    assert "jan–jun gerealiseerd, jul–dec gesimuleerd" in result.finance_summary["note"][0]


def test_a_partial_year_without_realised_months_gets_no_deficit(tmp_path: Path) -> None:
    money = {"budget": {"jaren": {"2021": {"definitief": 1.0e6}, "2022": {"definitief": 1.2e6}}}}
    result = finance_run(steady(tmp_path, money, start=dt.date(2021, 7, 1), months=18), tmp_path)
    r = year_row(result, 2021)
    assert not r["complete"] and r["expenditure_eur"] == pytest.approx(600_000)
    assert r["net_expenditure_eur"] is None and r["deficit_eur"] is None
    notes = dict(zip(result.finance_summary["year"], result.finance_summary["note"], strict=True))
    assert (
        'alleen jul–dec gesimuleerd; zonder de lasten van jan–jun (realisatie."2021".lasten)'
        in notes[2021]
    )
    # 2022 needs the result of 2021 (partial, so unknown) for its multi-year condition:
    # deficit 1.2e6 -> 1.2e6 is 0, so the single-year condition decides: no vangnet, known.
    assert year_row(result, 2022)["vangnet_eligible"] is False


def test_unknown_earlier_results_leave_eligibility_undecided(tmp_path: Path) -> None:
    # Deficit 200,000 = 20% > 7.5%, but the results of 2019 and 2020 are not given.
    money = {"budget": {"jaren": {"2021": {"definitief": 1_000_000.0}}}}
    result = finance_run(steady(tmp_path, money, months=12), tmp_path)
    r = year_row(result, 2021)
    assert r["meets_single_year"] and r["meets_multi_year"] is None
    assert r["vangnet_eligible"] is None and r["vangnet_eur"] is None
    summary = result.finance_summary.filter(quantity="p_vangnet_pct")
    assert summary["mean"][0] is None
    assert "resultaat 2019 en 2020 niet bekend" in summary["note"][0]
    assert 'realisatie."2019".resultaat' in summary["note"][0]


def test_historical_budget_follows_own_net_lasten_two_years_earlier(tmp_path: Path) -> None:
    # 2021: realised net lasten 2019 (1,000,000 - 20,000) x 1.02 = 999,600.
    # 2022: realised 2020 lasten 1,100,000 x 1.03 = 1,133,000.
    # 2023: simulated 2021 net lasten 1,200,000 x 1.0 = 1,200,000 (the same replication's).
    money = {
        "inwoners": 9_000,
        "budget": {"historisch": {"macrofactor": {"2021": 1.02, "2022": 1.03, "2023": 1.0}}},
        "realisatie": {
            "2019": {"lasten": 1_000_000.0, "baten": 20_000.0, "resultaat": 0.0},
            "2020": {"lasten": 1_100_000.0, "resultaat": 0.0},
        },
    }
    result = finance_run(steady(tmp_path, money, months=36), tmp_path)
    budgets = [year_row(result, y)["budget_eur"] for y in (2021, 2022, 2023)]
    assert budgets == [pytest.approx(999_600), pytest.approx(1_133_000), pytest.approx(1_200_000)]
    assert {year_row(result, y)["budget_basis"] for y in (2021, 2022, 2023)} == {"historisch"}


def test_a_scenario_can_override_a_vangnet_regime(tmp_path: Path) -> None:
    stricter = {"regimes": {"vanaf-2019": {"voorwaarden": {"drempel_pct": 20.0}}}}
    result = finance_run(steady(tmp_path, EXAMPLE, vangnet=stricter), tmp_path)
    r = year_row(result, 2021)
    assert not r["meets_single_year"] and r["vangnet_eur"] == 0  # 16.4% is not above 20%


def test_run_summary_shows_the_finance_block(tmp_path: Path) -> None:
    path = steady(tmp_path, EXAMPLE)
    out = CliRunner().invoke(
        main, ["run", str(path), "--out", str(tmp_path / "r"), "--workers", "1"]
    )
    assert out.exit_code == 0, out.output
    assert "BUIG-budget, tekort en vangnet Testdorp (x € 1.000" in out.stdout
    assert "  2021         1.164    1.000     164  (164 – 164)     16,4%" in out.stdout


# --- bad input: one line naming the value and what is allowed, exit code 2 ------------------

BAD: list[tuple[str, dict[str, Any], dict[str, Any], list[str]]] = [
    (
        "negative budget",
        {"budget": {"jaren": {"2021": {"definitief": -5.0}}}},
        {},
        ["gemeenten.Testdorp.budget.jaren.2021.definitief = -5.0", "more than 0"],
    ),
    (
        "budget year outside the horizon",
        {
            "budget": {
                "jaren": {"2021": {"definitief": 1e6}, "2030": {"definitief": 1e6}},
                "groei_per_jaar": 0.0,
            }
        },
        {},
        ["budget.jaren.2030", "outside the horizon", "allowed: 2021-2022"],
    ),
    (
        "year without a budget",
        {"budget": {"jaren": {"2021": {"definitief": 1e6}}}},
        {},
        ["no budget for 2022", "groei_per_jaar to grow it from 2021"],
    ),
    (
        "wrong previous result",
        {
            "budget": {"jaren": {"2021": {"definitief": 1e6}, "2022": {"definitief": 1e6}}},
            "realisatie": {"2020": {"lasten": 1e6, "budget": 9e5, "resultaat": 5e4}},
        },
        {},
        ["realisatie.2020.resultaat", "50000", "does not match", "100000"],
    ),
    (
        "a result for the start year",
        {
            "budget": {"jaren": {"2021": {"definitief": 1e6}, "2022": {"definitief": 1e6}}},
            "realisatie": {"2021": {"resultaat": 5e4}},
        },
        {},
        ["realisatie.2021", "not before the start (2021-01-01)"],
    ),
    (
        "historical model for a large gemeente",
        {"inwoners": 44_000, "budget": {"historisch": {"macrofactor": 1.0}}},
        {},
        ["gemeenten.Testdorp.inwoners", "44000", "under 15,000 inwoners"],
    ),
    (
        "historical model without the lasten two years earlier",
        {"inwoners": 9_000, "budget": {"historisch": {"macrofactor": 1.0}}},
        {"months": 12},
        ["budget.historisch", "net lasten of 2019", 'realisatie."2019".lasten'],
    ),
    (
        "receipts given two ways",
        {"baten": {"aandeel": 0.02, "per_jaar": 1e4}},
        {},
        ["gemeenten.Testdorp.baten", "exactly one of aandeel", "per_jaar"],
    ),
    (
        "year with no vangnet regime",
        {"budget": {"jaren": {"2013": {"definitief": 1e6}, "2014": {"definitief": 1e6}}}},
        {"start": dt.date(2013, 1, 1)},
        ["year = 2013", "no vangnet regime applies", "2015", "[vangnet.regimes]"],
    ),
    (
        "regime named for a year it does not cover",
        {"budget": {"jaren": {"2021": {"definitief": 1e6}, "2022": {"definitief": 1e6}}}},
        {"vangnet": {"regime": {"2021": "verruimd-2025"}}},
        ["regime = 'verruimd-2025'", "applies to 2025, not to year 2021"],
    ),
]


@pytest.mark.parametrize(("money", "extra", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_money_input_is_one_line_with_exit_code_2(
    tmp_path: Path, money: dict[str, Any], extra: dict[str, Any], words: list[str]
) -> None:
    start = extra.pop("start", dt.date(2021, 1, 1))
    months = extra.pop("months", 24)
    path = steady(tmp_path, money, start=start, months=months, **extra)
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "r")])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}"), lines
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in result.output


def test_a_misspelt_gemeente_in_a_variant_is_named_with_the_known_ones(
    tmp_path: Path, make_scenario: Callable[..., Path]
) -> None:
    make_scenario(one_group_parameters(), scenario_data(), name="base.toml")
    variant = tmp_path / "variant.toml"
    variant.write_text(
        'extends = "base.toml"\n[gemeenten.Testdrop.budget]\njaren."2021" = { definitief = 1e6 }\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", str(variant)])
    assert result.exit_code == 2
    assert "gemeenten.Testdrop: unknown gemeente" in result.stderr
    assert "known: Testdorp; did you mean 'Testdorp'?" in result.stderr


def test_totaal_sums_the_gemeenten(tmp_path: Path) -> None:
    write_toml(tmp_path / "params.toml", one_group_parameters(exit_per_year=0.0))
    gemeente = {
        "parameters": "params.toml",
        "beginstand": {"aantallen": {"a": 100}},
        "budget": {"jaren": {"2021": {"definitief": 1_000_000.0}}},
        "realisatie": {"2019": {"resultaat": 0.0}, "2020": {"resultaat": 0.0}},
    }
    data = scenario_data(months=12, replications=2, gemeenten={"A": gemeente, "B": gemeente})
    result = finance_run(write_toml(tmp_path / "scenario.toml", data), tmp_path)
    summary = result.finance_summary.filter(gemeente="totaal")
    means = dict(zip(summary["quantity"], summary["mean"], strict=True))
    # Each gemeente: lasten 1,200,000, deficit 200,000 = 20%: vangnet 25,000 + 75,000 = 100,000.
    assert means["net_expenditure_eur"] == pytest.approx(2_400_000)
    assert (means["deficit_eur"], means["vangnet_eur"]) == (400_000, 200_000)
    assert "p_vangnet_pct" not in means  # a probability does not add up over gemeenten


def test_dated_norm_indexation_takes_effect_in_its_month() -> None:
    """Rises on 1 January 2023 (10.15%) and 1 July 2023 (3%); 2024 by the yearly default."""
    kosten = Kosten.model_validate(
        {
            "prijsjaar": 2022,
            "per_maand": {"x": 1.0},
            "indexatie_per_jaar": 0.02,
            "indexatie": {"2023-01": 0.1015, "2023-07": 0.03},
            "ingebouwde_normen": False,
        }
    )
    assert price_level(kosten, dt.date(2022, 12, 1)) == pytest.approx(1.0)
    assert price_level(kosten, dt.date(2023, 6, 1)) == pytest.approx(1.1015)
    assert price_level(kosten, dt.date(2023, 7, 1)) == pytest.approx(1.1015 * 1.03)
    assert price_level(kosten, dt.date(2024, 1, 1)) == pytest.approx(1.1015 * 1.03 * 1.02)
    assert price_level(kosten, dt.date(2021, 1, 1)) == pytest.approx(1 / 1.02)
