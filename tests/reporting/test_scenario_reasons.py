"""The report explains a scenario whose cost moves against its demand."""

from __future__ import annotations

import pandas as pd

from python_assets.reporting.sections.plan import _scenario_reasons


def _scenarios(rows):
    return pd.DataFrame(
        rows,
        columns=[
            "scenario_id",
            "total_cost",
            "holding_cost",
            "stockout_cost",
            "forecast_demand_units",
        ],
    )


def test_more_demand_at_a_lower_cost_is_explained_by_holding():
    frame = _scenarios(
        [
            ("base", 100.0, 90.0, 2.0, 50.0),
            ("demand_plus_20", 80.0, 60.0, 4.0, 60.0),  # more demand, cheaper: explained
            ("penalty_high", 110.0, 90.0, 12.0, 50.0),  # same demand, dearer: nothing to explain
            ("demand_minus_20", 95.0, 85.0, 1.0, 40.0),  # less demand, cheaper: as expected
        ]
    )
    text = _scenario_reasons(frame)
    assert "demand_plus_20 has more forecast demand but costs less" in text
    assert "from 90 to 60" in text
    assert "penalty_high" not in text and "demand_minus_20" not in text
    assert _scenario_reasons(frame.iloc[[0, 2, 3]]) == ""
