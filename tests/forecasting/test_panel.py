"""The panel helpers: latent demand for inputs built outside dbt."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from forecasting_helpers import FAST, make_history

from python_assets.forecasting.forecast import forecast_demand
from python_assets.forecasting.panel import (
    build_panel,
    estimate_latent_demand,
    planned_covariates_frame,
)


def test_latent_demand_follows_the_warehouse_rule() -> None:
    # 5 Mondays of one series; censored on the 2nd and 5th Monday
    dates = pd.date_range("2025-01-06", periods=29, freq="D")
    units = np.full(29, 1.0)
    hours = np.zeros(29)
    mondays = np.arange(0, 29, 7)
    units[mondays] = [4.0, 1.0, 6.0, 8.0, 2.0]
    hours[mondays] = [0, 12, 0, 0, 20]
    history = pd.DataFrame(
        {
            "store_id": "S",
            "product_id": "P",
            "sales_date": dates,
            "units_sold": units,
            "stockout_hours": hours,
        }
    )
    latent = estimate_latent_demand(history).to_numpy()
    assert latent[mondays[0]] == 4.0
    assert latent[mondays[1]] == 4.0  # max(1, mean of uncensored previous Mondays = 4)
    assert latent[mondays[4]] == pytest.approx(6.0)  # max(2, mean(4, 6, 8)), censored one skipped
    assert latent[1] == 1.0
    # no reference: sales x 24 / in-stock hours, capped at 4x
    first = history.iloc[[mondays[1]]].assign(units_sold=1.0)
    assert estimate_latent_demand(first).iloc[0] == pytest.approx(2.0)
    first = first.assign(stockout_hours=23.0)
    assert estimate_latent_demand(first).iloc[0] == pytest.approx(4.0)


def test_a_history_with_a_day_twice_is_refused_and_one_with_each_day_once_is_not() -> None:
    history, products = make_history(np.ones((6, 10)))
    assert build_panel(history, products).units_sold.shape == (6, 10)
    twice = pd.concat([history, history.iloc[[17]]], ignore_index=True)
    with pytest.raises(ValueError, match="duplicate store_id x product_id x sales_date"):
        build_panel(twice, products)


# ----------------------------------------------------------------------------- shapes, settings


def test_planned_covariates_map_onto_the_forecast_covariates() -> None:
    planned = pd.DataFrame(
        {
            "store_id": ["S1", "S1"],
            "product_id": ["P1", "P1"],
            "date": pd.to_datetime(["2025-03-01", "2025-03-02"]),
            "discount": [0.8, None],
            "promo_flag": [True, None],
            "holiday_flag": [False, True],
            "avg_temperature": [10.0, 12.0],
        }
    )
    frame = planned_covariates_frame(planned)
    assert list(frame.columns) == [
        "store_id",
        "product_id",
        "forecast_date",
        "price_ratio",
        "is_promo",
        "is_holiday",
        "avg_temperature",
    ]
    assert frame["price_ratio"].tolist() == [0.8, 1.0]
    assert frame["is_promo"].tolist() == [True, False]
    with pytest.raises(ValueError, match="planned_covariates: missing column"):
        planned_covariates_frame(planned.drop(columns=["date"]))


def test_a_closed_store_day_is_censored_so_the_forecast_is_not_dragged_down() -> None:
    """Every series sells 10 a day; the stores were closed two days before the end (a holiday:
    marts.fct_sales_daily's is_store_closed). The 7-day mean skips that day instead of reading
    its zero as demand."""
    units = np.full((10, 70), 10.0)
    units[:, -3] = 0.0
    history, products = make_history(units)
    closed_day = history["sales_date"] == history["sales_date"].max() - pd.Timedelta(days=2)
    settings = replace(FAST, models=("moving_average_7",), backtest_windows=2)

    without = forecast_demand(history, products, settings).forecast
    history["is_store_closed"] = closed_day
    assert build_panel(history, products).censored[:, -3].all()
    with_flag = forecast_demand(history, products, settings).forecast
    assert without["forecast_units"].to_numpy() == pytest.approx(60 / 7)
    assert with_flag["forecast_units"].to_numpy() == pytest.approx(10.0)
