"""gradient_boosting_mean: the global model's forecast of a daily median, times a factor per
band of series level that makes its totals those of the mean (docs/methodology.md 6.7)."""

from __future__ import annotations

import numpy as np
import pytest

from python_assets.forecasting.gbm import (
    MeanCalibration,
    fit_gradient_boosting,
    gradient_boosting_forecast,
    mean_calibrated,
)
from python_assets.forecasting.models import GRADIENT_BOOSTING_MODELS, ModelRunner
from python_assets.forecasting.panel import build_panel
from python_assets.forecasting.settings import ForecastSettings
from tests.forecasting.test_gbm_robustness import DAYS, HORIZON, SMALL, history, long_tail_units


def test_the_factor_is_units_sold_over_units_fitted_in_each_level_band() -> None:
    """Levels 1 and 4 fall in two bands (edges at the levels' quintiles: 1 and 4). Level 1:
    targets 0+0+1+2+3 = 6 over fitted 5 x 1 -> 1.2; level 4: 4 over 8 -> 0.5. The band below
    every edge has no rows and takes all rows' factor, 10 / 13; one above every edge takes the
    top band's factor."""
    level = np.array([1.0] * 5 + [4.0] * 5)
    target = np.array([0, 0, 1, 2, 3, 1, 1, 1, 1, 0], dtype=float)
    fitted = np.array([1.0] * 5 + [2, 2, 2, 1, 1])
    calibration = MeanCalibration.learn(target, fitted, level, weight_power=1.0)
    np.testing.assert_allclose(
        calibration.factor(np.array([1.0, 4.0, 0.5, 100.0])), [1.2, 0.5, 10 / 13, 0.5]
    )


def test_rows_drawn_in_proportion_to_level_are_weighted_back_to_units() -> None:
    """Levels 1..10, one row each: the lowest band (edges at quintiles 2.8, 4.6, 6.4, 8.2) holds
    levels 1 and 2, scaled targets 2 and 0, fitted 1 and 1. Rows drawn in proportion to level
    (weight_power 1) already weigh units: factor 2 / 2 = 1. Rows drawn uniformly (0) are weighted
    by level to turn scaled values into units: (1 x 2 + 2 x 0) / (1 x 1 + 2 x 1) = 2/3."""
    level = np.arange(1.0, 11.0)
    target = np.array([2.0, 0.0] + [1.0] * 8)
    fitted = np.ones(10)
    for weight_power, expected in ((1.0, 1.0), (0.0, 2 / 3)):
        calibration = MeanCalibration.learn(target, fitted, level, weight_power)
        np.testing.assert_allclose(calibration.edges, [2.8, 4.6, 6.4, 8.2])
        assert calibration.factor(np.array([1.0, 2.0])) == pytest.approx([expected] * 2)


@pytest.mark.parametrize("seed", [0, 1])
def test_on_skewed_counts_the_calibrated_totals_are_those_of_the_mean(seed: int) -> None:
    """80 negative-binomial series (dispersion 1, means 0.3-20 a day): the model's daily medians
    sum to well below the mean total; times the factor they come within 6% of it."""
    rng = np.random.default_rng(seed)
    mean = np.exp(rng.uniform(np.log(0.3), np.log(20), 80))
    units = rng.negative_binomial(1, 1 / (1 + mean[:, None]), (80, DAYS)).astype(float)
    panel = build_panel(*history(units))
    origin = panel.n_days - 1
    model = fit_gradient_boosting(panel, origin, HORIZON, SMALL)
    median = gradient_boosting_forecast(model, panel, origin, HORIZON, n_threads=1)
    assert model is not None and median is not None
    calibrated = mean_calibrated(model, median, panel, origin)
    series = np.array([int(product[1:]) for product in panel.product_id])
    truth = mean[series].sum() * HORIZON
    assert median.sum() / truth - 1 < -0.15
    assert abs(calibrated.sum() / truth - 1) < 0.06


def test_one_fit_serves_both_and_a_launch_keeps_its_launch_forecast() -> None:
    """ModelRunner.gradient_boosting gives gradient_boosting_mean = gradient_boosting x the
    series' factor for established series; the launch (class new) gets the same forecast from
    both, its launch forecast, not scaled."""
    panel = build_panel(*history(long_tail_units(4, 36, 20), launch="first_sale"))
    settings = ForecastSettings(gradient_boosting=SMALL, horizon=HORIZON)
    runner = ModelRunner(panel, settings, ())
    origin = panel.n_days - 1
    model = runner.fit_gradient_boosting(origin)
    assert model is not None and model.calibration is not None
    both = runner.gradient_boosting(model, origin, {}, models=GRADIENT_BOOSTING_MODELS)
    launch = panel.product_id == "PNEW"
    np.testing.assert_array_equal(
        both["gradient_boosting_mean"][launch], both["gradient_boosting"][launch]
    )
    arrays = SMALL.arrays(runner.cache, panel)
    factor = model.calibration.factor(arrays.scale(origin))
    np.testing.assert_allclose(
        both["gradient_boosting_mean"][~launch],
        both["gradient_boosting"][~launch] * factor[~launch, None],
    )
    assert not np.allclose(factor, 1.0)
