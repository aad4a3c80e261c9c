"""Citizen service numbers (BSN) in text: recognise them and keep them out of messages.

A BSN has 9 digits d1..d9 passing the 11-test: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is divisible by
11 and not 0; exports often drop a leading zero, so 8 digits count as 0 + 8 digits. Any digit
run of that shape in a message is masked, whatever it was meant to be: one number in eleven
passes the test by chance, and a masked count is a small price for never printing a BSN.
(`estimation.spells.privacy` applies the same test to whole columns at once.)
"""

from __future__ import annotations

import re

WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
MASK = "<BSN?>"
# 8 or 9 digits not inside a longer run of digits (letters around them do not protect them:
# "BSN123456782" holds one)
_CANDIDATE = re.compile(r"(?<!\d)\d{8,9}(?!\d)")


def is_bsn(text: str) -> bool:
    """Whether `text` (surrounding spaces ignored) is 9 digits, or 8 without the leading zero,
    passing the 11-test."""
    digits = text.strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) in (8, 9)):
        return False
    total = sum(w * int(d) for w, d in zip(WEIGHTS, digits.zfill(9), strict=True))
    return total % 11 == 0 and total != 0


def mask_bsns(message: str) -> str:
    """`message` with every number that could be a BSN replaced by `<BSN?>`."""
    return _CANDIDATE.sub(lambda m: MASK if is_bsn(m.group()) else m.group(), message)
