"""Running replications: fixed chunks, in this process, on a pool of local processes or on a
Dask cluster.

Chunks depend only on the run's size, never on the number of workers, and every replication has
its own random stream, so the results (and even the event segments) are the same for any
number of workers. Each finished chunk leaves a checkpoint (its folded projections) beside its
event segment; chunks that already have one are loaded, not run, which is how a run resumes.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from simbijstand.engine import CompiledModel, EventBatch, simulate
from simbijstand.engine.draws import ReplicationModels
from simbijstand.projections import ProjectionFold, Projections
from simbijstand.runs.checkpoints import (
    Checkpoint,
    checkpoint_name,
    load_checkpoint,
    save_checkpoint,
)
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
    checkpoint: str | None  # file of the persisted projections, relative to the run directory
    reused: bool = False  # loaded from a checkpoint of an earlier, interrupted attempt


def plan_chunks(replications: int, initial_cases: int, *, own_models: bool = False) -> list[Chunk]:
    """Chunks of replications; one replication each when every replication has its own model
    (parameter uncertainty, inflow deviation), since a batch shares one model's tables."""
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
    run_dir: Path | None,
    keep_below: int,
    draws: ReplicationModels | None = None,
) -> ChunkResult:
    """Simulate one chunk; with `draws`, its single replication on its own model (parameter
    draw and inflow deviation). Without a run directory (None) it writes nothing: no event
    segment, no checkpoint."""
    started = time.perf_counter()
    if draws is not None:
        assert chunk.count == 1, "replications with their own model run one per chunk"
        model = draws.model(chunk.first, model)
    fold = ProjectionFold(model, chunk.first, chunk.count)
    counter = _Counter()
    if run_dir is None:
        simulate(model, seed, range(chunk.first, chunk.first + chunk.count), _Tee(fold, counter))
        seconds = time.perf_counter() - started
        return ChunkResult(chunk, fold.result(), None, counter.events, seconds, None)
    writer = SegmentWriter(model, run_dir, chunk.first, chunk.last, keep_below)
    simulate(
        model, seed, range(chunk.first, chunk.first + chunk.count), _Tee(fold, writer, counter)
    )
    segment = writer.close()
    projections = fold.result()
    seconds = time.perf_counter() - started
    record = _checkpoint_record(chunk, segment, counter.events)
    name = save_checkpoint(run_dir, chunk.first, chunk.last, Checkpoint(projections, record))
    return ChunkResult(chunk, projections, segment, counter.events, seconds, name)


def load_finished(run_dir: Path, chunks: list[Chunk]) -> dict[Chunk, ChunkResult]:
    """The chunks an earlier attempt finished, read from their checkpoints."""
    finished = {}
    for chunk in chunks:
        checkpoint = load_checkpoint(run_dir, chunk.first, chunk.last)
        if checkpoint is not None:
            finished[chunk] = _from_checkpoint(chunk, checkpoint)
    return finished


def _checkpoint_record(chunk: Chunk, segment: SegmentInfo | None, events: int) -> dict[str, Any]:
    """What a resume needs besides the arrays; no timings, so a chunk's checkpoint has the same
    bytes in every run, like its segment."""
    stored = None
    if segment is not None:
        stored = {
            "file": segment.file,
            "replications": list(segment.replications),
            "rows": segment.rows,
            "sha256": segment.sha256,
        }
    return {
        "first": chunk.first,
        "count": chunk.count,
        "events": events,
        "segment": stored,
    }


def _from_checkpoint(chunk: Chunk, checkpoint: Checkpoint) -> ChunkResult:
    record, segment = checkpoint.record, checkpoint.record["segment"]
    info = None
    if segment is not None:
        first, last = segment["replications"]
        info = SegmentInfo(segment["file"], (first, last), segment["rows"], segment["sha256"])
    name = checkpoint_name(chunk.first, chunk.last)
    return ChunkResult(chunk, checkpoint.projections, info, record["events"], 0.0, name, True)


def run_chunks(
    model: CompiledModel,
    seed: int,
    chunks: list[Chunk],
    run_dir: Path | None,
    keep_below: int,
    workers: int,
    progress: Progress | None = None,
    dask: str | None = None,
    draws: ReplicationModels | None = None,
) -> list[ChunkResult]:
    """Every chunk's result: loaded from its checkpoint if an earlier attempt finished it,
    otherwise run here, on `workers` local processes, or on the Dask cluster at `dask`; with
    `draws`, each replication on its own model (parameter draw and inflow deviation). With
    `run_dir` None, in memory: nothing is loaded or written."""
    total = sum(c.count for c in chunks)
    finished = {} if run_dir is None else load_finished(run_dir, chunks)
    results = list(finished.values())
    done = sum(c.count for c in finished)
    if progress is not None and done:
        progress(done, total)
    missing = [c for c in chunks if c not in finished]
    for result in _results(model, seed, missing, run_dir, keep_below, workers, dask, draws):
        results.append(result)
        done += result.chunk.count
        if progress is not None:
            progress(done, total)
    return sorted(results, key=lambda r: r.chunk.first)


def _results(
    model: CompiledModel,
    seed: int,
    chunks: list[Chunk],
    run_dir: Path | None,
    keep_below: int,
    workers: int,
    dask: str | None,
    draws: ReplicationModels | None,
) -> Iterator[ChunkResult]:
    if not chunks:
        return
    if dask is not None:
        from simbijstand.runs.dask_cluster import dask_results  # dask is an optional extra

        yield from dask_results(dask, model, seed, chunks, run_dir, keep_below, workers, draws)
        return
    job = partial(run_chunk, model, seed, run_dir=run_dir, keep_below=keep_below, draws=draws)
    if workers <= 1 or len(chunks) == 1:
        yield from map(job, chunks)
        return
    yield from _here_and_in_helpers(job, chunks, workers)


def _here_and_in_helpers(
    job: Callable[[Chunk], ChunkResult], chunks: list[Chunk], workers: int
) -> Iterator[ChunkResult]:
    """Run chunks on a thread of this process and on `workers - 1` helper processes, one
    chunk in each at a time, the next handed out as one finishes. This process has everything
    imported and starts at once; a spawned helper first spends most of a second importing."""
    # spawn, not fork: a forked pool can deadlock once polars' thread pool exists. The model
    # goes with each task, not as the pool's initargs: a spawned worker reads those only after
    # its imports, so the parent blocked on the pipe and started the workers one by one
    context = multiprocessing.get_context("spawn")
    waiting = list(reversed(chunks))
    helpers = min(workers, len(chunks)) - 1
    with (
        ThreadPoolExecutor(1) as here,
        ProcessPoolExecutor(helpers, mp_context=context, initializer=_die_with_parent) as pool,
    ):
        running: dict[Future[ChunkResult], Executor] = {}

        def hand_out(executor: Executor) -> None:
            if waiting:
                running[executor.submit(job, waiting.pop())] = executor

        for executor in [pool] * helpers + [here]:
            hand_out(executor)
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                hand_out(running.pop(future))
                yield future.result()


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the run process dies, so a killed run stops working
    at once instead of leaving workers that finish their chunk behind a resume's back."""
    if sys.platform.startswith("linux"):
        # not fatal if it fails: an orphaned worker writes the same bytes a resume would
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
