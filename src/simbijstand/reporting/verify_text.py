"""What `simbijstand verify` prints: notes, problems and what was checked, a line each."""

from __future__ import annotations

from simbijstand.store.verify import Verification


def verify_lines(result: Verification) -> list[str]:
    """Notes first, then problems (FAILED), then what holds; `ok: RUN_DIR` last if all does."""
    return [
        *(f"note: {note}" for note in result.notes),
        *(f"FAILED: {problem}" for problem in result.problems),
        *(f"checked: {line}" for line in result.checked),
        *([f"ok: {result.run_dir}"] if result.ok else []),
    ]
