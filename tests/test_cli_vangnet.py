"""`simbijstand vangnet`: JSON for spreadsheets, a Dutch table for people, one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from simbijstand.cli import main

EXAMPLE = ["--year", "2018", "--budget", "1000000", "--expenditure", "1110000"]
JSON_KEYS = {
    "year",
    "regime",
    "deficit",
    "deficit_pct",
    "meets_single_year",
    "meets_multi_year",
    "eligible",
    "vangnet",
    "remaining_deficit",
    "tiers",
}


def vangnet(*args: str) -> Result:
    return CliRunner().invoke(main, ["vangnet", *args])


def test_json_holds_the_worked_example() -> None:
    result = vangnet(*EXAMPLE, "--previous-results", "0,0", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= JSON_KEYS
    assert (data["year"], data["regime"]) == (2018, "2018")
    assert (data["deficit"], data["deficit_pct"]) == (110_000, 11.0)
    assert data["meets_single_year"] and data["meets_multi_year"] and data["eligible"]
    assert (data["vangnet"], data["remaining_deficit"]) == (32_500, 77_500)
    assert [t["amount"] for t in data["tiers"]] == [0, 25_000, 7_500]
    assert data["tiers"][2]["from_eur"] == 100_000 and data["tiers"][2]["share"] == 0.75
    # The regimes file speaks Dutch (zekerheid = "bevestigd"); the JSON keeps its English words.
    assert data["tiers"][2]["certainty"] == "confirmed"
    assert data["multi_year"]["kind"] == "cumulative_deficit"


def test_table_is_dutch_and_shows_the_build_up() -> None:
    result = vangnet(*EXAMPLE, "--previous-results", "0,0")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in (
        "tekort",
        "€ 110.000",
        "11,00% van het budget",
        "recht op vangnet  ja",
        "10–12,5%",
        "€ 100.000 – € 125.000",
        "75%",
        "€ 7.500",
        "vangnetuitkering",
        "€ 32.500",
        "resterend tekort",
        "€ 77.500",
        "cumulatief tekort 2016–2018",
    ):
        assert text in out, text
    assert "75%*" not in out and "gangbare waarde" not in out  # 2018's tiers are confirmed


def test_a_tier_not_confirmed_at_the_source_is_marked() -> None:
    result = vangnet("--year", "2016", "--budget", "1000000", "--expenditure", "1110000")
    assert result.exit_code == 0, result.output
    assert "75%*" in result.stdout and "gangbare waarde" in result.stdout


def test_table_says_why_the_multi_year_condition_fails() -> None:
    result = vangnet(*EXAMPLE, "--previous-results=-60000,-10000")
    assert result.exit_code == 0, result.output
    assert "meerjarig         nee" in result.stdout
    assert "4,00% van het budget 2018, niet meer dan 5%" in result.stdout
    assert "Geen vangnetuitkering" in result.stdout and "€ 110.000" in result.stdout


def test_negative_previous_results_need_no_equals_sign() -> None:
    result = vangnet(*EXAMPLE, "--previous-results", "-60000,10000", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["multi_year"]["total"] == 60_000


def test_year_without_multi_year_condition_needs_no_previous_results() -> None:
    result = vangnet("--year", "2016", "--budget", "1000000", "--expenditure", "1060000", "--json")
    assert json.loads(result.stdout)["vangnet"] == 5_000


def test_extended_net_2025_shows_the_amount_as_unknown() -> None:
    args = [
        "--year",
        "2025",
        "--regime",
        "verruimd-2025",
        "--budget",
        "1000000",
        "--expenditure",
        "1080000",
        "--previous-results",
        "60000,0,70000",
        "--previous-budgets",
        "950000,980000,990000",
    ]
    table = vangnet(*args)
    assert table.exit_code == 0, table.output
    assert "recht op vangnet  ja" in table.stdout and "onbekend" in table.stdout
    data = json.loads(vangnet(*args, "--json").stdout)
    assert data["eligible"] and data["vangnet"] is None and not data["compensation_known"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (
            ["--year", "2018", "--budget", "0", "--expenditure", "1", "--previous-results", "0,0"],
            ["budget = 0", "more than 0"],
        ),
        (
            ["--year", "2018", "--budget", "-5", "--expenditure", "1", "--previous-results", "0,0"],
            ["budget = -5", "more than 0"],
        ),
        (
            ["--year", "2010", "--budget", "100", "--expenditure", "1"],
            ["year = 2010", "no vangnet regime"],
        ),
        (["--year", "twenty", "--budget", "100", "--expenditure", "1"], ["--year = 'twenty'"]),
        ([*EXAMPLE, "--previous-results", "5"], ["exactly 2", "2016 and 2017"]),
        (
            [*EXAMPLE, "--previous-results", "5,abc"],
            ["'abc' is not a number", "--previous-results"],
        ),
        (
            ["--year", "2018", "--budget", "1.000.000", "--expenditure", "1"],
            ["'1.000.000'", "thousands"],
        ),
        (
            [*EXAMPLE, "--previous-results", "0,0", "--regime", "nope"],
            ["regime = 'nope'", "vanaf-2019"],
        ),
    ],
)
def test_bad_input_is_one_line_with_exit_code_2(args: list[str], words: list[str]) -> None:
    result = vangnet(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0]


def test_help_has_examples() -> None:
    result = vangnet("--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "--previous-results" in result.stdout
