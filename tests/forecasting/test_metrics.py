"""Accuracy metrics on hand-checked examples."""

from __future__ import annotations

import numpy as np
import pytest

from python_assets.forecasting.metrics import (
    accuracy_metrics,
    frn_daily_metrics,
    seasonal_naive_mae,
    total_metrics,
)


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


def test_the_standard_error_of_the_totals_bias_by_hand() -> None:
    # two series of two days: totals 3 -> 4 (error +1) and 6 -> 3 (error -3), 9 units sold
    actual, forecast = np.array([1.0, 2.0, 3.0, 3.0]), np.array([2.0, 2.0, 2.0, 1.0])
    scores = total_metrics(actual, forecast, np.array([0, 0, 1, 1]))
    assert scores["wpe_total"] == pytest.approx(-2 / 9)
    # std of the errors (ddof 1) = sqrt(8); sqrt(2) x sqrt(8) = 4
    assert scores["wpe_total_se"] == pytest.approx(4 / 9)
    one = total_metrics(actual[:2], forecast[:2], np.array([0, 0]))
    assert np.isnan(one["wpe_total_se"])  # one series: no spread to measure
