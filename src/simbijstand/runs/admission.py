"""Admission control: before a run simulates, estimate its peak memory and time, and refuse
what cannot fit, with an error that says what to change.

The model of a run's size (constants measured by benchmarks/memory.py, see its docstring):
  cases per replication  = initial caseload + expected inflow over the horizon (statushouders
                           included): every case a replication ever holds;
  peak memory            = processes x PROCESS_BYTES
                           + simulating processes x chunk cases x BYTES_PER_CASE
                           + replications x output values x BYTES_PER_OUTPUT_VALUE,
where the last term is the run's own process holding every replication's projections
(caseload, flows and benefit-months per month and cell) and the tables made from them.
The same cases per replication set the chunk size (`runs.chunks.plan_chunks`), so a chunk's
memory stays bounded whatever the inflow or horizon. `validate` and `run` apply the same check.
"""

from __future__ import annotations

import os
import re
import resource
from dataclasses import dataclass
from pathlib import Path

from simbijstand.engine import CompiledModel
from simbijstand.errors import CapacityError
from simbijstand.projections.fold import FlowCodes
from simbijstand.runs.chunks import Chunk, plan_chunks

# Measured by benchmarks/memory.py (Steenwijkerland's rates, 60 months; see its output in
# benchmarks/results/memory.txt) and rounded up, so the estimate errs on the safe side.
# measured: 401 bytes and 4.4 us per case, 17.8 bytes per output value, 87 MB per process
BYTES_PER_CASE = 500
SECONDS_PER_CASE = 5e-6
BYTES_PER_OUTPUT_VALUE = 24
PROCESS_BYTES = 150 * 2**20  # interpreter, numpy, polars, the compiled model, fixed buffers
DEFAULT_SHARE = 0.8  # of the memory this process may use, when no --max-memory is given
CGROUP_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")
UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


@dataclass(frozen=True, slots=True)
class Estimate:
    cases: float  # per replication: initial caseload + expected inflow over the horizon
    initial: int
    inflow: float
    replications: int
    chunk_replications: int
    processes: int  # processes that simulate at once
    peak_bytes: float
    seconds: float


def cases_per_replication(model: CompiledModel) -> float:
    """Every case one replication holds: the initial caseload and the expected inflow."""
    inflow = float(model.inflow_mean.sum()) + float(model.statushouder_entries.sum())
    return model.expected_initial_size() + inflow


def values_per_replication(model: CompiledModel) -> int:
    """Numbers one replication's projections hold: caseload at M+1 dates, flows by code and
    benefit-months per month, for every cell."""
    months, cells = model.months, model.cells
    return (months + 1) * cells + months * cells * (FlowCodes.of(model).count + 1)


def estimate(
    model: CompiledModel, replications: int, chunk_replications: int, workers: int
) -> Estimate:
    """The run's peak memory and time on `workers` processes, chunks of `chunk_replications`."""
    cases = cases_per_replication(model)
    chunks = -(-replications // max(chunk_replications, 1))
    processes = max(1, min(workers, chunks))
    peak = (
        processes * PROCESS_BYTES
        + processes * chunk_replications * cases * BYTES_PER_CASE
        + replications * values_per_replication(model) * BYTES_PER_OUTPUT_VALUE
    )
    seconds = replications * cases * SECONDS_PER_CASE / processes
    return Estimate(
        cases,
        model.expected_initial_size(),
        cases - model.expected_initial_size(),
        replications,
        chunk_replications,
        processes,
        peak,
        seconds,
    )


def admit(where: str, size: Estimate, max_memory: int | None = None) -> None:
    """Refuse a run whose estimated peak memory exceeds `max_memory` (default: 80% of this
    machine's memory); `where` names the scenario file."""
    limit = default_max_memory() if max_memory is None else max_memory
    if size.peak_bytes <= limit:
        return
    allowed = "the --max-memory given" if max_memory is not None else "80% of this machine's"
    raise CapacityError(
        f"{where}: this run needs about {memory_text(size.peak_bytes)} of memory, more than "
        f"{memory_text(limit)} ({allowed}); estimate: {size.cases:,.0f} cases per replication "
        f"(beginstand {size.initial:,} + expected instroom {size.inflow:,.0f} over the horizon) "
        f"x {size.replications:,} replication(s), {size.processes} process(es) simulating "
        f"chunks of {size.chunk_replications:,}, about {time_text(size.seconds)}; lower the "
        "beginstand, instroom, horizon or replications, use fewer --workers, or raise "
        "--max-memory if the machine has the memory"
    )


def default_max_memory() -> int:
    """80% of the memory this process may use: the machine's physical memory, or less if a
    container (cgroup) or `ulimit -v` allows less."""
    limits = [_physical_memory(), *_cgroup_limits(), _address_space_limit()]
    return int(min(x for x in limits if x is not None) * DEFAULT_SHARE)


def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 8 * 2**30  # not knowable here: assume a modest machine


def _cgroup_limits() -> list[int | None]:
    found: list[int | None] = []
    for name in CGROUP_LIMITS:
        try:
            text = Path(name).read_text().strip()
        except OSError:
            continue
        found.append(int(text) if text.isdigit() else None)  # "max": no limit
    return found


def _address_space_limit() -> int | None:
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft


def default_workers() -> int:
    """All cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def check_capacity(
    prepared_model: CompiledModel,
    where: str,
    replications: int,
    own_models: bool,
    workers: int | None = None,
    max_memory: int | None = None,
) -> tuple[list[Chunk], Estimate]:
    """The run's chunks and size estimate; CapacityError if it cannot fit."""
    cases = cases_per_replication(prepared_model)
    chunks = plan_chunks(replications, cases, own_models=own_models)
    size = estimate(prepared_model, replications, chunks[0].count, workers or default_workers())
    admit(where, size, max_memory)
    return chunks, size


def parse_memory(text: str) -> int:
    """'8G', '512M', '1.5T' or a number of bytes; ValueError for anything else."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)I?B?\s*", text.upper())
    if not match:
        raise ValueError(f"{text!r}: expected an amount such as 8G, 512M or 1.5T")
    amount = float(match.group(1)) * UNITS[match.group(2)]
    if not 2**20 <= amount <= 2**50:
        raise ValueError(f"{text!r}: expected from 1M to 1024T")
    return int(amount)


def memory_text(amount: float) -> str:
    for unit in ("T", "G", "M"):
        if amount >= UNITS[unit]:
            return f"{amount / UNITS[unit]:.1f} {unit}B"
    return f"{amount / UNITS['K']:.0f} KB"


def time_text(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
