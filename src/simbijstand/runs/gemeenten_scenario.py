"""The scenario of every gemeente of a pooled calibration, from its origin (TOML text)."""

from __future__ import annotations

from simbijstand.estimation.pooled.calibrate import PooledCalibration

HEADER = """\
# Elke gemeente van Nederland (de {n} gemeenten van CBS {jaar}, grenzen van {jaar}) vanaf
# {origin}, {months} maanden: het bestand van personen met bijstand van 15 jaar tot de
# AOW-leeftijd (CBS leeftijd_code 90100) als BUIG-bestand `totaal`, elke gemeente genoemd zoals
# in het CBS-bestand. Geschreven door `simbijstand calibrate calibration/gemeenten/{config}`.
# Gegevens tot en met {last}-12-31; niets van daarna.
# Macro: geen aanname voor {next_year}. De instroom per inwoner en de uitstroomkansen van {jaar}
# gaan door; wat een jaar anders kan lopen (landelijk en per gemeente) zit in de banden:
# elke replicatie trekt één landelijke instroomfactor voor het jaar (dezelfde voor alle
# gemeenten, `gedeeld = "landelijk"`), per gemeente een eigen factor en de geschatte tarieven
# (parameteronzekerheid). Bron van de landelijke spreiding: CBS 37789ksz tot december {jaar}.
# Kosten: aanname, alleen voor de orde van grootte (CBS telt personen, geen uitkeringen):
# EUR 12.400-13.500 per uitkering per jaar in 2015 (Westerveld, Steenwijkerland).
naam = "gemeenten-{next_year}"
beschrijving = "Alle gemeenten vanaf {origin}, {months} maanden (gepoolde kalibratie op CBS {jaar})"

[simulatie]
start = {origin}
horizon_maanden = {months}
replicaties = {replications}
seed = {seed}
parameteronzekerheid = true

[kosten]
prijsjaar = {next_year}
per_maand = {{ participatiewet = 1080 }}
"""


def scenario_text(
    calibration: PooledCalibration,
    parameter_paths: dict[str, str],
    config: str,
    months: int,
    replications: int,
) -> str:
    year = calibration.rates.year
    origin = calibration.origin
    text = HEADER.format(
        n=len(year.gemeenten), jaar=year.jaar, origin=origin.isoformat(), months=months,
        config=config, last=origin.year - 1, next_year=origin.year, replications=replications,
        seed=origin.year * 10000 + 101,
    )  # fmt: skip
    for i, gemeente in enumerate(year.gemeenten):
        text += (
            f"\n[gemeenten.{_key(gemeente)}]\n"
            f'parameters = "{parameter_paths[gemeente]}"\n'
            f"beginstand = {{ aantallen = {{ bijstand = {int(year.stock[i])} }} }}\n"
        )
    return text


def _key(name: str) -> str:
    """A TOML key: bare where it can be, else quoted (names have no quotes of their own but ')."""
    if all(c.isascii() and (c.isalnum() or c in "-_") for c in name):
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
