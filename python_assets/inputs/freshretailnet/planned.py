"""Planned covariates from FreshRetailNet: a second file in the published layout for the days
after the history, mapped onto the planned_covariates input with the layout's one mapping."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from python_assets.inputs.contract import PLANNED_COVARIATE_COLUMNS
from python_assets.inputs.freshretailnet.layout import (
    FUTURE_SOURCE_COLUMNS,
    SALES_DAILY_MAPPING,
    mapped_columns,
)
from python_assets.inputs.freshretailnet.sql import (
    copy_parquet,
    require_columns,
    source_relation,
    sql_string,
)

PLANNED_COLUMNS = ("date", "store_id", "product_id", *PLANNED_COVARIATE_COLUMNS)


def write_planned_covariates(
    con: duckdb.DuckDBPyConnection,
    future_source: str | Path,
    city_filter: str | None,
    last_sales_day: date,
    series_table: str,
    path: Path,
) -> tuple[int, date, date]:
    """Write the future file's rows after last_sales_day for the series in series_table
    (store_id, product_id as published ints); return rows, first and last day.

    Sales columns of the future file (sale_amount, hours_sale, stock columns) are never read.
    """
    require_columns(con, future_source, FUTURE_SOURCE_COLUMNS)
    filters = [f"CAST(dt AS DATE) > DATE '{last_sales_day.isoformat()}'"]
    if city_filter:
        filters.append(city_filter)
    copy_parquet(
        con,
        f"""
        SELECT {mapped_columns(SALES_DAILY_MAPPING, PLANNED_COLUMNS)}
        FROM {source_relation(future_source)} AS future
        SEMI JOIN {series_table} AS series
            ON future.store_id = series.store_id AND future.product_id = series.product_id
        WHERE {" AND ".join(filters)}
        ORDER BY future.store_id, future.product_id, CAST(future.dt AS DATE)
        """,
        path,
    )
    rows, first, last = con.execute(
        f"SELECT count(*), min(date), max(date) FROM read_parquet({sql_string(str(path))})"
    ).fetchall()[0]
    if rows == 0:
        raise ValueError(
            f"{future_source} has no rows after the last sales day {last_sales_day} for the "
            "adapted stores and products: FRN_FUTURE_PATH must hold the days after the history"
        )
    return int(rows), first, last
