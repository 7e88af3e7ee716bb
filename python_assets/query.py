"""Run one SQL query on the warehouse, read-only, and print the result as a table:
`make query SQL="select * from marts.kpi_store limit 5"` (DUCKDB_PATH picks another file, e.g.
the BI copy). It needs no DuckDB command-line tool, whose version would have to match the
file's. The file is opened read-only, which fails while a run writes it."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from python_assets.settings import DEFAULT_DUCKDB_PATH

EXAMPLE = 'make query SQL="select * from marts.kpi_store limit 5"'


def main(argv: Sequence[str] | None = None) -> None:
    sql = " ".join(sys.argv[1:] if argv is None else argv).strip()
    if not sql:
        raise SystemExit(f"usage: {EXAMPLE}")
    # a relative path is read from the current folder: only this process opens the file
    path = Path(os.environ.get("DUCKDB_PATH") or DEFAULT_DUCKDB_PATH).resolve()
    if not path.exists():
        raise SystemExit(f"no warehouse at {path}: run `make run` first, or set DUCKDB_PATH")
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            result = con.sql(sql)
        except duckdb.Error as error:
            raise SystemExit(f"{path}: {error}") from None
        if result is not None:  # a statement that returns no rows (e.g. SET) prints nothing
            result.show(max_rows=100)


if __name__ == "__main__":
    main()
