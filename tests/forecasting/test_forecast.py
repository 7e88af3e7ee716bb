"""The forecast end to end on tiny synthetic frames: known answers (constant, weekly, censored
series), progress, result layout with future covariates, settings, and a smoke run on
FreshRetailNet-50K where the file is present."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from forecasting_helpers import FAST, FRN_PATH, START, final_forecast, make_history

from python_assets.forecasting.benchmark_data import load_frn_history
from python_assets.forecasting.forecast import forecast_demand, predict_forecast
from python_assets.forecasting.panel import build_panel, future_covariate_arrays
from python_assets.forecasting.settings import ForecastSettings
from python_assets.optimization.parallel import in_partition, partition_keys

# ----------------------------------------------------------------------------- known answers


def test_constant_series_forecasts_the_constant_with_narrow_intervals() -> None:
    history, products = make_history(np.full((10, 63), 5.0))
    result = forecast_demand(history, products, replace(FAST, forecast_all_models=True))

    for model in FAST.models:
        np.testing.assert_allclose(final_forecast(result, model), 5.0, atol=1e-6, err_msg=model)
    chosen = result.forecast[result.forecast["is_chosen"]]
    assert (chosen["upper_95"] - chosen["lower_95"]).max() < 1e-6
    assert chosen["demand_std_horizon"].max() < 1e-6
    all_rows = result.backtest[result.backtest["segment_type"] == "all"]
    assert all_rows["wape"].max() < 1e-6
    assert all_rows["coverage_80"].min() == 1.0


def test_weekly_pattern_is_reproduced_by_seasonal_naive_and_the_chosen_model() -> None:
    pattern = np.array([2.0, 4.0, 6.0, 8.0, 10.0, 14.0, 12.0])
    multipliers = np.linspace(1.0, 3.0, 10)[:, None]
    units = multipliers * np.tile(pattern, 9)[None, :]  # 63 days from a Monday
    history, products = make_history(units)
    result = forecast_demand(history, products, replace(FAST, forecast_all_models=True))

    expected = multipliers * pattern[None, :]  # the next 7 days start on a Monday again
    np.testing.assert_allclose(final_forecast(result, "seasonal_naive"), expected, atol=1e-9)
    np.testing.assert_allclose(final_forecast(result), expected, rtol=0.02, atol=0.05)
    moving_average = final_forecast(result, "moving_average_7")
    np.testing.assert_allclose(moving_average, multipliers * pattern.mean() * np.ones(7))
    assert "moving_average_7" not in result.model_per_class.values()


def test_backtest_forecasts_hold_the_chosen_forecast_at_every_scored_origin() -> None:
    pattern = np.array([2.0, 4.0, 6.0, 8.0, 10.0, 14.0, 12.0])
    units = np.linspace(1.0, 3.0, 6)[:, None] * np.tile(pattern, 9)[None, :]
    history, products = make_history(units)
    result = forecast_demand(history, products, FAST)
    totals = result.backtest_forecasts
    origins = sorted(str(d.date()) for d in totals["origin_date"].unique())
    assert origins == result.diagnostics["scored_origins"]
    assert len(totals) == len(origins) * 6
    assert (totals["horizon_days"] == FAST.horizon).all()
    # each series' H-day total is its class's chosen model's forecast at that origin
    predictions = result.backtest_predictions
    for row in totals.itertuples():
        rows = predictions[
            (predictions["model"] == row.model)
            & (predictions["origin_date"] == row.origin_date)
            & (predictions["store_id"] == row.store_id)
            & (predictions["product_id"] == row.product_id)
        ]
        assert row.model == result.model_per_class.get(row.demand_class, row.model)
        assert row.forecast_units == pytest.approx(rows["forecast"].sum())


def test_censored_days_do_not_pull_the_forecast_down() -> None:
    rng = np.random.default_rng(3)
    n_series, n_days = 20, 63
    demand = np.full((n_series, n_days), 10.0)
    censored = rng.random((n_series, n_days)) < 0.4
    hours = np.where(censored, 12.0, 0.0)
    sales = np.where(censored, 4.0, demand)  # a stockout at midday: sales stop at 4
    history, products = make_history(sales, hours)
    aware = forecast_demand(history, products, replace(FAST, forecast_all_models=True))
    raw = forecast_demand(
        history,
        products,
        replace(FAST, statistical_signal="units_sold", models=("moving_average_7",)),
    )

    raw_level = final_forecast(raw).mean()
    assert raw_level < 8.0  # trained on raw sales, the 40% censored days drag it down
    for model in FAST.models:
        forecast = final_forecast(aware, model)
        assert forecast.mean() == pytest.approx(10.0, rel=0.03), model
        # seasonal naive may fall back to the latent estimate when a weekday was censored four
        # weeks running; never to the censored sales
        assert forecast.min() > raw_level, model
    # and the backtest scores only uncensored days, where sales are the demand
    predictions = aware.backtest_predictions
    scored = predictions[predictions["is_scored"]]
    assert (scored["actual"] == 10.0).all()


def test_progress_reports_every_window_and_model_then_the_final_forecast() -> None:
    units = np.random.default_rng(5).poisson(6.0, (4, 56)).astype(float)
    history, products = make_history(units)
    settings = replace(FAST, models=("seasonal_naive", "moving_average_7"), backtest_windows=2)
    lines: list[str] = []
    forecast_demand(history, products, settings, progress=lines.append)

    windows = settings.calibration_windows + settings.backtest_windows
    assert len(lines) == windows * len(settings.models) + 1
    assert lines[0].startswith(f"forecast: backtest window 1/{windows} (origin ")
    assert "seasonal_naive done (4 series," in lines[0]
    # the calibration windows say they are not scored (the summary counts the scored ones)
    calibrating = settings.calibration_windows * len(settings.models)
    assert all("calibrates the intervals, not scored)" in line for line in lines[:calibrating])
    assert all("scored)" in line and "not" not in line for line in lines[calibrating:-1])
    assert lines[-1].startswith("forecast: chose ") and "final forecast of 7 days" in lines[-1]


def test_result_layout_and_future_covariates() -> None:
    rng = np.random.default_rng(2)
    n_series, n_days = 30, 63
    promo = rng.random((n_series, n_days + 7)) < 0.3
    units = rng.poisson(np.where(promo, 30.0, 10.0))[:, :n_days].astype(float)
    history, products = make_history(units)
    history["is_promo"] = promo[:, :n_days].reshape(-1)
    history["price_ratio"] = np.where(promo[:, :n_days], 0.7, 1.0).reshape(-1)
    future_dates = pd.date_range(START + pd.Timedelta(days=n_days), periods=7, freq="D")
    keys = history.drop_duplicates(["store_id", "product_id"])[["store_id", "product_id"]]
    future = keys.merge(pd.DataFrame({"forecast_date": future_dates}), how="cross")
    future_promo = np.zeros((n_series, 7), dtype=bool)
    future_promo[:, 2] = True
    future["is_promo"] = future_promo.reshape(-1)
    future["price_ratio"] = np.where(future_promo, 0.7, 1.0).reshape(-1)

    settings = replace(FAST, models=("moving_average_7", "gradient_boosting"))
    result = forecast_demand(history, products, settings, future_covariates=future)
    assert list(result.forecast.columns) == [
        "store_id",
        "product_id",
        "forecast_date",
        "origin_date",
        "model",
        "forecast_units",
        "lower_80",
        "upper_80",
        "lower_95",
        "upper_95",
        "lower_total_80",
        "upper_total_80",
        "lower_total_95",
        "upper_total_95",
        "demand_std_horizon",
        "is_chosen",
    ]
    assert len(result.forecast) == n_series * 7
    # it alone can see the promotions
    assert set(result.model_per_class.values()) == {"gradient_boosting"}
    forecast = final_forecast(result)
    assert forecast[:, 2].mean() > 1.8 * np.delete(forecast, 2, axis=1).mean()
    assert result.diagnostics["future_covariates_used"] == ["is_promo", "price_ratio"]
    assert (result.forecast["lower_80"] <= result.forecast["upper_80"]).all()
    assert (result.forecast["lower_95"] <= result.forecast["lower_80"] + 1e-9).all()
    # the H-day total's bounds: one pair per series, around the series' total forecast
    series = result.forecast.groupby(["store_id", "product_id"])
    names = ["lower_total_95", "lower_total_80", "upper_total_80", "upper_total_95"]
    assert (series[names].nunique() == 1).all().all()
    bounds = series[names].first()
    bounds.insert(2, "total", series["forecast_units"].sum())
    assert (bounds.diff(axis=1).iloc[:, 1:] >= -1e-9).all().all()  # ordered, total inside
    assert (bounds["upper_total_95"] > bounds["lower_total_95"]).any()
    assert set(result.backtest["segment_value"][result.backtest["segment_type"] == "category"]) == {
        "fruit",
        "veg",
        "dairy",
    }


def test_settings_reject_nonsense() -> None:
    with pytest.raises(ValueError, match="unknown model"):
        ForecastSettings(models=("prophet",))
    with pytest.raises(ValueError, match="horizon"):
        ForecastSettings(horizon=0)
    with pytest.raises(ValueError, match="interval levels"):
        ForecastSettings(interval_levels=(80.0,))
    with pytest.raises(ValueError, match="duplicate"):
        history, products = make_history(np.ones((1, 30)))
        forecast_demand(pd.concat([history, history.iloc[[0]]]), products)


# ----------------------------------------------------------------------------- real data


@pytest.mark.skipif(
    not FRN_PATH.exists(),
    reason=f"FreshRetailNet-50K not found at {FRN_PATH} (set FRN_PATH); the real-data smoke test "
    "needs it",
)
def test_freshretailnet_sample_runs_and_beats_the_moving_average() -> None:
    history, products = load_frn_history(FRN_PATH, n_series=400)
    assert history.groupby(["store_id", "product_id"]).ngroups == 400
    result = forecast_demand(history, products, replace(FAST, backtest_windows=2))
    pooled = result.backtest[
        (result.backtest["window"] == 0) & (result.backtest["segment_type"] == FRN_SEGMENT)
    ].set_index("model")
    assert pooled.loc[result.chosen_model, "wape"] <= pooled.loc["moving_average_7", "wape"]
    assert 0.6 < pooled.loc[result.chosen_model, "coverage_80"] < 0.95
    assert result.forecast["forecast_units"].notna().all()
    assert result.forecast["forecast_date"].min() == pd.Timestamp("2024-06-19")


FRN_SEGMENT = "frn_benchmark"


def test_a_series_selling_every_day_never_gets_a_zero_interval() -> None:
    # even from a model that forecasts zero, the interval of a series with a sale on each of the
    # last 28 days reaches at least one unit
    units = np.vstack([np.full(70, 1.0), np.zeros(70)])
    history, products = make_history(units)
    result = forecast_demand(history, products, ForecastSettings(models=("zero",)))
    chosen = result.forecast[result.forecast["is_chosen"]].set_index("product_id")
    assert (chosen.loc["P0", "upper_80"] >= 1).all() and (chosen.loc["P0", "upper_95"] >= 1).all()
    assert (chosen.loc["P1", "upper_95"] == 0).all()


# ----------------------------------------------------------------------------- product partitions


def test_the_product_partitions_of_the_final_forecast_add_up_to_the_forecast_of_every_series() -> (
    None
):
    # every model, a launch, a dying series, counts and promotions known in advance: each
    # partition's rows carry exactly the values of the forecast of every series
    rng = np.random.default_rng(5)
    n_series, n_days = 40, 112
    promo = rng.random((n_series, n_days + 7)) < 0.2
    rate = rng.gamma(1.0, 3.0, (n_series, 1)) * np.where(promo, 2.0, 1.0)
    units = rng.poisson(rate)[:, :n_days].astype(float)
    units[3, :-10] = 0  # launched ten days before the end
    units[8, -40:] = 0  # no sale in the last 40 days
    units[12] = rng.poisson(0.2, n_days)  # intermittent
    history, products = make_history(units)
    products = pd.concat(
        [products.assign(product_id=lambda p, k=k: p.product_id + f"_{k}") for k in range(2)]
    )
    history["product_id"] += np.where(np.arange(len(history)) // n_days % 2 == 0, "_0", "_1")
    history["is_promo"] = promo[:, :n_days].reshape(-1)
    keys = history.drop_duplicates(["store_id", "product_id"])[["store_id", "product_id"]]
    future = keys.merge(
        pd.DataFrame({"forecast_date": pd.date_range(history.sales_date.max(), periods=8)[1:]}),
        how="cross",
    )
    future["is_promo"] = promo[:, n_days:].reshape(-1)
    settings = replace(FAST, models=ForecastSettings().models, forecast_all_models=True)

    result = forecast_demand(history, products, settings, future_covariates=future)
    assert result.fitted.gradient_boosting is not None
    panel = build_panel(history, products)
    arrays = future_covariate_arrays(panel, future, settings.horizon)
    order = ["store_id", "product_id", "model", "is_chosen", "forecast_date"]
    parts = []
    for key in partition_keys(2):
        rows = np.flatnonzero(in_partition(pd.Series(panel.product_id), key))
        assert 0 < len(rows) < n_series
        parts.append(predict_forecast(panel, result.fitted, arrays, rows=rows))
    union = pd.concat(parts).sort_values(order, ignore_index=True)
    whole = result.forecast.sort_values(order, ignore_index=True)
    assert set(whole["model"]) == set(settings.models)
    pd.testing.assert_frame_equal(union, whole)
    # a partition without products (a network smaller than the partitions) is empty, not an error
    empty = predict_forecast(panel, result.fitted, arrays, rows=np.array([], dtype=np.int64))
    pd.testing.assert_frame_equal(empty, whole.iloc[:0], check_index_type=False)

    # a partition predicted on a history other than the one the models were fitted on fails
    later = build_panel(history[history.sales_date < history.sales_date.max()], products)
    with pytest.raises(ValueError, match="materialise forecasting/forecast_backtest"):
        predict_forecast(later, result.fitted, arrays, rows=rows)
