"""DuckDB helpers of the FreshRetailNet adapter: quote, read a source, check its columns, write
parquet."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def source_relation(source: str | Path) -> str:
    # str(), not Path(): Path would collapse "hf://datasets/..." into "hf:/datasets/..."
    return f"read_parquet({sql_string(str(source))})"


def require_columns(
    con: duckdb.DuckDBPyConnection, source: str | Path, columns: Sequence[str]
) -> None:
    """Raise naming the source and the published columns it lacks."""
    relation = source_relation(source)
    present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()}
    missing = [c for c in columns if c not in present]
    if missing:
        raise ValueError(f"{source} lacks FreshRetailNet columns {missing}")


def copy_parquet(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    con.execute(f"COPY ({query}) TO {sql_string(str(path))} (FORMAT parquet, COMPRESSION zstd)")
