"""Adapt FreshRetailNet-50K (Dingdong Inc., arXiv 2505.16319, CC-BY-4.0) onto the input contract:
read the published file once, write stores, products, sales_daily, inventory_snapshot and
dataset_assumptions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from python_assets.inputs.contract import (
    DATASET_ASSUMPTIONS,
    FILE_SUFFIXES,
    INPUT_TABLES,
    INVENTORY_SNAPSHOT,
    PLANNED_COVARIATES,
    PRODUCTS,
    SALES_DAILY,
    STORES,
    InputTable,
)
from python_assets.inputs.freshretailnet.assumptions import (
    FreshRetailNetAssumptions,
    assumption_rows,
)
from python_assets.inputs.freshretailnet.inventory import (
    inventory_frame,
    recent_daily_sales_sql,
    recent_sales_column,
)
from python_assets.inputs.freshretailnet.layout import (
    PRODUCT_HIERARCHY,
    SALES_DAILY_MAPPING,
    SOURCE_COLUMNS,
    hierarchy_label,
    mapped_columns,
)
from python_assets.inputs.freshretailnet.network import stores_frame
from python_assets.inputs.freshretailnet.planned import write_planned_covariates
from python_assets.inputs.freshretailnet.sql import (
    copy_parquet,
    require_columns,
    source_relation,
    sql_string,
)
from python_assets.inputs.inventory_history import history_offsets

DATASET = "freshretailnet"
OUTPUT_TABLES: tuple[InputTable, ...] = (
    STORES,
    PRODUCTS,
    SALES_DAILY,
    INVENTORY_SNAPSHOT,
    DATASET_ASSUMPTIONS,
)


def _check_out_dir(out_dir: Path, tables: Sequence[InputTable]) -> None:
    # Files of the same table in the other format, or of tables this adapter does not write,
    # would be loaded alongside FreshRetailNet's and silently mix two datasets.
    ours = {(t.name, ".parquet") for t in tables}
    stale = sorted(
        p.name
        for t in INPUT_TABLES
        for suffix in FILE_SUFFIXES
        if (t.name, suffix) not in ours and (p := out_dir / f"{t.name}{suffix}").exists()
    )
    if stale:
        raise FileExistsError(
            f"{out_dir} already holds input files the adapter would not replace: {stale}; "
            "use an empty directory"
        )


def adapt_freshretailnet(
    source: str | Path,
    out_dir: Path,
    assumptions: FreshRetailNetAssumptions = FreshRetailNetAssumptions(),
    city_ids: Sequence[int] | None = None,
    future_source: str | Path | None = None,
) -> dict[str, int]:
    """Write stores, products, sales_daily, inventory_snapshot and dataset_assumptions parquet
    files into out_dir from a file (or glob) in FreshRetailNet-50K's published layout.

    `future_source`, a second file in the same layout holding the days after the history (its
    sales columns ignored), adds planned_covariates for those days (write_planned_covariates).

    `source` goes straight to DuckDB's read_parquet, so a local path, a glob or a remote URL such
    as "hf://datasets/Dingdong-Inc/FreshRetailNet-50K/..." works wherever DuckDB can load its
    httpfs extension. `city_ids` restricts the output to those cities. Output is deterministic:
    the same source and assumptions give byte-identical files. Returns rows written per table.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = OUTPUT_TABLES + ((PLANNED_COVARIATES,) if future_source is not None else ())
    _check_out_dir(out_dir, tables)
    a = assumptions
    src = source_relation(source)

    filters = []
    city_filter = None
    if city_ids is not None:
        ids = sorted({int(c) for c in city_ids})
        if not ids:
            raise ValueError("city_ids is empty; pass None for all cities")
        city_filter = f"city_id IN ({', '.join(str(c) for c in ids)})"
        filters.append(city_filter)
    if a.withhold_from is not None:
        filters.append(f"CAST(dt AS DATE) < DATE '{a.withhold_from.isoformat()}'")
    where = ("WHERE " + " AND ".join(filters)) if filters else ""

    paths = {t.name: out_dir / f"{t.name}.parquet" for t in tables}
    # One thread: parallel writers cut parquet row groups where threads happen to finish, and
    # parallel float sums depend on the order partial sums meet; both would break byte-identical
    # output. Streaming one pass on one thread also keeps memory small (no sort, no table).
    with duckdb.connect(":memory:", config={"threads": 1}) as con:
        require_columns(con, source, SOURCE_COLUMNS)

        # Rows keep the source's order (the published file runs series by series, day by day).
        copy_parquet(
            con,
            f"""
            SELECT {mapped_columns(SALES_DAILY_MAPPING)}
            FROM {src}
            {where}
            """,
            paths["sales_daily"],
        )
        sales_path = sql_string(str(paths["sales_daily"]))
        n_sales, first_day, snapshot = con.execute(
            f"SELECT count(*), min(date), max(date) FROM read_parquet({sales_path})"
        ).fetchone()
        if n_sales == 0:
            raise ValueError(f"no rows in {source} for city_ids={city_ids} before the holdout")
        # The latest snapshot is the plan's stock; weekly ones before it are its history.
        n_days = (snapshot - first_day).days + 1
        offsets = history_offsets(n_days, a.demand_window_days)
        snapshot_dates = [snapshot - timedelta(days=o) for o in offsets] + [snapshot]
        recent_sales = ",\n".join(
            f"{recent_daily_sales_sql(d, a.demand_window_days)} AS {recent_sales_column(d)}"
            for d in snapshot_dates
        )

        # One row per series, with its city, product hierarchy and recent sales.
        hierarchy_ids = ", ".join(
            f"min({c}) AS {c}, max({c}) AS {c}_max" for c, _ in PRODUCT_HIERARCHY.values()
        )
        series = con.execute(
            f"""
            SELECT
                store_id, product_id,
                min(city_id) AS city_id, max(city_id) AS city_id_max,
                {hierarchy_ids},
                {recent_sales}
            FROM {src}
            {where}
            GROUP BY store_id, product_id
            ORDER BY store_id, product_id
            """
        ).df()
        _check_functional(series)
        planned = None
        if future_source is not None:
            con.register("series_df", series)
            planned = write_planned_covariates(
                con, future_source, city_filter, snapshot, "series_df", paths["planned_covariates"]
            )

        stores = stores_frame(series, a)
        products = _products_frame(series)
        inventory = inventory_frame(series, a, snapshot_dates)
        assumptions_df = pd.DataFrame(
            assumption_rows(a, city_ids, snapshot_dates, planned),
            columns=["topic", "assumption", "setting"],
        )
        con.register("stores_df", stores)
        con.register("products_df", products)
        con.register("inventory_df", inventory)
        con.register("assumptions_df", assumptions_df)
        copy_parquet(
            con,
            """
            SELECT CAST(store_id AS VARCHAR) AS store_id, CAST(city AS VARCHAR) AS city,
                CAST(region AS VARCHAR) AS region, CAST(latitude AS DOUBLE) AS latitude,
                CAST(longitude AS DOUBLE) AS longitude,
                CAST(store_name AS VARCHAR) AS store_name,
                CAST(TRUE AS BOOLEAN) AS coordinates_assumed
            FROM stores_df ORDER BY store_int
            """,
            paths["stores"],
        )
        copy_parquet(
            con,
            f"""
            SELECT CAST(product_id AS VARCHAR) AS product_id,
                {hierarchy_label("category")} AS category,
                {hierarchy_label("subcategory")} AS subcategory,
                CAST(product_name AS VARCHAR) AS product_name,
                {hierarchy_label("style")} AS style
            FROM products_df ORDER BY product_int
            """,
            paths["products"],
        )
        copy_parquet(
            con,
            """
            SELECT CAST(store_id AS VARCHAR) AS store_id,
                CAST(product_id AS VARCHAR) AS product_id,
                CAST(on_hand_units AS DOUBLE) AS on_hand_units,
                CAST(snapshot_date AS DATE) AS snapshot_date,
                CAST(TRUE AS BOOLEAN) AS on_hand_simulated
            FROM inventory_df ORDER BY snapshot_date, store_int, product_int
            """,
            paths["inventory_snapshot"],
        )
        copy_parquet(
            con,
            f"""
            SELECT CAST({sql_string(DATASET)} AS VARCHAR) AS dataset,
                CAST(topic AS VARCHAR) AS topic, CAST(assumption AS VARCHAR) AS assumption,
                CAST(setting AS VARCHAR) AS setting
            FROM assumptions_df
            """,
            paths["dataset_assumptions"],
        )

    rows = {
        "stores": len(stores),
        "products": len(products),
        "sales_daily": int(n_sales),
        "inventory_snapshot": len(inventory),
        "dataset_assumptions": len(assumptions_df),
    }
    if planned is not None:
        rows["planned_covariates"] = planned[0]
    return rows


def _check_functional(series: pd.DataFrame) -> None:
    # The contract keys stores and products by id alone, so the source must not give one store
    # two cities or one product two places in the hierarchy.
    hierarchy = tuple(c for c, _ in PRODUCT_HIERARCHY.values())
    checks = (("store_id", ("city_id",)), ("product_id", hierarchy))
    for key, columns in checks:
        spans = series.groupby(key).agg(
            **{f"{c}_lo": (c, "min") for c in columns},
            **{f"{c}_hi": (f"{c}_max", "max") for c in columns},
        )
        for c in columns:
            if (spans[f"{c}_lo"] != spans[f"{c}_hi"]).any():
                raise ValueError(f"a {key} has more than one {c} in the source")


def _products_frame(series: pd.DataFrame) -> pd.DataFrame:
    """One row per product with its published hierarchy ids; labelled by the layout's mapping."""
    id_columns = [c for c, _ in PRODUCT_HIERARCHY.values()]
    products = (
        series[["product_id", *id_columns]].drop_duplicates("product_id").sort_values("product_id")
    )
    ids = products["product_id"].to_numpy(np.int64)
    return pd.DataFrame(
        {
            "product_int": ids,
            "product_id": [str(p) for p in ids],
            **{c: products[c].to_numpy(np.int64) for c in id_columns},
            "product_name": [f"Product {p}" for p in ids],
        }
    )
