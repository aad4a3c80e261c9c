"""Running replications: fixed chunks, in this process or on a pool of local processes.

Chunks depend only on the run's size, never on the number of workers, and every replication has
its own random stream, so the results (and even the event segments) are the same for any
number of workers.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from simbijstand.engine import CompiledModel, EventBatch, simulate
from simbijstand.engine.draws import ParameterDraws
from simbijstand.projections import ProjectionFold, Projections
from simbijstand.store.segments import SegmentInfo, SegmentWriter

# About this many case-replications (initial caseload x replications) per chunk: large enough to
# vectorise across replications, small enough to spread over workers.
CASES_PER_CHUNK = 100_000

Progress = Callable[[int, int], None]  # (replications done, replications in all)


@dataclass(frozen=True, slots=True)
class Chunk:
    first: int
    count: int

    @property
    def last(self) -> int:
        return self.first + self.count - 1


@dataclass(frozen=True, slots=True)
class ChunkResult:
    chunk: Chunk
    projections: Projections
    segment: SegmentInfo | None
    events: int
    seconds: float


def plan_chunks(replications: int, initial_cases: int, *, own_models: bool = False) -> list[Chunk]:
    """Chunks of replications; one replication each when every replication has its own model
    (parameter uncertainty), since a batch shares one model's hazard tables."""
    size = max(1, min(replications, CASES_PER_CHUNK // max(initial_cases, 1)))
    if own_models:
        size = 1
    return [Chunk(first, min(size, replications - first)) for first in range(0, replications, size)]


class _Counter:
    def __init__(self) -> None:
        self.events = 0

    def record(self, batch: EventBatch) -> None:
        self.events += len(batch)


class _Tee:
    def __init__(self, *recorders: ProjectionFold | SegmentWriter | _Counter) -> None:
        self.recorders = recorders

    def record(self, batch: EventBatch) -> None:
        for recorder in self.recorders:
            recorder.record(batch)


def run_chunk(
    model: CompiledModel,
    seed: int,
    chunk: Chunk,
    run_dir: Path,
    keep_below: int,
    draws: ParameterDraws | None = None,
) -> ChunkResult:
    started = time.perf_counter()
    if draws is not None:
        assert chunk.count == 1, "replications with their own parameters run one per chunk"
        model = draws.model(chunk.first)
    fold = ProjectionFold(model, chunk.first, chunk.count)
    writer = SegmentWriter(model, run_dir, chunk.first, chunk.last, keep_below)
    counter = _Counter()
    simulate(
        model, seed, range(chunk.first, chunk.first + chunk.count), _Tee(fold, writer, counter)
    )
    segment = writer.close()
    return ChunkResult(chunk, fold.result(), segment, counter.events, time.perf_counter() - started)


def run_chunks(
    model: CompiledModel,
    seed: int,
    chunks: list[Chunk],
    run_dir: Path,
    keep_below: int,
    workers: int,
    progress: Progress | None = None,
    draws: ParameterDraws | None = None,
) -> list[ChunkResult]:
    """Run every chunk; with `draws`, each replication on the model of its own parameter draw."""
    total = sum(c.count for c in chunks)
    done = 0
    results: list[ChunkResult] = []
    for result in _results(model, seed, chunks, run_dir, keep_below, workers, draws):
        results.append(result)
        done += result.chunk.count
        if progress is not None:
            progress(done, total)
    return sorted(results, key=lambda r: r.chunk.first)


def _results(
    model: CompiledModel,
    seed: int,
    chunks: list[Chunk],
    run_dir: Path,
    keep_below: int,
    workers: int,
    draws: ParameterDraws | None,
):
    if workers <= 1 or len(chunks) == 1:
        for chunk in chunks:
            yield run_chunk(model, seed, chunk, run_dir, keep_below, draws)
        return
    # spawn, not fork: a forked pool can deadlock once polars' thread pool exists
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        min(workers, len(chunks)),
        mp_context=context,
        initializer=_set_model,
        initargs=(model, draws),
    ) as pool:
        futures = [
            pool.submit(_run_in_worker, seed, chunk, run_dir, keep_below) for chunk in chunks
        ]
        for future in as_completed(futures):
            yield future.result()


_WORKER_MODEL: CompiledModel | None = None
_WORKER_DRAWS: ParameterDraws | None = None


def _set_model(model: CompiledModel, draws: ParameterDraws | None) -> None:
    global _WORKER_MODEL, _WORKER_DRAWS
    _WORKER_MODEL, _WORKER_DRAWS = model, draws


def _run_in_worker(seed: int, chunk: Chunk, run_dir: Path, keep_below: int) -> ChunkResult:
    assert _WORKER_MODEL is not None
    return run_chunk(_WORKER_MODEL, seed, chunk, run_dir, keep_below, _WORKER_DRAWS)
