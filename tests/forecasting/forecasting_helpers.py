"""Shared helpers of the forecasting tests: mart-shaped histories from arrays of sales."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from python_assets.forecasting.forecast import ForecastResult
from python_assets.forecasting.gbm import GradientBoostingSettings
from python_assets.forecasting.panel import estimate_latent_demand
from python_assets.forecasting.settings import ForecastSettings

FRN_PATH = Path(
    os.environ.get("FRN_PATH")
    or Path(__file__).resolve().parents[2].parent / "shared/data/freshretailnet50k/train.parquet"
)
# Small, fast gradient boosting for tests: the behaviour under test does not need a big model.
# The four models and residual intervals these known-answer tests were written for (a constant
# series has no Poisson noise: count intervals would rightly be wider than its residuals).
FAST = ForecastSettings(
    models=("seasonal_naive", "moving_average_7", "ets", "gradient_boosting"),
    interval_method="residual",
    gradient_boosting=GradientBoostingSettings(
        max_iter=40, max_train_rows=20_000, min_samples_leaf=20, train_origins=21, n_models=1
    ),
    backtest_prediction_series=None,
)
START = pd.Timestamp("2025-01-06")  # a Monday


def make_history(
    units: np.ndarray,
    stockout_hours: np.ndarray | None = None,
    start: pd.Timestamp = START,
    latent: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A mart-shaped history from an (n_series, n_days) array of sales."""
    n_series, n_days = units.shape
    hours = np.zeros_like(units, dtype=float) if stockout_hours is None else stockout_hours
    dates = pd.date_range(start, periods=n_days, freq="D")
    history = pd.DataFrame(
        {
            "store_id": np.repeat([f"S{i // 5}" for i in range(n_series)], n_days),
            "product_id": np.repeat([f"P{i % 5}" for i in range(n_series)], n_days),
            "sales_date": np.tile(dates, n_series),
            "units_sold": units.reshape(-1).astype(float),
            "stockout_hours": hours.reshape(-1).astype(float),
            "is_stockout_censored": hours.reshape(-1) > 0,
            "stockout_hours_6_22": np.nan,
            "price_ratio": 1.0,
            "is_promo": False,
            "is_holiday": False,
        }
    )
    history["latent_demand_units"] = (
        estimate_latent_demand(history).to_numpy() if latent else history["units_sold"]
    )
    products = pd.DataFrame(
        {
            "product_id": [f"P{i}" for i in range(5)],
            "category": ["fruit", "fruit", "veg", "veg", "dairy"],
            "subcategory": ["a", "b", "c", "d", "e"],
        }
    )
    return history, products


def final_forecast(result: ForecastResult, model: str | None = None) -> np.ndarray:
    """(n_series, H) forecast: the chosen one, or `model`'s own (forecast_all_models)."""
    frame = result.forecast
    if model is None:
        frame = frame[frame["is_chosen"]]
    else:
        frame = frame[frame["model"] == model]
        if (~frame["is_chosen"]).any():
            frame = frame[~frame["is_chosen"]]
    ordered = frame.sort_values(["store_id", "product_id", "forecast_date"])
    n_days = ordered["forecast_date"].nunique()
    return ordered["forecast_units"].to_numpy().reshape(-1, n_days)
