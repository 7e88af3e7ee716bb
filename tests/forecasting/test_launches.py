"""Launches forecast from the curve the network's past launches followed: the curve against
hand-computed ratios, and a fresh launch with a first-day spike on a network whose launches fade."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from forecasting_helpers import FAST, START

from python_assets.forecasting.forecast import forecast_demand, predict_forecast
from python_assets.forecasting.launches import LAUNCH_CURVE, LaunchCurves, launch_curve
from python_assets.forecasting.models import ModelRunner
from python_assets.forecasting.panel import build_panel
from python_assets.forecasting.settings import ForecastSettings
from python_assets.optimization.parallel import in_partition, partition_keys

nan = np.nan


def test_launch_curve_against_hand_computed_ratios() -> None:
    demand = np.array(
        [
            [nan, nan, 10, 4, 2, 2, 2, 2, 2, 2, 2, 2],  # launched on day 2
            [nan, nan, nan, 20, 10, nan, 4, 4, 4, 4, 4, 4],  # day 3, day 5 censored
            [5.0] * 12,  # established
            [nan] * 10 + [30.0, 30.0],  # launched after the origin's last usable day
        ]
    )
    first_sale = np.array([2, 3, 0, 10])
    launched = np.array([True, True, False, True])
    curve = launch_curve(demand, first_sale, launched, 9, 2, 2, min_launches=2)
    assert curve.shape == (3, 2)
    # age 1: base = the first day (10, 20); step 1 = days 3 and 4 (4 + 10); step 2 has one
    # launch only (the other's day is censored): too few
    np.testing.assert_allclose(curve[1], [14 / 30, nan])
    # age 2: base = the mean of the first two days (7, 15); step 1 has one launch only; step 2 =
    # days 5 and 6 (2 + 4)
    np.testing.assert_allclose(curve[2], [nan, 6 / 22])
    assert np.isnan(curve[0]).all()


def fading_launches(n_launches: int = 30, days: int = 120, seed: int = 0) -> pd.DataFrame:
    """A mart-shaped history: established series, and products launched over the history (no
    rows before) whose first day sells ten times their level, fading over a few days; the last
    launch is two days before the end."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(START, periods=days, freq="D")
    frames = []
    launch_days = [*np.linspace(20, days - 20, n_launches - 1).astype(int), days - 3]
    for j, first in enumerate([0] * 10 + launch_days):
        age = np.arange(days) - first
        lift = 1 + 9 * np.exp(-np.maximum(age, 0) / 3)
        units = rng.poisson(10.0 * lift).astype(float)
        keep = age >= 0
        frames.append(
            pd.DataFrame(
                {
                    "store_id": "S0",
                    "product_id": f"P{j:02d}",
                    "sales_date": dates[keep],
                    "units_sold": units[keep],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_a_fresh_launch_takes_the_curve_of_past_launches_from_every_model_but_the_baselines() -> (
    None
):
    panel = build_panel(fading_launches())
    origin = panel.n_days - 1
    fresh = int(np.flatnonzero(panel.product_id == "P39")[0])
    own_days = panel.units_sold[fresh, -3:]
    runner = ModelRunner(panel, ForecastSettings(), ())
    # its three days sell about 10 x (10, 7.2, 5.3): the next seven sell about 10 x 2.4 a day
    curve_forecast = runner.run("shrunk_mean", origin, None)[fresh]
    assert curve_forecast.sum() < 0.45 * own_days.mean() * 7
    assert curve_forecast[0] > curve_forecast[-1]  # still fading
    np.testing.assert_allclose(runner.run("tsb", origin, None)[fresh], curve_forecast)
    baseline = runner.run("moving_average_7", origin, None)[fresh]
    np.testing.assert_allclose(baseline, own_days.mean())
    # only launches younger than 28 days take the curve; the others keep their model's forecast
    young, _ = runner.launches.at(origin)
    ages = origin - np.argmax(np.isfinite(panel.units_sold[young]), axis=1) + 1
    assert fresh in young and ages.max() < 28
    off = ModelRunner(panel, ForecastSettings(launch_curve_min_launches=None), ())
    np.testing.assert_array_equal(
        np.delete(off.run("shrunk_mean", origin, None), young, axis=0),
        np.delete(runner.run("shrunk_mean", origin, None), young, axis=0),
    )
    assert off.run("shrunk_mean", origin, None)[fresh].sum() > 2 * curve_forecast.sum()
    # a partition of the series gets the values the whole panel gives it
    rows = np.array([3, fresh])
    part = LaunchCurves(panel, 7, 28, 10, rows)
    which, values = part.at(origin)
    np.testing.assert_array_equal(which, [1])
    np.testing.assert_allclose(values[0], curve_forecast)


def test_the_final_forecast_of_a_launch_takes_the_curve_in_every_product_partition() -> None:
    """Through forecast_demand: the fresh launch's chosen forecast is the curve's, and a product
    partition predicted on its own gets the values of the whole forecast (the curve is learned
    from every partition's launches)."""
    history = fading_launches()
    settings = replace(FAST, models=("moving_average_7", "shrunk_mean"), forecast_all_models=True)
    result = forecast_demand(history, None, settings)
    panel = build_panel(history)
    fresh = result.forecast[(result.forecast["product_id"] == "P39") & result.forecast["is_chosen"]]
    own_mean = panel.units_sold[panel.product_id == "P39", -3:].mean()
    assert fresh["forecast_units"].sum() < 0.45 * own_mean * 7
    # the chosen rows name what made them: the launch curve for the fresh launch, the class's
    # model for the established products (P00-P09); every model's own rows keep its name
    chosen = result.forecast[result.forecast["is_chosen"]]
    assert set(fresh["model"]) == {LAUNCH_CURVE}
    established = chosen["product_id"] < "P10"
    assert established.any() and LAUNCH_CURVE not in set(chosen.loc[established, "model"])
    assert LAUNCH_CURVE not in set(result.forecast.loc[~result.forecast["is_chosen"], "model"])
    order = ["store_id", "product_id", "model", "is_chosen", "forecast_date"]
    parts = []
    for key in partition_keys(2):
        rows = np.flatnonzero(in_partition(pd.Series(panel.product_id), key))
        assert 0 < len(rows) < panel.n_series
        parts.append(predict_forecast(panel, result.fitted, {}, rows=rows))
    union = pd.concat(parts).sort_values(order, ignore_index=True)
    pd.testing.assert_frame_equal(union, result.forecast.sort_values(order, ignore_index=True))


def test_without_a_launch_curve_a_spike_in_one_store_stays_out_of_the_launchs_other_stores() -> (
    None
):
    # a product launched in two stores two days before the end, 700 units on its first day in
    # one; the network has no earlier launch, so no curve, and the shrunk mean forecasts both
    rng = np.random.default_rng(1)
    dates = pd.date_range(START, periods=60, freq="D")
    frames = [
        pd.DataFrame(
            {
                "store_id": store,
                "product_id": product,
                "sales_date": dates,
                "units_sold": rng.poisson(5.0, 60).astype(float),
            }
        )
        for store in ("S1", "S2")
        for product in ("P1", "P2")
    ]
    for store, units in (("S1", [700.0, 40.0, 30.0]), ("S2", [50.0, 10.0, 8.0])):
        frames.append(
            pd.DataFrame(
                {
                    "store_id": store,
                    "product_id": "NEW",
                    "sales_date": dates[-3:],
                    "units_sold": units,
                }
            )
        )
    panel = build_panel(pd.concat(frames, ignore_index=True))
    runner = ModelRunner(panel, ForecastSettings(), ())
    origin = panel.n_days - 1
    forecast = runner.run("shrunk_mean", origin, None)
    quiet = int(np.flatnonzero((panel.product_id == "NEW") & (panel.store_id == "S2"))[0])
    np.testing.assert_allclose(forecast[quiet], 68 / 3)  # its own mean, not the product's 140
