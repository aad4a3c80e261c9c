"""Dutch number formatting and plain-text tables for the terminal."""

from __future__ import annotations

UNKNOWN = "onbekend"


def number(value: float, decimals: int = 0) -> str:
    """Dutch notation: 12.345.678 and 1.234,5."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def euros(value: float | None) -> str:
    """Whole euros in Dutch notation, with a minus sign for negative amounts; None: onbekend."""
    if value is None:
        return UNKNOWN
    return number(value) if round(value) >= 0 else f"-{number(-value)}"


def percent(value: float | None, decimals: int = 1) -> str:
    return UNKNOWN if value is None else f"{number(value, decimals)}%"


def table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Indented columns: the first left-aligned, the others right-aligned."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  " + "  ".join([first, *rest])

    return [line(header), *(line(r) for r in rows)]
