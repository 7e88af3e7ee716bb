"""The Parquet hand-off: the tables the forecast and the LP compute are written as Parquet files
under the warehouse's `handoff/` folder, not into the DuckDB file, and dbt reads them as sources
(`read_parquet`; README, "The pipeline"). So these steps never write the warehouse file, and
could run in any process that sees the folder.

Layout: `<root>/<schema>/<table>/<part>.parquet`, one folder per table; `part` is `all` for a
table written whole, `shard-k-of-n` for one of the plan's n product partitions. Each file is
written beside its final name and renamed into place, so a reader sees the old file or the new
one, never half of one. A Python object one step hands to another (the fitted forecast, which
the partitions of demand_forecast predict with) is a pickle beside the table folders:
`<root>/<schema>/<name>.pickle`.
"""

from __future__ import annotations

import contextlib
import pickle
import re
from pathlib import Path

import duckdb
import pandas as pd

WHOLE = "all"
# the part of one of the plan's product partitions: shard-<k>-of-<n>
SHARD_PART = re.compile(r"shard-(\d+)-of-(\d+)")


def handoff_dir(duckdb_path: Path) -> Path:
    """The hand-off folder of a warehouse: `handoff/` beside its DuckDB file (dbt's sources
    derive the same folder from DUCKDB_PATH when no handoff_dir var is given)."""
    return Path(duckdb_path).parent / "handoff"


def table_dir(root: Path, schema: str, table: str) -> Path:
    return Path(root) / schema / table


def relation(root: Path, schema: str, table: str) -> str:
    """The SQL relation (a read_parquet call) that reads every part of a hand-off table, the
    same one dbt's sources compile to."""
    pattern = str(table_dir(root, schema, table) / "*.parquet").replace("'", "''")
    return f"read_parquet('{pattern}', union_by_name = true)"


def write_tables(
    root: Path, schema: str, frames: dict[str, pd.DataFrame], part: str = WHOLE
) -> dict[str, int]:
    """Write each frame as `<root>/<schema>/<name>/<part>.parquet`; return rows per table
    (all or nothing, as write_queries)."""
    with duckdb.connect() as con:
        queries = {}
        for i, (name, frame) in enumerate(frames.items()):
            con.register(f"frame_{i}", frame)
            queries[name] = f"select * from frame_{i}"
        return write_queries(con, root, schema, queries, part)


def write_queries(
    con: duckdb.DuckDBPyConnection,
    root: Path,
    schema: str,
    queries: dict[str, str],
    part: str = WHOLE,
) -> dict[str, int]:
    """Write the result of each query (run on con) as `<root>/<schema>/<name>/<part>.parquet`;
    return rows per table.

    Every file is written first and renamed into place after, so an error while writing leaves
    every table as it was. Then the parts the new one supersedes are removed (`supersedes`)."""
    staged: list[tuple[Path, Path]] = []
    rows: dict[str, int] = {}
    try:
        for name, query in queries.items():
            folder = table_dir(root, schema, name)
            folder.mkdir(parents=True, exist_ok=True)
            final = folder / f"{part}.parquet"
            temporary = folder / f".{part}.parquet.writing"
            target = str(temporary).replace("'", "''")
            staged.append((temporary, final))
            rows[name] = con.execute(f"copy ({query}) to '{target}' (format parquet)").fetchone()[0]
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, final in staged:
        temporary.replace(final)
        for other in final.parent.glob("*.parquet"):
            if other != final and supersedes(part, other.stem):
                with contextlib.suppress(FileNotFoundError):
                    other.unlink()
    return rows


def supersedes(part: str, other: str) -> bool:
    """Whether writing `part` of a table removes its part `other`: a table written whole
    replaces every part; a product partition (shard-k-of-n) replaces the whole table and the
    partitions of any other count n, and leaves its sibling partitions in place."""
    if part == WHOLE:
        return True
    mine = SHARD_PART.fullmatch(part)
    if mine is None:
        return False
    sibling = SHARD_PART.fullmatch(other)
    return other == WHOLE or (sibling is not None and sibling[2] != mine[2])


def object_path(root: Path, schema: str, name: str) -> Path:
    return Path(root) / schema / f"{name}.pickle"


def write_object(root: Path, schema: str, name: str, value: object) -> Path:
    """Pickle a Python object that a later step reads (not a table: dbt never sees it) as
    `<root>/<schema>/<name>.pickle`, written beside its final name and renamed into place."""
    final = object_path(root, schema, name)
    final.parent.mkdir(parents=True, exist_ok=True)
    temporary = final.with_name(f".{final.name}.writing")
    try:
        with temporary.open("wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    temporary.replace(final)
    return final


def read_object(root: Path, schema: str, name: str) -> object:
    """An object write_object wrote; a FileNotFoundError naming the file when it never was."""
    path = object_path(root, schema, name)
    if not path.exists():
        raise FileNotFoundError(
            f"{schema}.{name}: no {path}; materialise the asset that writes it first"
        )
    with path.open("rb") as file:
        return pickle.load(file)


def has_table(root: Path, schema: str, table: str) -> bool:
    """Whether the hand-off table has at least one file."""
    return any(table_dir(root, schema, table).glob("*.parquet"))


def tables(root: Path) -> list[tuple[str, str]]:
    """(schema, table) of every table of the hand-off folder."""
    return sorted({(p.parent.parent.name, p.parent.name) for p in Path(root).glob("*/*/*.parquet")})


def row_counts(root: Path) -> list[tuple[str, str, int]]:
    """(schema, table, rows) for every table of the hand-off folder (from the Parquet footers)."""
    with duckdb.connect() as con:
        return [
            (
                schema,
                table,
                con.execute(f"select count(*) from {relation(root, schema, table)}").fetchone()[0],
            )
            for schema, table in tables(root)
        ]


def connect(root: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view `<schema>.<table>` over every table of the
    hand-off folder, to query them by the names dbt's sources give them."""
    con = duckdb.connect()
    for schema, table in tables(root):
        con.execute(f'create schema if not exists "{schema}"')
        con.execute(
            f'create view "{schema}"."{table}" as select * from {relation(root, schema, table)}'
        )
    return con


def read_table(root: Path, schema: str, table: str, where: str = "") -> pd.DataFrame:
    """Every part of a hand-off table as one frame (optionally filtered by a SQL condition);
    a FileNotFoundError naming the folder when the table was never written."""
    if not has_table(root, schema, table):
        raise FileNotFoundError(
            f"{schema}.{table}: no Parquet file in {table_dir(root, schema, table)}; "
            "materialise the asset that writes it first"
        )
    query = f"select * from {relation(root, schema, table)}"
    with duckdb.connect() as con:
        return con.execute(f"{query} where {where}" if where else query).df()
