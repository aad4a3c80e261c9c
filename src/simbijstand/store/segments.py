"""The append-only event log: one Parquet segment per batch of replications.

A segment is written to a temporary name and renamed, so a segment file is complete or absent.
The run's manifest, written last, lists the segments with their checksums.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simbijstand.engine import CompiledModel, EventBatch
from simbijstand.store.files import sha256_of, write_atomic
from simbijstand.store.rundir import segment_name
from simbijstand.store.schema import EVENT_SCHEMA_VERSION, PARQUET_METADATA_KEY, events_frame


@dataclass(frozen=True, slots=True)
class SegmentInfo:
    file: str  # relative to the run directory
    replications: tuple[int, int]  # first and last replication it holds
    rows: int
    sha256: str

    def as_record(self) -> dict[str, Any]:
        """The segment as the manifest and the checkpoints store it."""
        first, last = self.replications
        return {
            "file": self.file,
            "replications": [first, last],
            "rows": self.rows,
            "sha256": self.sha256,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> SegmentInfo:
        first, last = record["replications"]
        return cls(record["file"], (first, last), record["rows"], record["sha256"])


class SegmentWriter:
    """A Recorder that keeps the events of replications below `keep_below` and writes them once."""

    def __init__(
        self, model: CompiledModel, run_dir: Path, first: int, last: int, keep_below: int
    ) -> None:
        self.model = model
        self.run_dir = run_dir
        self.first, self.last = first, min(last, keep_below - 1)
        self.keep_below = keep_below
        self._batches: list[EventBatch] = []

    @property
    def active(self) -> bool:
        return self.first <= self.last

    def record(self, batch: EventBatch) -> None:
        if not self.active:
            return
        if batch.replication.max(initial=-1) >= self.keep_below:
            batch = batch.take((batch.replication < self.keep_below).nonzero()[0])
        self._batches.append(batch)

    def close(self) -> SegmentInfo | None:
        """Write the segment; the rows are ordered by replication, then time."""
        if not self.active:
            return None
        events = EventBatch.concat(self._batches) if self._batches else EventBatch.empty()
        order = events.replication.argsort(kind="stable")  # months arrive in time order
        frame = events_frame(events.take(order), self.model)
        name = segment_name(self.first, self.last)
        path = self.run_dir / name
        metadata = {PARQUET_METADATA_KEY: str(EVENT_SCHEMA_VERSION)}
        write_atomic(path, lambda p: frame.write_parquet(p, compression="zstd", metadata=metadata))
        self._batches = []
        return SegmentInfo(name, (self.first, self.last), frame.height, sha256_of(path))
