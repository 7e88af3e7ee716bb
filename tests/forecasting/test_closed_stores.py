"""A store that stopped selling: every series of it is forecast zero (docs/methodology.md 6.9)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from forecasting_helpers import FAST, make_history

from python_assets.forecasting.forecast import forecast_demand, predict_forecast
from python_assets.forecasting.guardrails import zero_forecast_check
from python_assets.forecasting.models import STORE_CLOSED, ClosedStores
from python_assets.forecasting.panel import build_panel
from python_assets.optimization.parallel import in_partition, partition_keys


def _three_stores(silent_days: dict[int, int], slow_store: int | None = None) -> pd.DataFrame:
    """Stores S0, S1, S2 x products P0-P4, 70 days of steady sales (slow_store's five products
    sell one unit on 8% of days each); store s sells nothing on its last silent_days[s] days
    (its rows are there, with zeros)."""
    rng = np.random.default_rng(4)
    units = rng.poisson(4.0, (15, 70)).astype(float)
    if slow_store is not None:
        units[5 * slow_store : 5 * slow_store + 5] = rng.random((5, 70)) < 0.08
    for store, days in silent_days.items():
        units[5 * store : 5 * store + 5, 70 - days :] = 0.0
    history, _ = make_history(units)
    return history


def test_a_store_silent_on_its_last_days_is_closed_and_one_silent_a_day_less_is_not() -> None:
    panel = build_panel(_three_stores({1: 7, 2: 6}))
    closed = ClosedStores(panel, days=7)
    assert list(closed.stores_at(panel.n_days - 1)) == ["S1"]
    # a store of slow movers that sells on about a third of its days is silent for a week by
    # chance now and then: not closed
    slow = build_panel(_three_stores({0: 7, 2: 7}, slow_store=2))
    assert list(ClosedStores(slow, days=7).stores_at(slow.n_days - 1)) == ["S0"]
    # the day before, S1 had sold on one of the 7 days up to it; a history of 7 days shows no
    # sale before them, so nothing is closed there
    assert len(closed.stores_at(panel.n_days - 2)) == 0 and len(closed.stores_at(6)) == 0


def test_a_closed_stores_series_are_forecast_zero_in_every_partition_and_the_guardrail_allows_it():
    history = _three_stores({1: 9})
    settings = replace(FAST, models=("moving_average_7", "shrunk_mean"))
    result = forecast_demand(history, None, settings)
    chosen = result.forecast[result.forecast["is_chosen"]]
    in_s1 = chosen["store_id"] == "S1"
    values = [c for c in chosen.columns if c.startswith(("forecast_units", "lower", "upper"))]
    assert (chosen.loc[in_s1, [*values, "demand_std_horizon"]] == 0).all().all()
    assert set(chosen.loc[in_s1, "model"]) == {STORE_CLOSED}
    assert (chosen.loc[~in_s1, "forecast_units"] > 0).all()
    assert STORE_CLOSED not in set(chosen.loc[~in_s1, "model"])
    # S1's series sold in the last 28 days, yet their zeros are the rule, not a failed model
    outcome = zero_forecast_check(chosen, result.demand_classes, settings)
    assert outcome.passed and outcome.description.startswith("0 of 10 series"), outcome
    # a product partition judges the store on every product, as the whole forecast does
    panel = build_panel(history)
    order = ["store_id", "product_id", "model", "is_chosen", "forecast_date"]
    parts = []
    for key in partition_keys(2):
        rows = np.flatnonzero(in_partition(pd.Series(panel.product_id), key))
        parts.append(predict_forecast(panel, result.fitted, {}, rows=rows))
    union = pd.concat(parts).sort_values(order, ignore_index=True)
    pd.testing.assert_frame_equal(union, result.forecast.sort_values(order, ignore_index=True))
