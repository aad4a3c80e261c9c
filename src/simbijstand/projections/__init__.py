"""Folds over the event stream: caseload, flows and benefit-months, and their summaries."""

from simbijstand.projections.fold import ProjectionFold, Projections
from simbijstand.projections.frames import caseload_frame, flows_frame
from simbijstand.projections.summary import TOTAL, summary_frame

__all__ = [
    "TOTAL",
    "ProjectionFold",
    "Projections",
    "caseload_frame",
    "flows_frame",
    "summary_frame",
]
