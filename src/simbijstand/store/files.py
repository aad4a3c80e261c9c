"""Writing files so that a file that exists is complete: write a temporary name, then rename.

The temporary name is unique per writer (`.<name>.<pid>-<random>.tmp`), because on a Dask
cluster a chunk can run twice at once (a worker presumed lost that was only slow), and two
writers must never share one half-written file. A killed writer leaves its temporary file
behind; such orphans never look complete (a dot in front, `.tmp` at the end), readers ignore
them and `remove_orphans` cleans them up when a run resumes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from polars.exceptions import PolarsError

from simbijstand.errors import DiskWriteError

TEMPORARY_SUFFIX = ".tmp"


def temporary_name(path: Path) -> Path:
    token = f"{os.getpid()}-{secrets.token_hex(4)}"
    return path.with_name(f".{path.name}.{token}{TEMPORARY_SUFFIX}")


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
    """Call `write` on a temporary path beside `path`, then rename it into place.

    The data reach the disk before the rename (fsync), so after a power cut the file is the old
    one, the new one, or absent, never a new name with missing blocks. A write the file system
    refuses (disk full, read-only, no permission) raises DiskWriteError naming `path`.
    """
    temporary = temporary_name(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(temporary)
        _fsync(temporary)
        os.replace(temporary, path)
    except (OSError, PolarsError) as exc:
        temporary.unlink(missing_ok=True)
        reason = _write_failure(exc)
        if reason is None:
            raise
        raise DiskWriteError(f"{path}: could not be written ({reason})") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _fsync_directory(path.parent)


def _write_failure(exc: OSError | PolarsError) -> str | None:
    """Why the operating system refused a write (disk full, quota, read-only, permissions, I/O),
    or None for an error that is not the file system's: polars reports a full disk as a
    ComputeError that quotes the OS error."""
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    text = str(exc)
    return (
        text[text.find("underlying IO error: ") :].removeprefix("underlying IO error: ")
        if ("os error" in text)
        else None
    )


def write_json_atomic(path: Path, data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def orphans(folder: Path) -> Iterator[Path]:
    """Temporary files left in `folder` and its subfolders by writers that were killed."""
    if folder.is_dir():
        yield from (p for p in folder.rglob(f".*{TEMPORARY_SUFFIX}") if p.is_file())


def remove_orphans(folder: Path) -> list[Path]:
    """Delete the temporary files a killed run left behind; return what was removed.

    Only call this when no writer of the run is alive (a resume takes over the whole run).
    """
    removed = list(orphans(folder))
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_directory(folder: Path) -> None:
    # a rename is only durable once the directory entry is; not every file system allows it
    with contextlib.suppress(OSError):
        _fsync(folder)
