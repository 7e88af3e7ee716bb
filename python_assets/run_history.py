"""The history tables of weekly runs (README, "Weekly runs: history and monitoring"): rows stamped
with their run, appended to the Parquet hand-off one file per run (python_assets/handoff.py), so
that no run rewrites another's rows and no Python step writes the warehouse file."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from python_assets import handoff

# the file an earlier version's history table (kept in the warehouse file) is carried into
CARRIED_OVER = "from-warehouse-file"


def stamp_run(
    frame: pd.DataFrame, run_id: str, origin_date: pd.Timestamp, recorded_at: pd.Timestamp
) -> pd.DataFrame:
    """frame with the run's key in front: run_id, origin_date (the last sales day the run
    planned from) and recorded_at, as the history tables store every row."""
    stamped = frame.reset_index(drop=True).copy()
    stamped.insert(0, "recorded_at", pd.Timestamp(recorded_at))
    stamped.insert(0, "origin_date", pd.Timestamp(origin_date))
    stamped.insert(0, "run_id", run_id)
    return stamped


def append_run_tables(
    root: Path, schema: str, frames: dict[str, pd.DataFrame], run_id: str
) -> dict[str, int]:
    """Write each frame (with a run_id column) as the run's own file of the hand-off table
    `<root>/<schema>/<name>/run-<run_id>.parquet`, all or nothing. Materialising again within one
    run replaces that run's rows instead of doubling them; earlier runs' files are never touched.
    A frame may have columns earlier runs lack (they read as null there). Returns rows written
    per table."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", run_id):
        raise ValueError(f"run_id {run_id!r}: only letters, digits, '-' and '_' name a file")
    for name, frame in frames.items():
        if "run_id" not in frame.columns:
            raise ValueError(f"{schema}.{name}: the frame has no run_id column to key history by")
    return handoff.write_tables(root, schema, frames, part=f"run-{run_id}")


def carry_over_warehouse_table(
    con: duckdb.DuckDBPyConnection, root: Path, schema: str, table: str
) -> int:
    """Rows of a history table an earlier version kept in the warehouse file (schema.table),
    written once as the hand-off table's file `from-warehouse-file.parquet`, so that the history
    loses nothing when it moves. Only reads the warehouse; returns rows carried over (0 when the
    hand-off table already has files or the warehouse has no such table)."""
    if handoff.has_table(root, schema, table):
        return 0
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()[0][0]
    if not exists:
        return 0
    rows = con.execute(f'select * from "{schema}"."{table}"').df()
    return handoff.write_tables(root, schema, {table: rows}, part=CARRIED_OVER)[table]
