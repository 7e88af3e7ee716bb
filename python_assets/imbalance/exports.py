"""Write warehouse tables out as files for users outside the warehouse (e.g. the Z-score rule's marts as CSV)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb


def export_tables_csv(
    con: duckdb.DuckDBPyConnection, tables: Sequence[str], folder: Path
) -> dict[str, int]:
    """Write each `schema.table` to folder/<table>.csv (header, comma); return rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = {}
    for qualified in tables:
        name = qualified.split(".")[-1]
        target = str(folder / f"{name}.csv").replace("'", "''")
        con.execute(
            f"copy (select * from {qualified} order by all) to '{target}' (header, delimiter ',')"
        )
        rows[name] = con.execute(f"select count(*) from {qualified}").fetchone()[0]
    return rows
