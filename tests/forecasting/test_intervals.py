"""Intervals: residual-calibrated and negative-binomial ones cover near nominal on simulated noise."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from forecasting_helpers import FAST, make_history
from scipy import stats

from python_assets.forecasting.forecast import forecast_demand
from python_assets.forecasting.intervals import (
    CountIntervals,
    ResidualIntervals,
    SeriesGroups,
    _cell_statistics,
    _dispersion,
    count_quantiles,
    resolved_interval_method,
)

# ----------------------------------------------------------------------------- intervals


@pytest.mark.parametrize(
    ("noise", "method"), [("normal", "residual"), ("poisson", "residual"), ("normal", "auto")]
)
def test_interval_coverage_is_near_nominal_on_simulated_noise(noise: str, method: str) -> None:
    """'auto' on fractional units (normal noise) takes the residual intervals: a count
    distribution would cover far more than 80% there."""
    rng = np.random.default_rng(7 if noise == "normal" else 8)
    n_series, n_days = 400, 84
    level = rng.uniform(5, 60, n_series)[:, None]
    if noise == "normal":
        units = np.maximum(level + rng.normal(0, 1, (n_series, n_days)) * 0.2 * level, 0)
    else:
        units = rng.poisson(np.repeat(level, n_days, axis=1)).astype(float)
    history, products = make_history(units)
    settings = replace(
        FAST,
        models=("moving_average_7", "ets"),
        backtest_windows=4,
        forecast_all_models=True,
        interval_method=method,
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


def test_auto_interval_method_is_the_count_distribution_only_for_whole_units() -> None:
    whole = np.array([[0.0, 3.0, np.nan], [12.0, 1.0, 0.0]])
    assert resolved_interval_method("auto", whole) == "negative_binomial"
    assert resolved_interval_method("auto", whole + 0.5) == "residual"
    assert resolved_interval_method("residual", whole) == "residual"
    assert resolved_interval_method("negative_binomial", whole + 0.5) == "negative_binomial"


# ----------------------------------------------------------------------------- metrics


@pytest.mark.parametrize("phi", [0.0, 0.3])
def test_count_intervals_cover_simulated_poisson_and_negative_binomial_totals(phi: float) -> None:
    # dispersion fitted on one sample of forecasts that equal the mean, coverage measured on a
    # fresh one: H-day totals within 3 points of nominal; days at least nominal less 3 points
    # (whole-unit bounds cover at least their probability, often more, at small means)
    rng = np.random.default_rng(7)
    mean = np.repeat(rng.uniform(3, 15, 3000)[:, None], 7, axis=1)

    def draw() -> np.ndarray:
        if phi == 0:
            return rng.poisson(mean).astype(float)
        size = 1 / phi
        return rng.negative_binomial(size, size / (size + mean)).astype(float)

    groups = np.full(len(mean), "smooth", dtype=object)
    store = CountIntervals()
    store.add(draw(), mean, np.ones(mean.shape, dtype=bool), groups)
    intervals = store.intervals(mean, groups, (0.8, 0.95), min_count=30)
    actual = draw()
    total = actual.sum(axis=1)
    for level in (0.8, 0.95):
        lower, upper = intervals.total_bounds[level]
        assert abs(np.mean((total >= lower) & (total <= upper)) - level) <= 0.03, level
        lower, upper = intervals.bounds[level]
        assert np.mean((actual >= lower) & (actual <= upper)) >= level - 0.03, level
    expected_std = np.sqrt(7 * mean[:, 0] * (1 + phi * mean[:, 0]))
    assert np.median(intervals.total_std / expected_std) == pytest.approx(1.0, abs=0.1)


def test_total_dispersion_is_calibrated_down_when_rare_spikes_inflate_the_moments() -> None:
    # Poisson totals with a rare large spike (lumpy orders): the moments estimate of the
    # dispersion follows the spikes and its intervals cover far more than they say; the
    # calibration searches below it, per level
    rng = np.random.default_rng(11)
    mean = np.full((4000, 1), 4.0)

    def draw() -> np.ndarray:
        spikes = np.where(rng.random(mean.shape) < 0.02, 60.0, 0.0)
        return rng.poisson(mean).astype(float) + spikes

    groups = np.full(len(mean), "lumpy", dtype=object)
    store = CountIntervals()
    store.add(draw(), mean, np.ones(mean.shape, dtype=bool), groups)
    moments = _dispersion(store.total_actual[0], store.total_forecast[0])
    intervals = store.intervals(mean, groups, (0.8, 0.95), min_count=30)
    total = draw()[:, 0]
    for level in (0.8, 0.95):
        lower, upper = intervals.total_bounds[level]
        covered = np.mean((total >= lower) & (total <= upper))
        assert level - 0.03 <= covered <= level + 0.05, (level, covered)
    # the moments estimate's 80% interval, for comparison
    wide = [count_quantiles(mean[:, 0], np.full(len(mean), moments), p) for p in (0.1, 0.9)]
    assert np.mean((total >= wide[0]) & (total <= wide[1])) > 0.9


def test_residual_total_bounds_cover_what_they_say_when_the_errors_have_heavy_tails() -> None:
    # fractional units whose 7-day totals miss by a level error with heavy tails (Student t,
    # 3 degrees of freedom) plus daily noise: a normal interval from the totals' std covers far
    # more than 80%; the quantiles of the past totals' errors cover what they say
    rng = np.random.default_rng(5)
    n_series, horizon = 4000, 7
    forecast = np.full((n_series, horizon), 20.0)

    def draw() -> np.ndarray:
        shift = rng.standard_t(3, (n_series, 1))
        return np.maximum(forecast + shift + rng.normal(0, 0.3, forecast.shape), 0.0)

    groups = SeriesGroups(
        np.ones(n_series), np.zeros(n_series, dtype=np.int64), np.full(n_series, "smooth")
    )
    store = ResidualIntervals()
    store.add_groups(draw(), forecast, np.ones(forecast.shape, dtype=bool), groups)
    intervals = store.intervals(forecast, groups, (0.8, 0.95), min_count=30)
    total = draw().sum(axis=1)
    for level in (0.8, 0.95):
        lower, upper = intervals.total_bounds[level]
        assert abs(np.mean((total >= lower) & (total <= upper)) - level) <= 0.03, level
    # the normal interval from the same std, for comparison
    z = stats.norm.ppf(0.9) * intervals.total_std
    point = forecast.sum(axis=1)
    assert np.mean(np.abs(total - point) <= z) > 0.85


def test_residual_intervals_cover_what_they_say_in_each_demand_class_of_a_volume_bin() -> None:
    # one volume bin, two classes: smooth series miss by little, erratic ones by much; errors
    # pooled over the bin would make the first's intervals too wide and the second's too narrow
    rng = np.random.default_rng(9)
    n_series, horizon = 4000, 7
    erratic = np.arange(n_series) % 2 == 1
    forecast = np.full((n_series, horizon), 20.0)
    spread = np.where(erratic, 6.0, 1.0)[:, None]

    def draw() -> np.ndarray:
        return forecast + rng.normal(0, 1, forecast.shape) * spread

    groups = SeriesGroups(
        np.ones(n_series),
        np.zeros(n_series, dtype=np.int64),
        np.where(erratic, "erratic", "smooth").astype(object),
    )
    store = ResidualIntervals()
    store.add_groups(draw(), forecast, np.ones(forecast.shape, dtype=bool), groups)
    intervals = store.intervals(forecast, groups, (0.8,), min_count=30)
    actual = draw()
    total = actual.sum(axis=1)
    for rows in (erratic, ~erratic):
        lower, upper = intervals.total_bounds[0.8]
        covered = (total >= lower) & (total <= upper)
        assert abs(covered[rows].mean() - 0.8) <= 0.03
        lower, upper = intervals.bounds[0.8]
        covered = (actual >= lower) & (actual <= upper)
        assert abs(covered[rows].mean() - 0.8) <= 0.03


def test_cell_statistics_match_numpy_and_fall_back_to_a_coarser_cell() -> None:
    rng = np.random.default_rng(2)
    values = rng.normal(size=205)
    fine = np.repeat([0, 1, 2], [100, 100, 5])  # cell 2 holds too few values
    coarse = np.zeros(205, dtype=np.int64)
    probabilities = [0.1, 0.5, 0.9]
    quantiles, variance, found = _cell_statistics(
        values,
        [fine, coarse],
        [np.array([1, 2, 7]), np.array([0, 0, 3])],  # the third row's cells hold nothing
        probabilities,
        min_count=30,
    )
    assert found.tolist() == [True, True, False]
    np.testing.assert_allclose(quantiles[0], np.quantile(values[fine == 1], probabilities))
    np.testing.assert_allclose(quantiles[1], np.quantile(values, probabilities))
    np.testing.assert_allclose(variance[:2], [np.var(values[fine == 1]), np.var(values)])
    assert np.isnan(quantiles[2]).all() and np.isnan(variance[2])


def test_a_zero_forecast_gets_zero_bounds_and_a_positive_one_does_not() -> None:
    store = CountIntervals()
    forecast = np.array([[0.0] * 7, [2.0] * 7])
    intervals = store.intervals(forecast, np.array(["lumpy", "smooth"]), (0.8,), min_count=30)
    lower, upper = intervals.bounds[0.8]
    assert (upper[0] == 0).all() and (upper[1] >= 3).all() and (lower <= forecast).all()


def test_residual_bounds_hold_the_point_forecast_on_a_day_the_stores_are_closed() -> None:
    """Units sold by weight, every store closed on Sundays: a flat forecast's errors on Sundays
    are all negative, so the residual quantiles alone put both bounds below the forecast. The
    bounds must still hold it (marts.fct_demand_forecast tests lower_95 <= lower_80 <=
    forecast <= upper_80 <= upper_95)."""
    rng = np.random.default_rng(3)
    n_series, n_days = 40, 112
    units = rng.gamma(4.0, 1.5, (n_series, n_days)).round(3)
    units[:, np.arange(n_days) % 7 == 6] = 0.0  # START is a Monday: every Sunday closed
    history, products = make_history(units)
    settings = replace(FAST, models=("moving_average_7",), backtest_windows=4)
    forecast = forecast_demand(history, products, settings).forecast
    sunday = forecast["forecast_date"].dt.day_of_week == 6
    assert sunday.any() and (forecast.loc[sunday, "forecast_units"] > 0).all()
    assert (forecast["lower_95"] <= forecast["lower_80"]).all()
    assert (forecast["lower_80"] <= forecast["forecast_units"]).all()
    assert (forecast["forecast_units"] <= forecast["upper_80"]).all()
    assert (forecast["upper_80"] <= forecast["upper_95"]).all()
