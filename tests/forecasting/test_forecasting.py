"""Demand forecasting: known answers on tiny synthetic frames (constant, weekly, censored series),
no look-ahead, interval coverage on simulated noise, hand-checked metrics, and a smoke run on
FreshRetailNet-50K where the file is present."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from python_assets.forecasting.benchmark_data import load_frn_history, synthetic_history
from python_assets.forecasting.forecast import (
    ForecastResult,
    ForecastSettings,
    accuracy_metrics,
    backtest_origins,
    estimate_latent_demand,
    forecast_demand,
    frn_daily_metrics,
    seasonal_naive_mae,
)
from python_assets.forecasting.gbm import GradientBoostingSettings
from python_assets.forecasting.statistical import (
    holt_winters_forecast,
    holt_winters_states,
    moving_average_forecast,
    seasonal_naive_forecast,
)

FRN_PATH = Path(
    os.environ.get("FRN_PATH")
    or Path(__file__).resolve().parents[2].parent / "shared/data/freshretailnet50k/train.parquet"
)
# Small, fast gradient boosting for tests: the behaviour under test does not need a big model.
FAST = ForecastSettings(
    gradient_boosting=GradientBoostingSettings(
        max_iter=40, max_train_rows=20_000, min_samples_leaf=20, train_origins=21, n_models=1
    )
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
    frame = result.forecast
    if model is not None:
        frame = frame[frame["model"] == model]
    ordered = frame.sort_values(["store_id", "product_id", "forecast_date"])
    n_days = ordered["forecast_date"].nunique()
    return ordered["forecast_units"].to_numpy().reshape(-1, n_days)


# ----------------------------------------------------------------------------- known answers


def test_constant_series_forecasts_the_constant_with_narrow_intervals() -> None:
    history, products = make_history(np.full((10, 63), 5.0))
    result = forecast_demand(history, products, replace(FAST, forecast_all_models=True))

    for model in FAST.models:
        np.testing.assert_allclose(final_forecast(result, model), 5.0, atol=1e-6, err_msg=model)
    chosen = result.forecast[result.forecast["model"] == result.chosen_model]
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
    np.testing.assert_allclose(
        final_forecast(result, result.chosen_model), expected, rtol=0.02, atol=0.05
    )
    moving_average = final_forecast(result, "moving_average_7")
    np.testing.assert_allclose(moving_average, multipliers * pattern.mean() * np.ones(7))
    assert result.chosen_model != "moving_average_7"


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


def test_moving_average_and_seasonal_naive_skip_unknown_days() -> None:
    signal = np.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, np.nan, 10.0, 11.0, 12.0, 13.0]])
    fallback = np.full_like(signal, 99.0)
    origin = 12
    moving = moving_average_forecast(signal, fallback, origin, horizon=3, window=7)
    np.testing.assert_allclose(moving, np.mean([7, 8, 10, 11, 12, 13]))
    naive = seasonal_naive_forecast(signal, fallback, origin, horizon=3)
    # day 13 <- day 6 (7.0); day 14 <- day 7 (8.0); day 15 <- day 8 unknown -> day 1 (2.0)
    np.testing.assert_allclose(naive, [[7.0, 8.0, 2.0]])


# ----------------------------------------------------------------------------- no look-ahead


def test_forecasts_at_an_origin_do_not_change_when_later_data_changes() -> None:
    history, products = synthetic_history(n_series=40, n_days=63, seed=5)
    settings = replace(FAST, backtest_windows=2)
    dates = pd.to_datetime(history["sales_date"])
    n_days = dates.nunique()
    _, scored = backtest_origins(n_days, settings)
    origin_date = dates.min() + pd.Timedelta(days=scored[0])

    later = dates > origin_date
    rng = np.random.default_rng(11)
    changed = history.copy()
    changed.loc[later, "units_sold"] = rng.poisson(30, later.sum()).astype(float)
    changed.loc[later, "stockout_hours"] = rng.integers(0, 20, later.sum()).astype(float)
    changed["is_stockout_censored"] = changed["stockout_hours"] > 0
    changed["stockout_hours_6_22"] = changed["stockout_hours"]
    changed.loc[later, "is_promo"] = ~changed.loc[later, "is_promo"]
    changed["latent_demand_units"] = estimate_latent_demand(changed).to_numpy()

    first = forecast_demand(history, products, settings).backtest_predictions
    second = forecast_demand(changed, products, settings).backtest_predictions
    columns = ["forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
    for model in settings.models:
        a = first[(first["window"] == 1) & (first["model"] == model)]
        b = second[(second["window"] == 1) & (second["model"] == model)]
        assert len(a) == 40 * 7
        np.testing.assert_array_equal(a[columns].to_numpy(), b[columns].to_numpy(), model)
    # the later window does see the change
    a = first[(first["window"] == 2) & (first["model"] == "moving_average_7")]
    b = second[(second["window"] == 2) & (second["model"] == "moving_average_7")]
    assert not np.allclose(a["forecast"].to_numpy(), b["forecast"].to_numpy())


def test_backtest_origins_end_on_the_last_day_and_respect_min_history() -> None:
    calibration, scored = backtest_origins(83, ForecastSettings())
    assert scored == [54, 61, 68, 75]
    assert calibration == [47]
    assert scored[-1] + 7 == 82  # the last window ends on the last day (index 82)
    assert backtest_origins(40, ForecastSettings()) == ([], [32])
    assert backtest_origins(47, ForecastSettings()) == ([32], [39])
    assert backtest_origins(20, ForecastSettings()) == ([], [])


# ----------------------------------------------------------------------------- intervals


@pytest.mark.parametrize("noise", ["normal", "poisson"])
def test_interval_coverage_is_near_nominal_on_simulated_noise(noise: str) -> None:
    rng = np.random.default_rng(7 if noise == "normal" else 8)
    n_series, n_days = 400, 84
    level = rng.uniform(5, 60, n_series)[:, None]
    if noise == "normal":
        units = np.maximum(level + rng.normal(0, 1, (n_series, n_days)) * 0.2 * level, 0)
    else:
        units = rng.poisson(np.repeat(level, n_days, axis=1)).astype(float)
    history, products = make_history(units)
    settings = replace(
        FAST, models=("moving_average_7", "ets"), backtest_windows=4, forecast_all_models=True
    )
    result = forecast_demand(history, products, settings)

    pooled = result.backtest[
        (result.backtest["window"] == 0) & (result.backtest["segment_type"] == "all")
    ].set_index("model")
    for model in settings.models:
        assert abs(pooled.loc[model, "coverage_80"] - 0.80) < 0.04, model
        assert abs(pooled.loc[model, "coverage_95"] - 0.95) < 0.03, model
    # std of the 7-day total's forecast error for the moving average: 7 days of noise (7 s^2)
    # plus the error of the 7-day mean carried over 7 days (49 s^2 / 7) -> sqrt(14) s
    ma = result.forecast[result.forecast["model"] == "moving_average_7"]
    std = ma.groupby(["store_id", "product_id"])["demand_std_horizon"].first().to_numpy()
    daily = 0.2 * level[:, 0] if noise == "normal" else np.sqrt(level[:, 0])
    assert np.median(std / (np.sqrt(14) * daily)) == pytest.approx(1.0, abs=0.15)


# ----------------------------------------------------------------------------- metrics


def test_accuracy_metrics_on_a_hand_checked_example() -> None:
    actual = np.array([2.0, 4.0, 0.0, 6.0])
    forecast = np.array([3.0, 3.0, 1.0, 6.0])
    scale = np.array([2.0, 2.0, 1.0, 1.0])
    bounds = {0.8: (np.array([2.5, 3.0, 0.0, 5.0]), np.array([3.5, 5.0, 2.0, 7.0]))}
    metrics = accuracy_metrics(actual, forecast, scale, bounds)
    assert metrics["wape"] == pytest.approx(3 / 12)
    assert metrics["wpe"] == pytest.approx(1 / 12)
    assert metrics["mape"] == pytest.approx((1 / 2 + 1 / 4 + 0) / 3)
    assert metrics["mase"] == pytest.approx((1 / 2 + 1 / 2 + 1 + 0) / 4)
    assert metrics["coverage_80"] == pytest.approx(3 / 4)
    assert np.isnan(accuracy_metrics(np.zeros(2), np.ones(2))["mape"])
    assert np.isnan(accuracy_metrics(np.zeros(2), np.ones(2))["wape"])

    day = np.array([1, 1, 2, 2])
    # day 1: |1|+|1| / 6, bias 0; day 2: |1|+0 / 6, bias +1/6
    frn = frn_daily_metrics(actual, forecast, day)
    assert frn["wape"] == pytest.approx((2 / 6 + 1 / 6) / 2)
    assert frn["wpe"] == pytest.approx((0 + 1 / 6) / 2)

    signal = np.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 3.0, 2.0, np.nan]])
    # |3-1|, |2-2|, (unknown pair skipped)
    np.testing.assert_allclose(seasonal_naive_mae(signal, origin=9), [1.0])


def test_backtest_table_matches_hand_computation_on_a_trend() -> None:
    units = np.tile(np.arange(1.0, 50.0), (1, 1))  # y_t = t + 1 over 49 days
    history, products = make_history(units)
    settings = ForecastSettings(models=("moving_average_7",), backtest_windows=2)
    result = forecast_demand(history, products, settings)
    table = result.backtest
    # last window: origin day index 41 (value 42); MA7 = mean(36..42) = 39, actuals 43..49
    row = table[(table["window"] == 2) & (table["segment_type"] == "all")].iloc[0]
    actual = np.arange(43.0, 50.0)
    assert row["wape"] == pytest.approx(np.abs(39 - actual).sum() / actual.sum())
    assert row["wpe"] == pytest.approx((39 - actual).sum() / actual.sum())
    assert row["mase"] == pytest.approx(np.mean(np.abs(39 - actual)) / 7)  # in-sample lag-7 MAE = 7
    assert row["n_rows"] == 7
    frn = table[(table["window"] == 2) & (table["segment_type"] == "frn_benchmark")].iloc[0]
    assert frn["wape"] == pytest.approx(np.mean(np.abs(39 - actual) / actual))
    segments = set(table["segment_type"])
    assert segments == {"all", "frn_benchmark", "category", "volume_band"}
    assert result.chosen_model == "moving_average_7"


# ----------------------------------------------------------------------------- ETS, latent demand


def test_vectorised_holt_winters_matches_statsmodels() -> None:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    rng = np.random.default_rng(0)
    y = 20 + 5 * np.sin(np.arange(56) * 2 * np.pi / 7) + rng.normal(0, 1, 56) + 0.05 * np.arange(56)
    level0, trend0 = 20.0, 0.0
    seasonal0 = 5 * np.sin(np.arange(7) * 2 * np.pi / 7)
    alpha, beta, gamma, phi = 0.3, 0.05, 0.2, 0.9
    reference = ExponentialSmoothing(
        y,
        trend="add",
        damped_trend=True,
        seasonal="add",
        seasonal_periods=7,
        initialization_method="known",
        initial_level=level0,
        initial_trend=trend0,
        initial_seasonal=seasonal0,
    ).fit(
        smoothing_level=alpha,
        smoothing_trend=beta,
        smoothing_seasonal=gamma,
        damping_trend=phi,
        optimized=False,
    )
    one = np.ones(1)
    level, trend, seasonal, _ = holt_winters_states(
        y[None, :], len(y) - 1, alpha * one, beta * one, gamma * one, phi * one,
        level0 * one, seasonal0[None, :],
    )  # fmt: skip
    ours = holt_winters_forecast(level, trend, seasonal, phi * one, len(y) - 1, 10)[0]
    assert level[0] == pytest.approx(reference.level[-1])
    assert trend[0] == pytest.approx(reference.trend[-1])
    np.testing.assert_allclose(seasonal[0], reference.season[-7:])  # 56 days: slot = day order
    # Hyndman's forecast l_T + (phi + .. + phi^h) b_T + s_{T+h-m(k+1)} from statsmodels' own
    # states. statsmodels' forecast() itself agrees except at h = m, where releases before the
    # fix of statsmodels issue #9538 use the season of T - m instead of T.
    steps = np.arange(1, 11)
    textbook = (
        reference.level[-1]
        + np.cumsum(phi**steps) * reference.trend[-1]
        + reference.season[len(y) - 1 + steps - 7 * ((steps - 1) // 7 + 1)]
    )
    np.testing.assert_allclose(ours, textbook, rtol=1e-9)
    not_season_multiple = steps % 7 != 0
    np.testing.assert_allclose(
        ours[not_season_multiple], reference.forecast(10)[not_season_multiple], rtol=1e-9
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


# ----------------------------------------------------------------------------- shapes, settings


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
        "demand_std_horizon",
    ]
    assert len(result.forecast) == n_series * 7
    assert result.chosen_model == "gradient_boosting"  # it alone can see the promotions
    forecast = final_forecast(result)
    assert forecast[:, 2].mean() > 1.8 * np.delete(forecast, 2, axis=1).mean()
    assert result.diagnostics["future_covariates_used"] == ["is_promo", "price_ratio"]
    assert (result.forecast["lower_80"] <= result.forecast["upper_80"]).all()
    assert (result.forecast["lower_95"] <= result.forecast["lower_80"] + 1e-9).all()
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
