"""The cost model applied to plan tables."""

from __future__ import annotations

import pandas as pd
import pytest

from python_assets.optimization.pricing import breakdown_from_tables


def test_breakdown_prices_every_term_per_product_and_in_total():
    rows = pd.DataFrame(
        {
            "product_id": ["P1", "P1", "P2"],
            "holding_cost": [0.5, 0.5, 1.0],
            "ending_inv": [2.0, 0.0, 3.0],
            "stockout_penalty": [2.0, 2.0, 4.0],
            "stockout_units": [0.0, 1.0, 0.0],
            "distribution_cost": [0.2, 0.2, 0.1],
            "allocate_units": [0.0, 5.0, 10.0],
        }
    )
    transfers = pd.DataFrame({"product_id": ["P1"], "cost": [1.5]})
    production = pd.DataFrame({"product_id": ["P1", "P2"], "manufacture_units": [5.0, 10.0]})
    products = pd.DataFrame({"product_id": ["P1", "P2"], "manufacturing_cost": [1.0, 2.0]})
    out = breakdown_from_tables(rows, transfers, production, products).set_index("level")
    p1 = out[out["product_id"] == "P1"].iloc[0]
    assert (p1["holding"], p1["stockout"], p1["transport"]) == (1.0, 2.0, 1.5)
    assert (p1["manufacturing"], p1["distribution"]) == (5.0, pytest.approx(1.0))
    assert p1["total"] == pytest.approx(10.5)
    total = out.loc["total"]
    assert total["holding"] == 4.0 and total["manufacturing"] == 25.0
    # P2: holding 3 + manufacturing 20 + distribution 1
    assert total["total"] == pytest.approx(10.5 + 24.0)
