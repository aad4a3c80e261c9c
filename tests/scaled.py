"""A scenario with Steenwijkerland's real rates and its caseload scaled up, so that a run splits
into several chunks (chunks hold about 100,000 case-replications) while staying quick."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from conftest import REPO, write_toml

PARAMETERS = REPO / "calibration" / "steenwijkerland" / "parameters.toml"
BEGINSTAND = {
    "direct_werk": 38,
    "werken_en_ervaren": 62,
    "leren_en_ontwikkelen": 554,
    "zorg": 73,
    "werkvoorzienend": 308,
    "geplaatst": 214,
}


def scaled_scenario(
    folder: Path,
    *,
    cases: int = 20_000,
    replications: int = 20,
    months: int = 18,
    gemeenten: int = 1,
    seed: int = 11,
) -> Path:
    """`cases` initial benefits per gemeente: 20,000 (and its inflow) gives chunks of 4
    replications."""
    total = sum(BEGINSTAND.values())
    counts = {group: round(n * cases / total) for group, n in BEGINSTAND.items()}
    region = {
        f"Gemeente{i + 1}": {"parameters": str(PARAMETERS), "beginstand": {"aantallen": counts}}
        for i in range(gemeenten)
    }
    data = {
        "naam": "opgeschaald",
        "simulatie": {
            "start": dt.date(2020, 7, 1),
            "horizon_maanden": months,
            "replicaties": replications,
            "seed": seed,
        },
        "gemeenten": region,
        "kosten": {"prijsjaar": 2020, "per_maand": {"participatiewet": 1215.0, "geplaatst": 607.0}},
    }
    return write_toml(folder / "scenario.toml", data)


def run_files(run_dir: Path) -> dict[str, bytes]:
    """Every file a run writes whose bytes must not depend on how the run went: outputs, event
    segments and checkpoints (not manifest.json and run.json, which hold times)."""
    names = ["caseload.parquet", "flows.parquet", "finance.parquet", "summary.csv"]
    files = {name: (run_dir / name).read_bytes() for name in names}
    for folder in ("events", "chunks"):
        for path in sorted((run_dir / folder).iterdir()):
            files[f"{folder}/{path.name}"] = path.read_bytes()
    return files
