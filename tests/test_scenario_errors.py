"""A corpus of broken scenario and parameter files, one per failure mode, with the words each
message must contain: the file that holds the mistake, the key, the bad value, what is allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from simbijstand.cli import main
from simbijstand.errors import ScenarioError, SimbijstandError
from simbijstand.runs.run import prepare
from simbijstand.scenario import load_scenario

CORPUS = Path(__file__).parent / "broken_scenarios"

EXPECTED = {
    # scenario file: (file named in the message, words the message must contain)
    "unknown_key.toml": (
        "unknown_key.toml",
        ["unknown key 'simulatie.horzon_maanden'", "did you mean 'horizon_maanden'"],
    ),
    "wrong_type.toml": ("wrong_type.toml", ["simulatie.replicaties", "'veel'", "whole number"]),
    "date_as_text.toml": (
        "date_as_text.toml",
        ["simulatie.start", "'2021-01-01'", "expected a date"],
    ),
    "start_not_first_of_month.toml": (
        "start_not_first_of_month.toml",
        ["simulatie.start", "2021-01-15", "first day of a month"],
    ),
    "date_outside_horizon.toml": (
        "date_outside_horizon.toml",
        ["multiplicator[1].van", "2030-01-01", "outside the horizon", "2021-01-01", "2022-01-01"],
    ),
    "multiplicator_unknown_route.toml": (
        "multiplicator_unknown_route.toml",
        ["multiplicator[1].uitstroom.wrk", "known: overig, werk"],
    ),
    "missing_parameter_file.toml": (
        "missing_parameter_file.toml",
        ["gemeenten.Testdorp.parameters", "no such file", "missing.toml"],
    ),
    "unknown_klantgroep.toml": (
        "unknown_klantgroep.toml",
        ["beginstand.aantallen.x", "unknown name 'x'", "known: a"],
    ),
    "two_initial_states.toml": (
        "two_initial_states.toml",
        ["gemeenten.Testdorp.beginstand", "exactly one of", "aantallen, bestand"],
    ),
    "initial_csv_missing_column.toml": (
        "start_missing_column.csv",
        ["missing column(s) aantal", "beginstand"],
    ),
    "initial_csv_negative_count.toml": ("start_negative.csv", ["row 2", "aantal = '-3'", ">= 0"]),
    "initial_eventlog_missing.toml": ("no_such_log", ["no such event log", "beginstand"]),
    "missing_cost.toml": (
        "missing_cost.toml",
        ["kosten.per_maand", "regeling 'participatiewet'", "klantgroep 'a'"],
    ),
    "missing_kosten.toml": ("missing_kosten.toml", ["missing key 'kosten'"]),
    "broken_toml.toml": ("broken_toml.toml", ["not valid TOML", "line 6"]),
    "cycle_a.toml": ("cycle_", ["extends forms a cycle"]),
    "extends_missing.toml": (
        "extends_missing.toml",
        ["extends = 'does_not_exist.toml'", "no such file"],
    ),
    "scenario_probability_above_one.toml": (
        "params_probability.toml",
        ["klantgroepen.a.uitstroom_routes.werk = 1.3", "at most 1"],
    ),
    "scenario_negative_rate.toml": (
        "params_negative.toml",
        ["klantgroepen.a.uitstroom_per_jaar = -0.2", "at least 0"],
    ),
    "scenario_shares_do_not_add_up.toml": (
        "params_shares.toml",
        ["klantgroepen.a.uitstroom_routes", "add up to 0.8000", "must add up to 1"],
    ),
    "scenario_not_finite.toml": ("params_nan.toml", ["uitstroom_per_jaar = nan", "finite"]),
    "scenario_duration_factors_wrong_length.toml": (
        "params_bands.toml",
        ["duur_factor", "3 factors", "one per duration band"],
    ),
    "scenario_moves_to_itself.toml": (
        "params_self.toml",
        ["doorstroom_per_jaar.a", "cannot move to itself"],
    ),
    "scenario_season_too_short.toml": (
        "params_season.toml",
        ["instroom.seizoen", "at least 12", "got 3"],
    ),
    "measure_capacity_and_dates.toml": (
        "measure_capacity_and_dates.toml",
        ["traject[1].capaciteit", "either plaatsen", "traject[1].van", "outside the horizon"],
    ),
    "statushouders_unknown_gemeente.toml": (
        "statushouders_unknown_gemeente.toml",
        ["statushouders.aandeel.Elders", "known: Testdorp"],
    ),
    "aow_without_ages.toml": (
        "aow_without_ages.toml",
        ["AOW by age needs the ages", "no leeftijd for a"],
    ),
    "scenario_inflow_deviation_out_of_range.toml": (
        "params_schommeling.toml",
        [
            "instroom.schommeling.sd_per_maand = -0.05",
            "at least 0",
            "instroom.schommeling.persistentie = 1.2",
            "at most 1",
        ],
    ),
    "scenario_parameter_key_typo.toml": (
        "params_typo.toml",
        ["unknown key 'routse'", "did you mean 'routes'"],
    ),
    # Finance inputs a run would otherwise reject only when it prepares (or computes) its finance.
    "vangnet_regime_value_out_of_range.toml": (
        "vangnet_regime_value_out_of_range.toml",
        ["regimes.vanaf-2019.voorwaarden.drempel_pct = -5.0", "at least 0"],
    ),
    "vangnet_regimes_overlap.toml": (
        "vangnet_regimes_overlap.toml",
        ["regimes.vanaf-2019-streng", "applies by default to 2021 and later", "standaard = false"],
    ),
    "vangnet_regime_for_another_year.toml": (
        "vangnet_regime_for_another_year.toml",
        ["regime = 'verruimd-2025'", "applies to 2025, not to year 2021"],
    ),
    "vangnet_regime_unknown.toml": (
        "vangnet_regime_unknown.toml",
        ["regime = 'streng'", "no such vangnet regime", "choose one of 2015"],
    ),
    "vangnet_year_without_regime.toml": (
        "vangnet_year_without_regime.toml",
        [
            "year = 2013",
            "no vangnet regime applies",
            "add a regime for 2013 under [vangnet.regimes]",
        ],
    ),
    "budget_historisch_from_negative_lasten.toml": (
        "budget_historisch_from_negative_lasten.toml",
        [
            "budget.historisch",
            "the 2021 budget",
            "-50000",
            "more than 0 euros",
            'realisatie."2019"',
        ],
    ),
    # Names that a spreadsheet would run as a formula or a terminal would obey (issue 16).
    "gemeente_formula_name.toml": (
        "gemeente_formula_name.toml",
        ['=HYPERLINK("http://x","y")', "may not start with '='", "formula"],
    ),
    "gemeente_escape_sequence.toml": (
        "gemeente_escape_sequence.toml",
        ["'Test\\x1b[31mdorp'", "may not hold control characters"],
    ),
    "names_like_formulas.toml": (
        "params_names_like_formulas.toml",
        ["routes[2] = '-overig'", "klantgroepen.-a = '-a'", "not starting with '-'"],
    ),
    "=1+1.toml": (
        "=1+1.toml",
        ["the file name '=1+1' would be the scenario's name", "may not start with '='", "naam"],
    ),
}
CHECKED_AT_LOAD = [name for name in EXPECTED if name.startswith(("vangnet_", "budget_"))]


def test_every_broken_file_is_in_the_table() -> None:
    scenarios = {
        p.name
        for p in CORPUS.glob("*.toml")
        if not p.name.startswith("params") and p.name != "cycle_b.toml"
    }
    assert scenarios == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_gives_a_precise_message(name: str) -> None:
    culprit, words = EXPECTED[name]
    with pytest.raises(SimbijstandError) as caught:
        prepare(CORPUS / name)
    message = (
        "\n".join(caught.value.problems)
        if isinstance(caught.value, ScenarioError)
        else str(caught.value)
    )
    assert culprit in message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize(
    "name",
    ["unknown_key.toml", "scenario_shares_do_not_add_up.toml", "initial_eventlog_missing.toml"],
)
def test_cli_reports_a_user_mistake_without_traceback_and_exit_2(name: str, tmp_path: Path) -> None:
    runner = CliRunner()
    for args in (
        ["validate", str(CORPUS / name)],
        ["run", str(CORPUS / name), "--out", str(tmp_path / "run")],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert result.output.startswith("error: ")
    assert not (tmp_path / "run").exists()  # a rejected scenario leaves no run directory behind


@pytest.mark.parametrize("name", CHECKED_AT_LOAD)
def test_finance_inputs_are_checked_when_the_scenario_loads(name: str) -> None:
    culprit, words = EXPECTED[name]
    with pytest.raises(ScenarioError) as caught:
        load_scenario(CORPUS / name)
    message = "\n".join(caught.value.problems)
    assert culprit in message
    for word in words:
        assert word in message, (word, message)
    result = CliRunner().invoke(main, ["validate", str(CORPUS / name)])
    assert result.exit_code == 2, result.output
    assert all(word in result.stderr for word in words), result.stderr
