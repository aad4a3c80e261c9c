"""The unit of work of a run: a fixed chunk of replications, simulated and folded in one go.

A chunk leaves its event segment and a checkpoint (its folded projections) in the run directory;
a chunk that has a checkpoint is loaded, not run again, which is how a run resumes. The same
function runs a chunk here, in a local helper process or on a Dask worker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simbijstand.engine import CompiledModel, EventBatch, simulate
from simbijstand.engine.draws import ReplicationModels
from simbijstand.projections import ProjectionFold, Projections
from simbijstand.runs.checkpoints import Checkpoint, load_checkpoint, save_checkpoint
from simbijstand.store.rundir import checkpoint_name
from simbijstand.store.segments import SegmentInfo, SegmentWriter

# About this many case-replications (initial caseload x replications) per chunk: large enough to
# vectorise across replications, small enough to spread over workers.
CASES_PER_CHUNK = 100_000


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
        if chunk.count != 1:
            raise ValueError(
                f"replications with their own model run one per chunk, not {chunk.count} "
                f"(replications {chunk.first}-{chunk.last})"
            )
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
    return {
        "first": chunk.first,
        "count": chunk.count,
        "events": events,
        "segment": None if segment is None else segment.as_record(),
    }


def _from_checkpoint(chunk: Chunk, checkpoint: Checkpoint) -> ChunkResult:
    record, segment = checkpoint.record, checkpoint.record["segment"]
    info = None if segment is None else SegmentInfo.from_record(segment)
    name = checkpoint_name(chunk.first, chunk.last)
    return ChunkResult(chunk, checkpoint.projections, info, record["events"], 0.0, name, True)
