"""What `simbijstand replay` prints: the caseload per klantgroep at a date, as a table or JSON."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl


def replay_text(table: pl.DataFrame, at: dt.date, run_dir: Path) -> str:
    """A title and every row of the table, without polars' shape and type lines."""
    with pl.Config(tbl_rows=-1, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
        return f"Bestand op {at} (uit het eventlog van {run_dir})\n{table}"


def replay_json(table: pl.DataFrame, at: dt.date, run_dir: Path) -> dict[str, Any]:
    return {"run_dir": str(run_dir), "at": str(at), "rows": table.to_dicts()}
