"""Write DataFrames into the warehouse file as tables, all or nothing: the monitoring and history
tables (the forecast and the LP hand theirs over as Parquet, python_assets/handoff.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pandas as pd


@contextmanager
def _transaction_in_schema(con: duckdb.DuckDBPyConnection, schema: str) -> Iterator[None]:
    """One transaction, with the schema created: committed on success, rolled back on error."""
    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {schema}")
        yield
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def replace_tables(
    con: duckdb.DuckDBPyConnection, schema: str, frames: dict[str, pd.DataFrame]
) -> dict[str, int]:
    """Create or replace schema.<name> from each frame in one transaction; return rows per table."""
    with _transaction_in_schema(con, schema):
        for name, frame in frames.items():
            con.register("frame_to_write", frame)
            con.execute(f"create or replace table {schema}.{name} as select * from frame_to_write")
            con.unregister("frame_to_write")
    return {name: len(frame) for name, frame in frames.items()}


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
    con: duckdb.DuckDBPyConnection, schema: str, frames: dict[str, pd.DataFrame], run_id: str
) -> dict[str, int]:
    """Append each frame (with a run_id column) to schema.<name>, creating the table on first use,
    in one transaction; rows of run_id already there are deleted first, so that materialising
    again within one run replaces that run's rows instead of doubling them. Earlier runs' rows
    are never touched: these are history tables. Returns rows written per table."""
    for name, frame in frames.items():
        if "run_id" not in frame.columns:
            raise ValueError(f"{schema}.{name}: the frame has no run_id column to key history by")
    with _transaction_in_schema(con, schema):
        for name, frame in frames.items():
            exists = con.execute(
                "select count(*) from information_schema.tables "
                "where table_schema = ? and table_name = ?",
                [schema, name],
            ).fetchall()[0][0]
            con.register("frame_to_write", frame)
            if exists:
                _add_new_columns(con, f"{schema}.{name}")
                con.execute(f"delete from {schema}.{name} where run_id = ?", [run_id])
                con.execute(f"insert into {schema}.{name} by name select * from frame_to_write")
            else:
                con.execute(f"create table {schema}.{name} as select * from frame_to_write")
            con.unregister("frame_to_write")
    return {name: len(frame) for name, frame in frames.items()}


def _add_new_columns(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Columns of frame_to_write that the history table lacks are added to it (null for earlier
    runs): a forecast or plan that gains a column must not stop the history."""
    have = {r[0] for r in con.execute(f"describe {table}").fetchall()}
    for column, column_type, *_ in con.execute("describe select * from frame_to_write").fetchall():
        if column not in have:
            con.execute(f'alter table {table} add column "{column}" {column_type}')
