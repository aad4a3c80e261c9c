"""Text for a terminal: control characters shown escaped, never sent raw.

A name or description from an input file (or a file name) could hold an escape sequence that
recolours the terminal, moves the cursor, rewrites the window title or hides earlier lines;
every line the CLI prints passes through `printable`, so such text shows as `\\x1b[31m`."""

from __future__ import annotations

import unicodedata

KEPT = frozenset("\n\t")  # the layout of our own output


def printable(text: str) -> str:
    """`text` with every control or format character except newline and tab escaped."""
    if text.isprintable():  # the common case, checked in C
        return text
    return "".join(_escaped(c) for c in text)


def _escaped(char: str) -> str:
    if char in KEPT or not unicodedata.category(char).startswith("C"):
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
