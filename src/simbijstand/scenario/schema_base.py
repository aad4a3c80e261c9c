"""Value types shared by every scenario and parameter-file table."""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

# letters, digits, '_' and '-', not starting with '-' (a spreadsheet reads "-x" as a formula)
NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$"
RESERVED_NAMES = frozenset({"totaal"})
# a spreadsheet (Excel, LibreOffice) turns a cell starting with one of these into a formula
FORMULA_STARTS = ("=", "+", "-", "@")
MAX_NAME_LENGTH = 80


def name_problem(name: str) -> str | None:
    """Why a free-form name (a gemeente, a scenario's file name) is unsafe to show in a
    terminal, report, CSV or spreadsheet, or None when it is fine."""
    if not name.strip() or name != name.strip():
        return "a name must be non-empty without leading or trailing spaces"
    if len(name) > MAX_NAME_LENGTH:
        return f"a name may have at most {MAX_NAME_LENGTH} characters, not {len(name)}"
    if any(unicodedata.category(c).startswith("C") for c in name):
        return "a name may not hold control characters (tabs, escape sequences, line breaks)"
    if name.startswith(FORMULA_STARTS):
        return f"a name may not start with {name[0]!r} (a spreadsheet would read a formula)"
    return None


def _not_reserved(name: str) -> str:
    if name in RESERVED_NAMES:
        raise ValueError(f"'{name}' is reserved for totals; choose another name")
    return name


def _valid_gemeente(name: str) -> str:
    problem = name_problem(name)
    if problem:
        raise ValueError(problem.replace("a name", "a gemeente name", 1))
    return _not_reserved(name)


Name = Annotated[str, Field(pattern=NAME_PATTERN, max_length=64), AfterValidator(_not_reserved)]
GemeenteName = Annotated[str, AfterValidator(_valid_gemeente)]
Share = Annotated[float, Field(ge=0, le=1)]
HazardPerYear = Annotated[float, Field(ge=0, le=100)]
Multiplier = Annotated[float, Field(ge=0, le=100)]
Euro = Annotated[float, Field(ge=0, le=1_000_000)]


class Strict(BaseModel):
    """No coercion, no unknown keys, no NaN or infinity: a typo is an error, not a default."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
