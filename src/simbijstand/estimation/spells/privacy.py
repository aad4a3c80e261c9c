"""Citizen service numbers (BSN) in imports: detect them, refuse them, or pseudonymise them.

A BSN has 9 digits d1..d9 and passes the 11-test: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is divisible
by 11 and not 0. Exports often lose a leading zero, so an 8-digit value is read as 0 + 8 digits.

Threshold. A column "looks like BSN" as soon as one value is a valid BSN. A random 9-digit
number passes the test with a chance of about 1 in 11, so a column of other 9-digit ids (client
numbers) is refused too; that is deliberate: we cannot tell them apart, and pseudonymising
harmless ids costs nothing.

Pseudonyms are HMAC-SHA256 of the normalised id (surrounding spaces removed, 8 digits padded to
9) keyed with a secret salt, as hexadecimal, truncated to 16 characters (64 bits: two of a
million people share a pseudonym with a chance of about 3 in 100 million, and we check). Keep
the salt secret and out of the repository: there are only about 10^8 valid BSNs, so anyone with
the salt can recover a BSN from its pseudonym by trying them all. Use the same salt for exports
that must be linked (spells and group changes, or two years of exports).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from simbijstand.estimation.errors import PrivacyError

BSN_WEIGHTS = np.array([9, 8, 7, 6, 5, 4, 3, 2, -1])
BSN_SHAPE = r"^[0-9]{8,9}$"
MIN_SALT_BYTES = 16
DEFAULT_PSEUDONYM_LENGTH = 16


def normalise_ids(values: pl.Series) -> pl.Series:
    """Ids as text without surrounding spaces; 8 digits regain the leading zero a spreadsheet
    dropped."""
    text = values.cast(pl.String).str.strip_chars()
    return pl.select(
        pl.when(text.str.contains(r"^[0-9]{8}$")).then(text.str.zfill(9)).otherwise(text)
    ).to_series()


def bsn_mask(values: pl.Series) -> np.ndarray:
    """True where a value is a valid BSN (after `normalise_ids`); nulls are not."""
    text = normalise_ids(values)
    shaped = text.str.contains(BSN_SHAPE).fill_null(False).to_numpy()
    mask = np.zeros(len(text), dtype=bool)
    if shaped.any():
        joined = "".join(text.filter(pl.Series(shaped)).to_list()).encode("ascii")
        digits = np.frombuffer(joined, dtype=np.uint8).reshape(-1, 9).astype(np.int64) - ord("0")
        total = digits @ BSN_WEIGHTS
        mask[shaped] = (total % 11 == 0) & (total != 0)
    return mask


def is_valid_bsn(value: str) -> bool:
    """Whether `value` is 9 digits (or 8 with the leading zero lost) passing the 11-test."""
    return bool(bsn_mask(pl.Series([value]))[0])


@dataclass(frozen=True, slots=True)
class Pseudonymiser:
    """Turns ids into salted SHA-256 pseudonyms (HMAC keyed with `salt`); see the module docstring.

    The salt never shows in `repr()`, so it does not leak into logs or error reports.
    """

    salt: bytes = field(repr=False)
    length: int = DEFAULT_PSEUDONYM_LENGTH

    def __post_init__(self) -> None:
        if isinstance(self.salt, str):
            object.__setattr__(self, "salt", self.salt.encode("utf-8"))
        if not isinstance(self.salt, bytes) or len(self.salt) < MIN_SALT_BYTES:
            raise PrivacyError(
                f"the pseudonymisation salt must be at least {MIN_SALT_BYTES} bytes; "
                "generate one with `python -c 'import secrets; print(secrets.token_hex(32))'` "
                "and keep it outside the repository"
            )
        if not 16 <= self.length <= 64:
            raise PrivacyError(
                f"pseudonym length {self.length}: choose 16 to 64 hexadecimal characters"
            )

    def pseudonym(self, value: str) -> str:
        return self.apply(pl.Series([value]))[0]

    def apply(self, values: pl.Series) -> pl.Series:
        """Pseudonyms for `values` (nulls stay null); refuses if two ids would share one."""
        text = normalise_ids(values)
        unique = text.drop_nulls().unique().to_list()
        mapping = {raw: self._digest(raw) for raw in unique}
        if len(set(mapping.values())) < len(mapping):
            raise PrivacyError(
                f"two different ids got the same {self.length}-character pseudonym; "
                "use a longer pseudonym length"
            )
        return text.replace_strict(mapping, default=None, return_dtype=pl.String)

    def _digest(self, raw: str) -> str:
        return hmac.new(self.salt, raw.encode("utf-8"), hashlib.sha256).hexdigest()[: self.length]
