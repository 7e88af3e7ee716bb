"""Infeasible and unbounded products are named with the constraint that binds; the other
products are still solved."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from python_assets.optimization import SolverSettings, solve_allocation
from tests.optimization.instances import CBC, lanes_frame, products_frame, sp_frame, units


def three_products_one_broken(broken: pd.DataFrame, products: pd.DataFrame | None = None):
    ok = pd.concat(
        [
            sp_frame(
                [
                    {"store_id": "A", "product_id": p, "current_inv": 10.0, "demand": 2.0},
                    {"store_id": "B", "product_id": p, "current_inv": 0.0, "demand": 5.0},
                ]
            )
            for p in ("P1", "P3")
        ]
    )
    sp = pd.concat([ok, broken], ignore_index=True)
    pr = products_frame(("P1", "P2", "P3")) if products is None else products
    return sp, pr, lanes_frame([("A", "B", 0.3), ("B", "A", 0.3)])


def p2(store: str, **values: float) -> dict:
    """A row of the broken product P2."""
    return {"store_id": store, "product_id": "P2", **values}


@pytest.mark.parametrize("batch", [1, 64])
def test_store_level_infeasibility_is_named(batch):
    broken = sp_frame(
        [
            p2("A", current_inv=100.0, demand=0.0, max_capacity=10.0, safety_stock=95.0),
            p2("B", current_inv=0.0, demand=1.0),
        ]
    )
    sp, pr, ln = three_products_one_broken(broken)
    plan = solve_allocation(sp, pr, ln, SolverSettings(products_per_batch=batch))
    assert plan.status == "partial" and plan.violations == []
    st = plan.product_status.set_index("product_id")
    assert st.loc["P2", "status"] == "infeasible"
    why = st.loc["P2", "explanation"]
    assert "'P2'" in why and "C5" in why and "store 'A'" in why
    assert "current_inv - demand = 100 > max_capacity = 10" in why
    assert "C2 lets at most 5 units leave" in why
    assert (st.loc[["P1", "P3"], "status"] == "optimal").all()
    assert set(plan.store_products["product_id"]) == {"P1", "P3"}
    assert units(plan) == pytest.approx(10.0)  # 5 per solved product
    assert np.isnan(st.loc["P2", "objective"])


@pytest.mark.parametrize("batch", [1, 64])
def test_network_level_infeasibility_is_named(batch):
    # each store alone could cope, but A must shed 10 units onto B, which can take only 7
    broken = sp_frame(
        [
            p2("A", current_inv=20.0, demand=0.0, max_capacity=10.0),
            p2("B", current_inv=5.0, demand=0.0, max_capacity=12.0),
        ]
    )
    sp, pr, ln = three_products_one_broken(broken)
    plan = solve_allocation(sp, pr, ln, SolverSettings(products_per_batch=batch))
    st = plan.product_status.set_index("product_id")
    assert plan.status == "partial"
    assert st.loc["P2", "status"] == "infeasible"
    assert "C5 storage capacity (network)" in st.loc["P2", "explanation"]
    assert "at least 3" in st.loc["P2", "explanation"]
    assert (st.loc[["P1", "P3"], "status"] == "optimal").all()


def test_negative_production_capacity_is_named_c4():
    broken = sp_frame([p2("A", current_inv=1.0, demand=1.0)])
    pr = products_frame(("P1", "P2", "P3"))
    pr.loc[pr["product_id"] == "P2", "max_production"] = -5.0
    sp, pr, ln = three_products_one_broken(broken, pr)
    plan = solve_allocation(sp, pr, ln, CBC)
    st = plan.product_status.set_index("product_id")
    assert st.loc["P2", "status"] == "infeasible"
    assert "C4 production capacity of product 'P2'" in st.loc["P2", "explanation"]
    assert plan.status == "partial"


def test_unbounded_product_is_named():
    broken = sp_frame(
        [
            {
                "store_id": "A",
                "product_id": "P2",
                "current_inv": 1.0,
                "demand": 1.0,
                "max_capacity": np.nan,
                "stockout_penalty": -5.0,
            },
        ]
    )
    sp, pr, ln = three_products_one_broken(broken)
    plan = solve_allocation(sp, pr, ln)
    st = plan.product_status.set_index("product_id")
    assert st.loc["P2", "status"] == "unbounded"
    assert "stockout_penalty + holding_cost" in st.loc["P2", "explanation"]
    assert plan.status == "partial"
