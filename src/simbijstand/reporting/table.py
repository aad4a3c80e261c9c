"""Dutch number formatting and plain-text tables for the terminal."""

from __future__ import annotations

from simbijstand.reporting.numbers import number  # one Dutch notation for terminal and report

UNKNOWN = "onbekend"


def euros(value: float | None) -> str:
    """Whole euros in Dutch notation, with a minus sign for negative amounts; None: onbekend."""
    if value is None:
        return UNKNOWN
    return number(value) if round(value) >= 0 else f"-{number(-value)}"


def percent(value: float | None, decimals: int = 1) -> str:
    return UNKNOWN if value is None else f"{number(value, decimals)}%"


def table(header: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """Indented columns: the first `left` left-aligned (labels), the others right-aligned."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return (
            "  "
            + "  ".join(
                c.ljust(w) if i < left else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            ).rstrip()
        )

    return [line(header), *(line(r) for r in rows)]
