"""Plain-text tables for the terminal (their numbers come formatted from reporting.numbers)."""

from __future__ import annotations


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
