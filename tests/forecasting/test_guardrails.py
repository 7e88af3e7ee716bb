"""Each guardrail fails on a forecast that is always zero and passes on a sound one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from forecasting_helpers import make_history

from python_assets.forecasting.forecast import forecast_demand
from python_assets.forecasting.guardrails import bias_check, zero_forecast_check
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
    strict = ForecastSettings(models=("moving_average_28",))
    assert not bias_check(combined.assign(actual_units=1.0), strict).passed
