"""The pooled calibration's config (TOML): which files, the origin, where to write.

```toml
naam = "gemeenten"
[gepoold]
gegevens = "../data/cbs_gemeenten_bijstand_2015_2016.csv"
herindelingen = "herindelingen-2016.csv"
landelijk = "../data/cbs_37789ksz_uitkeringen_nederland_maand.csv"
leeftijd_code = 90100
origin = 2017-01-01            # data up to the day before; nothing after it is read
scenario = "../../scenarios/gemeenten-2017.toml"   # optional: also write this scenario
horizon_maanden = 12
```
Paths are relative to the config. A config with a [gepoold] table is this kind
(`is_pooled_config`); `simbijstand calibrate` dispatches on it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field, ValidationError

from simbijstand.estimation.errors import ConfigError
from simbijstand.scenario.schema_base import NAME_PATTERN, Strict

TABLE = "gepoold"


class Gepoold(Strict):
    gegevens: str
    herindelingen: str
    landelijk: str
    leeftijd_code: Annotated[int, Field(ge=20150, le=90200)] = 90100
    origin: dt.date
    scenario: str | None = None
    horizon_maanden: Annotated[int, Field(ge=1, le=120)] = 12
    replicaties: Annotated[int, Field(ge=1, le=100_000)] = 200


class PooledConfigFile(Strict):
    naam: Annotated[str, Field(pattern=NAME_PATTERN, max_length=64)]
    beschrijving: str = ""
    gepoold: Gepoold


@dataclass(frozen=True, slots=True)
class PooledConfig:
    path: Path
    spec: PooledConfigFile

    def file(self, relative: str) -> Path:
        return self.path.parent / relative


def is_pooled_config(path: Path) -> bool:
    """Whether the TOML at `path` has a [gepoold] table (an unreadable file is not)."""
    try:
        return TABLE in tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False


def load_pooled_config(path: Path) -> PooledConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read as TOML ({exc})"]) from None
    try:
        spec = PooledConfigFile.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            [f"{path}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        ) from None
    config = PooledConfig(path, spec)
    g = spec.gepoold
    missing = [
        p for p in (g.gegevens, g.herindelingen, g.landelijk) if not config.file(p).is_file()
    ]
    if missing:
        raise ConfigError([f"{path}: gepoold: no such file {config.file(p)}" for p in missing])
    if (g.origin.month, g.origin.day) != (1, 1):
        raise ConfigError([f"{path}: gepoold.origin = {g.origin}: must be a 1 January"])
    return config
