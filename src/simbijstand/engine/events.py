"""Events as the engine emits them: columnar batches, and the recorder protocol that takes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from simbijstand.engine.arrays import Codes, Floats, Int32s, Ints

NO_CODE = -1  # a column that does not apply to the event


@dataclass(frozen=True, slots=True)
class EventBatch:
    """Events in the order they happened within each replication (columns of equal length)."""

    replication: Int32s
    time_us: Ints  # microseconds since 1970-01-01
    person_id: Ints  # unique within a replication; one id per benefit
    kind: NDArray[np.int8]  # an EventKind
    cell: Codes  # int32, the (gemeente, klantgroep) cell after the event
    from_cell: Codes  # int32, the cell before a doorstroom, else NO_CODE
    route: Codes  # int16: exit route of an uitstroom; reason of an instroom or traject_einde
    traject: NDArray[np.int16]  # the measure of a traject event, else NO_CODE

    def __len__(self) -> int:
        return len(self.time_us)

    @staticmethod
    def concat(batches: list[EventBatch]) -> EventBatch:
        columns = EventBatch.__slots__
        return EventBatch(*(np.concatenate([getattr(b, c) for b in batches]) for c in columns))

    @staticmethod
    def empty() -> EventBatch:
        return EventBatch(
            replication=np.zeros(0, dtype=np.int32),
            time_us=np.zeros(0, dtype=np.int64),
            person_id=np.zeros(0, dtype=np.int64),
            kind=np.zeros(0, dtype=np.int8),
            cell=np.zeros(0, dtype=np.int32),
            from_cell=np.zeros(0, dtype=np.int32),
            route=np.zeros(0, dtype=np.int16),
            traject=np.zeros(0, dtype=np.int16),
        )

    def typed(self) -> EventBatch:
        """The batch with every column in its documented dtype."""
        empty = EventBatch.empty()
        return EventBatch(
            *(
                getattr(self, c).astype(getattr(empty, c).dtype, copy=False)
                for c in EventBatch.__slots__
            )
        )

    def take(self, order: Ints) -> EventBatch:
        return EventBatch(*(getattr(self, c)[order] for c in EventBatch.__slots__))


def chronological(replication: Codes, time: Ints | Floats) -> Ints:
    """The order that sorts events by replication, then time (integer or float), ties kept in
    the order given: what a stable lexsort gives. With one replication, or integer times that
    pack with the replication into one int64, the single key is sorted with numpy's unstable
    sort (several times faster), whose order is the same when the keys are unique; with ties,
    a stable sort of that key."""
    if len(time) < 2:
        return np.arange(len(time))
    if replication.min() == replication.max():
        key = time
    elif time.dtype.kind == "i" and (bits := _span_bits(time)) + _span_bits(replication) <= 62:
        key = (replication - replication.min()).astype(np.int64) << bits
        key |= time - time.min()
    else:
        return np.lexsort((time, replication))
    order = np.argsort(key)
    ordered = key.take(order)
    if (ordered[1:] == ordered[:-1]).any():
        return np.argsort(key, kind="stable")
    return order


def _span_bits(values: NDArray[np.number[Any]]) -> int:
    return int(values.max() - values.min()).bit_length()


class Recorder(Protocol):
    """Receives every event of a set of replications, month by month, in time order."""

    def record(self, batch: EventBatch) -> None: ...
