"""The run directory's layout: the one home of every file name in it, for writers and readers.

    run.json              the run record, written before the first replication (resume reads it)
    events/part-<first>-<last>.parquet   the event log, one segment per chunk of replications
    chunks/chunk-<first>-<last>.npz      each chunk's folded projections (checkpoints)
    caseload.parquet, flows.parquet, finance.parquet, summary.csv, finance_summary.csv
    historie.parquet      with a `historie` file: the observed caseload
    trajecten.parquet     with measures: participants, queue, starts, cost per month
    report.html           the report in Dutch
    manifest.json         written last: a directory without it is incomplete

A comparison directory (`simbijstand compare`) holds comparison.csv, comparison.parquet,
measures.csv (with measures) and comparison.html.
"""

from __future__ import annotations

RUN_RECORD = "run.json"
MANIFEST = "manifest.json"
EVENTS_DIR = "events"
CHECKPOINTS_DIR = "chunks"

CASELOAD = "caseload.parquet"
FLOWS = "flows.parquet"
FINANCE = "finance.parquet"
SUMMARY = "summary.csv"
FINANCE_SUMMARY = "finance_summary.csv"  # its notes explain partial years and unknowns
HISTORY = "historie.parquet"
TRAJECTEN = "trajecten.parquet"  # written by runs of scenarios with measures (trajecten)
REPORT = "report.html"

COMPARISON_CSV = "comparison.csv"
COMPARISON_PARQUET = "comparison.parquet"
COMPARISON_MEASURES = "measures.csv"
COMPARISON_REPORT = "comparison.html"


def segment_name(first: int, last: int) -> str:
    """The event segment of replications first..last, relative to the run directory."""
    return f"{EVENTS_DIR}/part-{first:06d}-{last:06d}.parquet"


def checkpoint_name(first: int, last: int) -> str:
    """The checkpoint of the chunk of replications first..last, relative to the run directory."""
    return f"{CHECKPOINTS_DIR}/chunk-{first:06d}-{last:06d}.npz"
