"""The kinds of events in a benefit's life, as they appear in the event log."""

from __future__ import annotations

from enum import IntEnum


class EventKind(IntEnum):
    """What happened to a benefit (uitkering). The integer is the code used in arrays."""

    INSTROOM = 0  # a benefit starts (or, before the run's start, the initial caseload)
    DOORSTROOM = 1  # the benefit moves to another klantgroep
    UITSTROOM = 2  # the benefit ends, by an exit route

    @property
    def label(self) -> str:
        return self.name.lower()


EVENT_LABELS: tuple[str, ...] = tuple(kind.label for kind in EventKind)
