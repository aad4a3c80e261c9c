"""Run a benchmark's measuring function in a fresh Python process: its imports, caches and peak
memory are then its own. The function returns a dict of figures; `peak_memory_mb` (the
process's peak RSS) is added to it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def in_subprocess(module: str, function: str, *args: object) -> dict[str, float]:
    """`module.function(*args)` (a module in benchmarks/) in a new process, with its peak RSS."""
    here = str(Path(__file__).parent)
    code = (
        f"import json, sys, resource; sys.path.insert(0, {here!r}); import {module}; "
        f"r = {module}.{function}(*{args!r}); "
        "r['peak_memory_mb'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024; "
        "print(json.dumps(r))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])
