"""Inputs for developing and benchmarking the forecast outside the pipeline: FreshRetailNet-50K
(Dingdong Inc., arXiv 2505.16319, CC-BY-4.0) mapped onto the marts.fct_sales_daily layout, and a
synthetic stand-in of the same shape for machines without the file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from python_assets.forecasting.panel import estimate_latent_demand
from python_assets.inputs.freshretailnet.layout import (
    SALES_DAILY_MAPPING,
    hierarchy_label,
    mapped_columns,
)


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_frn_history(
    path: str | Path, n_series: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(history, products) from FreshRetailNet-50K's train.parquet, shaped like the mart.

    n_series: a deterministic sample of that many store x product series (by a hash of the
    pair, so stores and products are spread), or all. latent_demand_units is computed with the
    warehouse's rule (estimate_latent_demand).
    """
    source = f"read_parquet({_sql_string(str(path))})"
    sample = ""
    if n_series is not None:
        sample = f"""
            inner join (
                select distinct store_id, product_id from {source}
                order by hash(store_id, product_id), store_id, product_id
                limit {int(n_series)}
            ) as chosen using (store_id, product_id)"""
    with duckdb.connect() as con:
        history = con.execute(
            f"""
            with mapped as (select {mapped_columns(SALES_DAILY_MAPPING)} from {source} {sample})
            select
                store_id,
                product_id,
                date as sales_date,
                units_sold,
                stockout_hours,
                stockout_hours > 0 as is_stockout_censored,
                stockout_hours_6_22,
                discount as price_ratio,
                promo_flag as is_promo,
                holiday_flag as is_holiday,
                precipitation,
                avg_temperature,
                avg_humidity,
                avg_wind_level
            from mapped
            order by store_id, product_id, sales_date
            """
        ).df()
        products = con.execute(
            f"""
            select
                cast(product_id as varchar) as product_id,
                {hierarchy_label("category", "min(first_category_id)")} as category,
                {hierarchy_label("subcategory", "min(second_category_id)")} as subcategory
            from {source}
            group by product_id
            order by product_id
            """
        ).df()
    history["sales_date"] = pd.to_datetime(history["sales_date"])
    history["latent_demand_units"] = estimate_latent_demand(history).to_numpy()
    return history, products


def synthetic_history(
    n_series: int = 200,
    n_days: int = 83,
    seed: int = 0,
    stockout_rate: float = 0.3,
    first_day: str = "2024-03-28",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A stand-in with FreshRetailNet's shape: Poisson demand around a weekly pattern, level and
    promotion effects per series; stockouts cut sales to the in-stock share of the day.
    """
    rng = np.random.default_rng(seed)
    days = pd.date_range(first_day, periods=n_days, freq="D")
    level = rng.lognormal(mean=0.5, sigma=0.8, size=n_series)
    weekly = 1 + 0.25 * np.sin(2 * np.pi * (days.day_of_week.to_numpy() + rng.uniform(0, 7)) / 7)
    promo = rng.random((n_series, n_days)) < 0.2
    demand_rate = level[:, None] * weekly[None, :] * np.where(promo, 1.4, 1.0)
    demand = rng.poisson(demand_rate).astype(np.float64)
    stockout_hours = np.where(
        rng.random((n_series, n_days)) < stockout_rate, rng.integers(1, 12, (n_series, n_days)), 0
    ).astype(np.float64)
    sales = np.floor(demand * (1 - stockout_hours / 24))
    return _history_frame(days, sales, stockout_hours, promo)


def _history_frame(
    days: pd.DatetimeIndex, sales: np.ndarray, stockout_hours: np.ndarray, promo: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mart-shaped history and products of (n_series, n_days) arrays; 20 products per store."""
    n_series, n_days = sales.shape
    stores = np.array([f"S{i // 20:03d}" for i in range(n_series)])
    product_ids = np.array([f"P{i % 20:03d}" for i in range(n_series)])
    history = pd.DataFrame(
        {
            "store_id": np.repeat(stores, n_days),
            "product_id": np.repeat(product_ids, n_days),
            "sales_date": np.tile(days, n_series),
            "units_sold": sales.reshape(-1),
            "stockout_hours": stockout_hours.reshape(-1),
            "is_stockout_censored": stockout_hours.reshape(-1) > 0,
            "stockout_hours_6_22": stockout_hours.reshape(-1),
            "price_ratio": np.where(promo, 0.8, 1.0).reshape(-1),
            "is_promo": promo.reshape(-1),
            "is_holiday": np.tile(days.day_of_week.to_numpy() >= 5, n_series),
            "precipitation": np.nan,
            "avg_temperature": np.nan,
            "avg_humidity": np.nan,
            "avg_wind_level": np.nan,
        }
    )
    history["latent_demand_units"] = estimate_latent_demand(history).to_numpy()
    products = pd.DataFrame(
        {
            "product_id": [f"P{i:03d}" for i in range(20)],
            "category": [f"C{i % 4}" for i in range(20)],
            "subcategory": [f"SC{i % 8}" for i in range(20)],
        }
    )
    return history, products


def intermittent_history(
    n_series: int = 400, n_days: int = 120, seed: int = 0, stockout_rate: float = 0.05
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A long-tail assortment: 20% smooth Poisson series, 40% intermittent (a sale on 10-40% of
    days, small sizes), 20% lumpy (rare, large and variable sizes), 10% launched in the last 60
    days and 10% dying out (no sale after a day 40-100 days before the end)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-01-01", periods=n_days, freq="D")
    profile = rng.choice(5, size=n_series, p=[0.2, 0.4, 0.2, 0.1, 0.1])
    shape = (n_series, n_days)
    smooth = rng.poisson(rng.uniform(2, 10, n_series)[:, None], shape)
    occurs = rng.random(shape) < rng.uniform(0.1, 0.4, n_series)[:, None]
    small = occurs * (1 + rng.poisson(rng.uniform(0.5, 2, n_series)[:, None], shape))
    rare = rng.random(shape) < rng.uniform(0.05, 0.3, n_series)[:, None]
    large = rare * (
        1 + rng.negative_binomial(1, 1 / (1 + rng.uniform(3, 12, n_series))[:, None], shape)
    )
    day = np.arange(n_days)[None, :]
    launch = day >= rng.integers(n_days - 60, n_days - 2, n_series)[:, None]
    alive = day < rng.integers(n_days - 100, n_days - 40, n_series)[:, None]
    demand = np.select(
        [profile[:, None] == k for k in range(4)],
        [smooth, small, large, launch * rng.poisson(3.0, shape)],
        alive * rng.poisson(2.0, shape),
    ).astype(np.float64)
    stockout_hours = np.where(
        rng.random(shape) < stockout_rate, rng.integers(1, 12, shape), 0
    ).astype(np.float64)
    sales = np.floor(demand * (1 - stockout_hours / 24))
    return _history_frame(days, sales, stockout_hours, np.zeros(shape, dtype=bool))
