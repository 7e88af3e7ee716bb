"""The model choice per demand class: scored on H-day totals with a bias bound, so a forecast of
zero never wins where a non-zero candidate scores better within the bound."""

from __future__ import annotations

import numpy as np
import pandas as pd
from forecasting_helpers import make_history

from python_assets.forecasting.forecast import forecast_demand
from python_assets.forecasting.metrics import total_metrics
from python_assets.forecasting.selection import choose_among
from python_assets.forecasting.settings import ForecastSettings, SelectionSettings


def candidates(*rows: tuple[str, float, float]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["model", "score_total_wape", "wpe_total"])
    return frame.assign(mae_total=1.0)


def test_the_bias_bound_keeps_zero_and_biased_models_out() -> None:
    frame = candidates(("zero", 1.0, -1.0), ("moving_average_7", 1.3, 0.05), ("sba", 0.9, -0.3))
    assert choose_among(frame, SelectionSettings()) == "moving_average_7"


def test_ties_go_to_the_simpler_model() -> None:
    frame = candidates(("ets", 0.500, 0.01), ("moving_average_7", 0.503, -0.02), ("tsb", 0.7, 0))
    assert choose_among(frame, SelectionSettings(score_tolerance=0.005)) == "moving_average_7"
    assert choose_among(frame, SelectionSettings(score_tolerance=0.001)) == "ets"


def test_within_a_family_a_tie_goes_to_the_less_biased_model() -> None:
    """The global model and its mean-calibrated form are one family, as are the moving averages:
    tied, the smaller |WPE| wins; a simpler family still wins a tie against both."""
    frame = candidates(
        ("gradient_boosting", 0.300, -0.06),
        ("gradient_boosting_mean", 0.304, 0.02),
        ("moving_average_7", 0.400, 0.01),
        ("moving_average_28", 0.402, -0.005),
    )
    assert choose_among(frame, SelectionSettings(score_tolerance=0.005)) == "gradient_boosting_mean"
    assert choose_among(frame, SelectionSettings(score_tolerance=0.001)) == "gradient_boosting"
    assert choose_among(frame.iloc[2:], SelectionSettings()) == "moving_average_28"
    with_ets = pd.concat([frame, candidates(("ets", 0.303, 0.0))])
    assert choose_among(with_ets, SelectionSettings()) == "ets"


def test_with_none_eligible_the_smallest_bias_wins() -> None:
    frame = candidates(("zero", 1.0, -1.0), ("sba", 0.6, -0.3), ("ets", 0.5, 0.2))
    assert choose_among(frame, SelectionSettings()) == "ets"


def test_a_class_that_sold_nothing_is_decided_on_units() -> None:
    frame = pd.DataFrame(
        {
            "model": ["moving_average_7", "zero"],
            "score_total_wape": [np.nan, np.nan],
            "wpe_total": [np.nan, np.nan],
            "mae_total": [0.4, 0.0],
        }
    )
    assert choose_among(frame, SelectionSettings()) == "zero"


def test_a_class_that_sold_nothing_after_selling_before_is_not_left_at_zero() -> None:
    # two launches seen at a backtest origin, neither selling in the window after it: zero's
    # error is 0, but it leaves series that had just sold at zero (as the 'new' class of the
    # tiny mixed demo once did, blocking the plan); seasonal naive does too
    frame = pd.DataFrame(
        {
            "model": ["zero", "seasonal_naive", "sba", "tsb"],
            "score_total_wape": np.nan,
            "wpe_total": np.nan,
            "mae_total": [0.0, 0.0, 0.19, 0.82],
            "zero_total_share": [1.0, 1.0, 0.0, 0.0],
        }
    )
    assert choose_among(frame, SelectionSettings()) == "sba"
    # when every candidate leaves them at zero, the units still decide
    everyone_zero = frame.assign(zero_total_share=1.0)
    assert choose_among(everyone_zero, SelectionSettings()) == "zero"


def test_zero_wins_on_daily_wape_but_not_on_totals() -> None:
    # one unit on 30% of days: per day, zero (WAPE 1.0) beats the mean (about 1.4); over 7 days
    # the mean's total is close and zero's is 100% short
    rng = np.random.default_rng(3)
    units = (rng.random((40, 120)) < 0.3).astype(float)
    history, products = make_history(units)
    settings = ForecastSettings(models=("zero", "moving_average_28"), backtest_windows=4)
    result = forecast_demand(history, products, settings)
    pooled = result.backtest[
        (result.backtest["window"] == 0) & (result.backtest["segment_type"] == "all")
    ].set_index("model")
    assert pooled.loc["zero", "wape"] < pooled.loc["moving_average_28", "wape"]
    assert set(result.model_per_class.values()) == {"moving_average_28"}
    chosen = result.forecast[result.forecast["is_chosen"]]
    assert (chosen.groupby(["store_id", "product_id"])["forecast_units"].sum() > 0).all()
    assert abs(pooled.loc["chosen_per_class", "wpe_total"]) <= 0.10


def test_a_zero_for_a_series_that_stopped_selling_does_not_rule_a_model_out() -> None:
    # ten series sold before the origin; one stopped (actual total 0). The better model is right
    # to forecast it zero; it is ruled out only once it leaves a series that went on selling at 0
    actual = np.array([5.0] * 9 + [0.0])
    recent = np.ones(10, dtype=bool)
    good = np.array([5.0] * 9 + [0.0])
    stopped_right = total_metrics(actual, good, np.arange(10), recent)
    assert stopped_right["zero_total_share"] == 0.1
    assert stopped_right["missed_total_share"] == 0.0
    missed = total_metrics(actual, np.array([0.0] + [5.0] * 8 + [0.0]), np.arange(10), recent)
    assert missed["missed_total_share"] == 1 / 9

    # within the bias bound (WPE +2%) and a worse score (WAPE 0.20) than either of the above
    offsets = np.array([1, -1, 1, -1, 1, -1, 1, -1, 1, 0])
    worse = total_metrics(actual, actual + offsets, np.arange(10), recent)
    assert missed["score_total_wape"] < worse["score_total_wape"]

    def frame(better: dict) -> pd.DataFrame:
        rows = [{"model": "gradient_boosting", **better}, {"model": "tsb", **worse}]
        return pd.DataFrame(rows)

    assert choose_among(frame(stopped_right), SelectionSettings()) == "gradient_boosting"
    assert choose_among(frame(missed), SelectionSettings()) == "tsb"
