"""Write DataFrames back into the warehouse as tables, all or nothing."""

from __future__ import annotations

import duckdb
import pandas as pd


def replace_tables(
    con: duckdb.DuckDBPyConnection, schema: str, frames: dict[str, pd.DataFrame]
) -> dict[str, int]:
    """Create or replace schema.<name> from each frame in one transaction; return rows per table."""
    con.execute("begin transaction")
    try:
        con.execute(f"create schema if not exists {schema}")
        for name, frame in frames.items():
            con.register("frame_to_write", frame)
            con.execute(f"create or replace table {schema}.{name} as select * from frame_to_write")
            con.unregister("frame_to_write")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return {name: len(frame) for name, frame in frames.items()}
