"""Each guardrail fails on a forecast that is always zero and passes on a sound one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from forecasting_helpers import make_history

from python_assets.forecasting.forecast import forecast_demand
from python_assets.forecasting.guardrails import (
    bias_check,
    interval_coverage_check,
    zero_forecast_check,
)
from python_assets.forecasting.settings import ForecastSettings


@pytest.fixture(scope="module")
def steady_history():
    rng = np.random.default_rng(2)
    return make_history(rng.poisson(4.0, (10, 70)).astype(float))


@pytest.mark.parametrize(("model", "passes"), [("zero", False), ("moving_average_28", True)])
def test_guardrails_fail_an_always_zero_forecast_and_pass_a_sound_one(
    steady_history, model: str, passes: bool
) -> None:
    history, products = steady_history
    settings = ForecastSettings(models=(model,), backtest_windows=3)
    result = forecast_demand(history, products, settings)
    bias = bias_check(result.backtest, settings)
    chosen = result.forecast[result.forecast["is_chosen"]]
    zero = zero_forecast_check(chosen, result.demand_classes, settings)
    assert bias.passed is passes and zero.passed is passes
    if not passes:
        assert "class smooth" in bias.description and model in bias.description
        assert "10 of 10 series" in zero.description


def test_the_bias_guardrail_ignores_classes_with_few_units(steady_history) -> None:
    history, products = steady_history
    settings = ForecastSettings(models=("moving_average_28",), backtest_windows=3)
    backtest = forecast_demand(history, products, settings).backtest.copy()
    tiny = backtest[backtest["segment_value"] == "smooth"].assign(
        segment_value="lumpy", actual_units=1.0, wpe_total=-0.9
    )
    combined = pd.concat([backtest, tiny], ignore_index=True)
    assert bias_check(combined, settings).passed
    # the same class holding as many units as the smooth one is checked, and fails
    units = backtest.loc[backtest["segment_value"] == "smooth", "actual_units"].iloc[0]
    assert not bias_check(combined.assign(actual_units=units), settings).passed


@pytest.mark.parametrize(
    ("wpe", "standard_error", "passes"),
    [
        (0.05, 0.0, True),
        (0.25, 0.01, False),  # many series: 25% is beyond 10% + 2%
        (0.25, 0.10, True),  # a few sparse series: within 10% + 20% of sampling error
        (-1.0, 0.20, False),  # a zero forecast fails on any network
    ],
)
def test_the_bias_guardrail_allows_for_the_sampling_error_of_few_series(
    wpe: float, standard_error: float, passes: bool
) -> None:
    backtest = pd.DataFrame(
        {
            "window": 0,
            "segment_type": "demand_class",
            "segment_value": "intermittent",
            "model": ["chosen_per_class", "shrunk_mean", "ets"],
            "is_chosen": [True, True, False],
            "wpe_total": wpe,
            "wpe_total_se": standard_error,
            "actual_units": 900.0,
            "n_series": 120.0,
        }
    )
    outcome = bias_check(backtest, ForecastSettings())
    assert outcome.passed is passes, outcome.description
    if not passes:
        assert "class intermittent (100% of units): shrunk_mean has WPE" in outcome.description
        assert f"+-{2 * standard_error:.1%} for 120 series x windows" in outcome.description


def test_a_history_too_short_to_backtest_still_passes_the_zero_forecast_guardrail() -> None:
    # 3 weeks: no backtest origin. Every series sells every fifth day, 10 of them (two or three
    # in each store) last 9-12 days before the end: a 7-day average would forecast those zero
    # and the guardrail would stop the plan; the fallback is the longest moving average
    units = np.zeros((20, 21))
    for series in range(20):
        step = (series // 2) % 4
        last = 20 - step * 3 if series % 2 else 8 + step
        units[series, last::-5] = 2.0
    history, products = make_history(units)
    settings = ForecastSettings()
    result = forecast_demand(history, products, settings)
    assert result.backtest.empty and result.model_per_class == {}
    chosen = result.forecast[result.forecast["is_chosen"]]
    assert set(chosen["model"]) == {"moving_average_28"}
    outcome = zero_forecast_check(chosen, result.demand_classes, settings)
    assert outcome.passed, outcome.description
    totals = chosen.groupby(["store_id", "product_id"])["forecast_units"].sum()
    assert (totals > 0).all()
    # with only the 7-day average configured the same history trips the guardrail
    only_short = ForecastSettings(models=("moving_average_7",))
    short = forecast_demand(history, products, only_short)
    rows = short.forecast[short.forecast["is_chosen"]]
    assert not zero_forecast_check(rows, short.demand_classes, only_short).passed


@pytest.mark.parametrize(
    ("totals", "days", "series_x_windows", "passes"),
    [
        ((0.80, 0.95), (0.80, 0.95), 10_000, True),
        ((0.80, 1.00), (0.80, 0.95), 10_000, False),  # totals far too wide at 95%
        ((0.60, 0.95), (0.80, 0.95), 10_000, False),  # totals far too narrow at 80%
        ((0.80, 0.95), (1.00, 1.00), 10_000, True),  # days of slow sellers: whole units cover
        ((0.80, 0.95), (0.60, 0.95), 10_000, False),  # days far too narrow at 80%
        ((0.80, 1.00), (0.80, 0.95), 16, True),  # 4 series x 4 windows: +-0.109 at 95%
        ((0.40, 0.95), (0.80, 0.95), 16, False),  # beyond it (+-0.2 at 80%)
    ],
)
def test_the_coverage_check_bounds_totals_both_ways_and_days_from_below_within_sampling_error(
    totals: tuple[float, float], days: tuple[float, float], series_x_windows: int, passes: bool
) -> None:
    backtest = pd.DataFrame(
        {
            "window": [0],
            "segment_type": ["all"],
            "model": ["chosen_per_class"],
            "coverage_total_80": [totals[0]],
            "coverage_total_95": [totals[1]],
            "coverage_80": [days[0]],
            "coverage_95": [days[1]],
            "n_series": [float(series_x_windows)],
        }
    )
    outcome = interval_coverage_check(backtest, "chosen_per_class", ForecastSettings())
    assert outcome.passed is passes, outcome.description
    if not passes:
        assert f"{series_x_windows:,} series x windows" in outcome.description
