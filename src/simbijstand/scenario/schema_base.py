"""Value types shared by every scenario and parameter-file table."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

NAME_PATTERN = r"^[A-Za-z0-9_\-]+$"
RESERVED_NAMES = frozenset({"totaal"})


def _not_reserved(name: str) -> str:
    if name in RESERVED_NAMES:
        raise ValueError(f"'{name}' is reserved for totals; choose another name")
    return name


def _valid_gemeente(name: str) -> str:
    if not name.strip() or name != name.strip():
        raise ValueError("a gemeente name must be non-empty without leading or trailing spaces")
    return _not_reserved(name)


Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=64), AfterValidator(_not_reserved)]
GemeenteName = Annotated[str, Field(max_length=80), AfterValidator(_valid_gemeente)]
Share = Annotated[float, Field(ge=0, le=1)]
HazardPerYear = Annotated[float, Field(ge=0, le=100)]
Multiplier = Annotated[float, Field(ge=0, le=100)]
Euro = Annotated[float, Field(ge=0, le=1_000_000)]


class Strict(BaseModel):
    """No coercion, no unknown keys, no NaN or infinity: a typo is an error, not a default."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
