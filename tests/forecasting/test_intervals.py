"""Residual-calibrated intervals: coverage near nominal on simulated noise."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from forecasting_helpers import FAST, make_history

from python_assets.forecasting.forecast import forecast_demand

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
