"""The kinds of events in a benefit's life, as they appear in the event log."""

from __future__ import annotations

from enum import IntEnum


class EventKind(IntEnum):
    """What happened to a benefit (uitkering). The integer is the code used in arrays."""

    INSTROOM = 0  # a benefit starts (or, before the run's start, the initial caseload)
    DOORSTROOM = 1  # the benefit moves to another klantgroep
    UITSTROOM = 2  # the benefit ends, by an exit route
    TRAJECT_WACHT = 3  # the client joins the queue of a measure (traject)
    TRAJECT_START = 4  # the client starts in a measure
    TRAJECT_EINDE = 5  # the client leaves a measure or its queue (see TRAJECT_EINDE_REASONS)

    @property
    def label(self) -> str:
        return self.name.lower()


EVENT_LABELS: tuple[str, ...] = tuple(kind.label for kind in EventKind)
CASELOAD_KINDS = (EventKind.INSTROOM, EventKind.DOORSTROOM, EventKind.UITSTROOM)

# Why a traject_einde happened (its `route`): the measure's time was up; the benefit ended while
# in the measure; the benefit ended while still waiting, so the measure never started.
TRAJECT_EINDE_REASONS: tuple[str, ...] = ("afgerond", "uitstroom", "niet_gestart")
AFGEROND, UITSTROOM_IN_TRAJECT, NIET_GESTART = range(3)

# Why an instroom happened (its `route`), where it is not the ordinary inflow.
INSTROOM_REASONS: tuple[str, ...] = ("statushouders",)
STATUSHOUDERS = 0
