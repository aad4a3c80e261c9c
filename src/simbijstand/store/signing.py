"""Signing a run's records with a secret key kept outside the run directory (HMAC-SHA256).

The manifest lists the SHA-256 of every file of the run, so its HMAC covers the whole
directory. While a run is unfinished there is no manifest yet, so run.json (the run's settings)
and every checkpoint (a finished chunk's results) carry their own signature, made the same way:
a resume refuses one that does not hold, so the finished run's signed manifest cannot cover
numbers edited in between. Without a key, anyone who edits a file can update its hash in the
manifest, and `verify` can then only show that the files agree with each other (and with a
recomputation); with a key, such an edit fails unless the editor also has the key.

The key: SIMBIJSTAND_SIGNING_KEY (the key itself, at least 16 characters) or
SIMBIJSTAND_SIGNING_KEY_FILE (a file holding it, outside the run directory).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path
from typing import Any

from simbijstand.errors import RunDirectoryError

KEY_VARIABLE = "SIMBIJSTAND_SIGNING_KEY"
KEY_FILE_VARIABLE = "SIMBIJSTAND_SIGNING_KEY_FILE"
MIN_KEY_BYTES = 16
SIGNATURE = "signature"
# what signature_problem says, so a caller can add what to do about each
NOT_SIGNED = "is not signed, but a signing key was given"
OTHER_KEY = "was signed with another key"
CHANGED = "its signature does not match: it was changed after it was signed"


def signing_key(run_dir: Path) -> bytes | None:
    """The key from the environment, or None; RunDirectoryError for an unusable one."""
    key_file = os.environ.get(KEY_FILE_VARIABLE)
    if key_file:
        path = Path(key_file).resolve()
        if path.is_relative_to(run_dir.resolve()):
            raise RunDirectoryError(
                f"{KEY_FILE_VARIABLE}={key_file}: the key file lies inside the run directory, "
                "where whoever can edit the run can read it; keep it elsewhere"
            )
        try:
            key = path.read_bytes().strip()
        except OSError as exc:
            raise RunDirectoryError(
                f"{KEY_FILE_VARIABLE}={key_file}: cannot read the key ({exc.strerror})"
            ) from None
    else:
        key = os.environ.get(KEY_VARIABLE, "").encode()
        if not key:
            return None
    if len(key) < MIN_KEY_BYTES:
        raise RunDirectoryError(
            f"the signing key has {len(key)} bytes; use at least {MIN_KEY_BYTES}, e.g. from "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return key


def sign(manifest: dict[str, Any], key: bytes) -> dict[str, Any]:
    """The manifest (or any JSON record) with its signature: HMAC-SHA256 of its canonical JSON
    without one."""
    unsigned = {k: v for k, v in manifest.items() if k != SIGNATURE}
    return {
        **unsigned,
        SIGNATURE: {
            "algorithm": "hmac-sha256",
            "key_id": hashlib.sha256(key).hexdigest()[:16],
            "hmac": _mac(unsigned, key),
        },
    }


def signature_problem(manifest: dict[str, Any], key: bytes) -> str | None:
    """Why the manifest's signature does not hold for `key`, or None if it does."""
    signature = manifest.get(SIGNATURE)
    if not isinstance(signature, dict) or not isinstance(signature.get("hmac"), str):
        return NOT_SIGNED
    unsigned = {k: v for k, v in manifest.items() if k != SIGNATURE}
    if signature.get("key_id") != hashlib.sha256(key).hexdigest()[:16]:
        return OTHER_KEY
    if not hmac.compare_digest(signature["hmac"], _mac(unsigned, key)):
        return CHANGED
    return None


def _mac(data: dict[str, Any], key: bytes) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
