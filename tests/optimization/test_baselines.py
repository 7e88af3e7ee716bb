"""Fixed plans priced under the LP cost model: the rule's moves, doing nothing, decentralised."""

from __future__ import annotations

import pandas as pd
import pytest

from python_assets.optimization import (
    baseline_decentralised,
    baseline_do_nothing,
    baseline_rule_moves,
    haversine_km,
    plan_cost,
    price_moves,
    solve_allocation,
)
from python_assets.optimization.baselines import price_plan
from python_assets.optimization.pricing import over_products
from tests.optimization.instances import HOLD, PEN, row, small_random, surplus_short


def test_plan_cost_and_price_moves_use_the_lp_cost_model():
    sp, pr, ln = surplus_short(0.3)
    plan = solve_allocation(sp, pr, ln)
    moves = plan.transfers[["from_store", "to_store", "product_id", "units"]]
    priced = plan_cost(sp, pr, ln, moves)
    assert priced.iloc[-1]["total"] == pytest.approx(plan.objective)
    assert price_moves(sp, pr, ln, moves).iloc[-1]["total"] == pytest.approx(plan.objective)
    # a move on a lane outside the candidate set is priced by the haversine rule
    stores = pd.DataFrame(
        {
            "store_id": ["A", "B"],
            "latitude": [45.0, 45.0],
            "longitude": [4.0, 5.0],
            "zone_id": [0, 0],
        }
    )
    zones = pd.DataFrame({"zone_id": [0], "rate_per_km": [0.01], "lead_time_days": [1.0]})
    back = pd.DataFrame(
        {"from_store": ["B"], "to_store": ["A"], "product_id": ["P1"], "units": [1.0]}
    )
    cb = price_moves(sp, pr, ln, back, stores=stores, zones=zones)
    km = float(haversine_km(45.0, 5.0, 45.0, 4.0))
    # B (0 on hand, 5 short) gives 1 more unit to A: stockout +1, A holds 1 more
    expected = (10 - 2 + 1) * HOLD + 6 * PEN + 0.05 + 0.01 * km
    assert cb.iloc[-1]["total"] == pytest.approx(expected)
    with pytest.raises(ValueError, match="not a candidate lane"):
        price_moves(sp, pr, ln, back)


def test_baselines_cost_more_than_the_optimum():
    inst, lanes = small_random(seed=9, n_stores=20, n_products=6, n_pairs=70)
    sp, pr = inst.store_products, inst.products
    best = solve_allocation(sp, pr, lanes)
    nothing = baseline_do_nothing(sp, pr, lanes)
    decentral = baseline_decentralised(sp, pr, lanes)
    assert nothing.status == "baseline" and nothing.violations == []
    assert nothing.transfers.empty and nothing.production["manufacture_units"].sum() == 0
    assert decentral.status == "optimal" and decentral.transfers.empty
    assert best.objective < decentral.objective < nothing.objective
    assert best.fill_rate >= nothing.fill_rate


def test_the_rules_moves_get_the_same_top_up_and_their_broken_rules_named():
    """B is short 5 and receives 2 units from A, which keeps 8 but has a safety stock of 9:
    the move breaks C2. Central supply then tops B up as the decentralised LP would."""
    sp, pr, ln = surplus_short(0.3, a={"safety_stock": 9.0})
    moves = pd.DataFrame(
        {"from_store": ["A"], "to_store": ["B"], "product_id": ["P1"], "units": [2.0]}
    )
    moves_only = price_moves(sp, pr, ln, moves).iloc[-1]["total"]
    topped = baseline_rule_moves(sp, pr, ln, moves)
    assert row(topped, "B")["allocate_units"] == pytest.approx(3.0)
    assert row(topped, "B")["stockout_units"] == pytest.approx(0.0)
    assert topped.objective < moves_only  # serving B's 3 short units beats their penalty
    assert any(v.startswith("C2") for v in topped.violations)


def test_pricing_without_the_check_gives_the_same_costs_and_no_violations():
    """verify=False (the replay's cost of each policy) skips the listing of broken rules only."""
    sp, pr, ln = surplus_short(0.3, a={"safety_stock": 9.0})
    moves = pd.DataFrame(
        {"from_store": ["A"], "to_store": ["B"], "product_id": ["P1"], "units": [2.0]}
    )
    checked = price_plan(sp, pr, ln, moves)
    unchecked = price_plan(sp, pr, ln, moves, verify=False)
    assert any(v.startswith("C2") for v in checked.violations) and unchecked.violations == []
    pd.testing.assert_frame_equal(unchecked.cost_breakdown, checked.cost_breakdown)
    pd.testing.assert_frame_equal(unchecked.store_products, checked.store_products)


def test_a_partial_plan_is_compared_over_its_solved_products_only():
    inst, lanes = small_random(seed=9, n_stores=20, n_products=6, n_pairs=70)
    breakdown = baseline_do_nothing(inst.store_products, inst.products, lanes).cost_breakdown
    some = breakdown.loc[breakdown["level"] == "product", "product_id"].iloc[:2]
    part = over_products(breakdown, some)
    per = part[part["level"] == "product"]
    assert list(per["product_id"]) == list(some)
    total = part[part["level"] == "total"].iloc[0]
    assert total["total"] == pytest.approx(per["total"].sum())
    assert total["total"] < breakdown[breakdown["level"] == "total"].iloc[0]["total"]
