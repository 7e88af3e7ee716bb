"""The Parquet hand-off: the tables the forecast and the LP compute are written as Parquet files
under the hand-off folder, not into the DuckDB file, and dbt reads them as sources
(`read_parquet`; README, "The pipeline"). So these steps never write the warehouse file, and
could run in any process that sees the folder.

The folder (`root` below) is `handoff/` beside the warehouse, or HANDOFF_DIR: a local folder or
a URL of any filesystem fsspec knows with its package installed (`s3://bucket/prefix` with
s3fs, `gs://` with gcsfs, `az://` with adlfs; README, "On a cluster"). DuckDB reads and writes
a URL through the same fsspec filesystem (`register_filesystem`), so no DuckDB extension is
needed.

Layout: `<root>/<schema>/<table>/<part>.parquet`, one folder per table; `part` is `all` for a
table written whole, `shard-k-of-n` for one of the plan's n product partitions. Each file is
written beside its final name and moved into place, so a reader sees the old file or the new
one, never half of one (a rename on a local disk; on object storage an object appears whole
when its upload ends). A Python object one step hands to another (the fitted forecast, which
the partitions of demand_forecast predict with) is a pickle beside the table folders:
`<root>/<schema>/<name>.pickle`.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
from pathlib import Path

import duckdb
import fsspec
import pandas as pd
from fsspec.implementations.local import LocalFileSystem

WHOLE = "all"
# the part of one of the plan's product partitions: shard-<k>-of-<n>
SHARD_PART = re.compile(r"shard-(\d+)-of-(\d+)")

# a hand-off folder: a local path, or a URL such as s3://bucket/prefix
Root = str | os.PathLike[str]


def handoff_dir(duckdb_path: Path) -> Path:
    """The default hand-off folder of a warehouse: `handoff/` beside its DuckDB file (dbt's
    sources derive the same folder from DUCKDB_PATH when neither the handoff_dir var nor
    HANDOFF_DIR is given)."""
    return Path(duckdb_path).parent / "handoff"


def is_url(root: Root) -> bool:
    """Whether root is a URL (s3://...) rather than a local path."""
    return "://" in str(root)


def filesystem(root: Root) -> fsspec.AbstractFileSystem:
    """The fsspec filesystem root is on (ImportError naming the package when it is missing)."""
    return fsspec.core.url_to_fs(str(root))[0]


def join(root: Root, *parts: str) -> str:
    """root/part/...: a path for a local root, a URL for a remote one (never a pathlib.Path,
    which would fold the '//' of 's3://')."""
    return "/".join([str(root).rstrip("/"), *parts]) if is_url(root) else str(Path(root, *parts))


def register(con: duckdb.DuckDBPyConnection, root: Root) -> duckdb.DuckDBPyConnection:
    """Let con read and write root's URLs through root's fsspec filesystem (nothing to do for a
    local folder, which DuckDB reads itself); return con."""
    fs = filesystem(root)
    if not isinstance(fs, LocalFileSystem):
        fs.invalidate_cache()  # another process may have written since the last listing
        if not any(p in con.list_filesystems() for p in _protocols(fs)):
            con.register_filesystem(fs)
    return con


def _protocols(fs: fsspec.AbstractFileSystem) -> tuple[str, ...]:
    return (fs.protocol,) if isinstance(fs.protocol, str) else tuple(fs.protocol)


def _glob(root: Root, *parts: str) -> list[list[str]]:
    """The paths matching root/parts (a glob pattern), each split at '/', listed afresh: not
    from fsspec's cache, since another process may have written since."""
    fs = filesystem(root)
    fs.invalidate_cache()
    return [p.rstrip("/").split("/") for p in fs.glob(join(root, *parts))]


def names(root: Root, *parts: str) -> list[str]:
    """The names of the files and folders matching root/parts (a glob pattern), hidden ones
    too, e.g. names(folder, '*.parquet')."""
    return [path[-1] for path in _glob(root, *parts)]


def table_dir(root: Root, schema: str, table: str) -> str:
    return join(root, schema, table)


def relation(root: Root, schema: str, table: str) -> str:
    """The SQL relation (a read_parquet call) that reads every part of a hand-off table, the
    same one dbt's sources compile to (for a URL, on a connection `register` prepared)."""
    pattern = join(table_dir(root, schema, table), "*.parquet").replace("'", "''")
    return f"read_parquet('{pattern}', union_by_name = true)"


def write_tables(
    root: Root, schema: str, frames: dict[str, pd.DataFrame], part: str = WHOLE
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
    root: Root,
    schema: str,
    queries: dict[str, str],
    part: str = WHOLE,
) -> dict[str, int]:
    """Write the result of each query (run on con) as `<root>/<schema>/<name>/<part>.parquet`;
    return rows per table.

    Every file is written first and moved into place after, so an error while writing leaves
    every table as it was. Then the parts the new one supersedes are removed (`supersedes`)."""
    fs = filesystem(root)
    register(con, root)
    folders = {name: table_dir(root, schema, name) for name in queries}
    temporary = {name: join(folder, f".{part}.parquet.writing") for name, folder in folders.items()}
    rows: dict[str, int] = {}
    try:
        for name, query in queries.items():
            fs.makedirs(folders[name], exist_ok=True)
            target = temporary[name].replace("'", "''")
            rows[name] = con.execute(f"copy ({query}) to '{target}' (format parquet)").fetchone()[0]
    except BaseException:
        for path in temporary.values():
            with contextlib.suppress(FileNotFoundError):
                fs.rm(path)
        raise
    for name, folder in folders.items():
        fs.mv(temporary[name], join(folder, f"{part}.parquet"))
        for other in names(folder, "*.parquet"):
            if supersedes(part, other.removesuffix(".parquet")) and other != f"{part}.parquet":
                with contextlib.suppress(FileNotFoundError):
                    fs.rm(join(folder, other))
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


def object_path(root: Root, schema: str, name: str) -> str:
    return join(root, schema, f"{name}.pickle")


def write_object(root: Root, schema: str, name: str, value: object) -> str:
    """Pickle a Python object that a later step reads (not a table: dbt never sees it) as
    `<root>/<schema>/<name>.pickle`, written beside its final name and moved into place."""
    fs = filesystem(root)
    fs.makedirs(join(root, schema), exist_ok=True)
    final = object_path(root, schema, name)
    temporary = join(root, schema, f".{name}.pickle.writing")
    try:
        with fs.open(temporary, "wb") as file:
            pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            fs.rm(temporary)
        raise
    fs.mv(temporary, final)
    return final


def read_object(root: Root, schema: str, name: str) -> object:
    """An object write_object wrote; a FileNotFoundError naming the file when it never was."""
    path = object_path(root, schema, name)
    try:
        with filesystem(root).open(path, "rb") as file:
            return pickle.load(file)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"{schema}.{name}: no {path}; materialise the asset that writes it first"
        ) from None


def has_table(root: Root, schema: str, table: str) -> bool:
    """Whether the hand-off table has at least one file."""
    return bool(names(table_dir(root, schema, table), "*.parquet"))


def tables(root: Root) -> list[tuple[str, str]]:
    """(schema, table) of every table of the hand-off folder."""
    return sorted({(path[-3], path[-2]) for path in _glob(root, "*", "*", "*.parquet")})


def row_counts(root: Root) -> list[tuple[str, str, int]]:
    """(schema, table, rows) for every table of the hand-off folder (from the Parquet footers)."""
    with duckdb.connect() as con:
        register(con, root)
        return [
            (
                schema,
                table,
                con.execute(f"select count(*) from {relation(root, schema, table)}").fetchone()[0],
            )
            for schema, table in tables(root)
        ]


def connect(root: Root) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view `<schema>.<table>` over every table of the
    hand-off folder, to query them by the names dbt's sources give them."""
    con = register(duckdb.connect(), root)
    for schema, table in tables(root):
        con.execute(f'create schema if not exists "{schema}"')
        con.execute(
            f'create view "{schema}"."{table}" as select * from {relation(root, schema, table)}'
        )
    return con


def read_table(root: Root, schema: str, table: str, where: str = "") -> pd.DataFrame:
    """Every part of a hand-off table as one frame (optionally filtered by a SQL condition);
    a FileNotFoundError naming the folder when the table was never written."""
    if not has_table(root, schema, table):
        raise FileNotFoundError(
            f"{schema}.{table}: no Parquet file in {table_dir(root, schema, table)}; "
            "materialise the asset that writes it first"
        )
    query = f"select * from {relation(root, schema, table)}"
    with duckdb.connect() as con:
        register(con, root)
        return con.execute(f"{query} where {where}" if where else query).df()
