"""verify_plan: a solved plan passes; a plan tampered with fails the constraint it breaks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from python_assets.optimization import AllocationPlan, SolverSettings, solve_allocation, verify_plan
from tests.optimization.instances import small_random, surplus_short, units


def test_verify_plan_catches_tampering():
    inst, lanes = small_random(seed=3)
    sp, pr = inst.store_products, inst.products
    plan = solve_allocation(sp, pr, lanes)
    assert plan.status == "optimal" and verify_plan(sp, pr, lanes, plan) == []

    def tampered(**frames) -> AllocationPlan:
        return replace(plan, **{k: v for k, v in frames.items()})

    tr = plan.transfers.copy()
    tr.loc[tr.index[0], "units"] += 1.0
    msgs = verify_plan(sp, pr, lanes, tampered(transfers=tr))
    assert any("C1" in m for m in msgs) and any(
        "transfer_in" in m or "transfer_out" in m for m in msgs
    )

    rows = plan.store_products.copy()
    rows.loc[rows.index[0], "ending_inv"] += 0.5
    assert any("C1" in m for m in verify_plan(sp, pr, lanes, tampered(store_products=rows)))

    rows = plan.store_products.copy()
    i = rows.index[0]
    cap = sp.set_index(["store_id", "product_id"]).loc[
        (rows.at[i, "store_id"], rows.at[i, "product_id"]), "max_capacity"
    ]
    rows.loc[i, "ending_inv"] = cap + 5.0
    rows.loc[i, "stockout_units"] += cap + 5.0 - plan.store_products.at[i, "ending_inv"]
    msgs = verify_plan(sp, pr, lanes, tampered(store_products=rows))
    assert any("C5" in m for m in msgs)

    prod = plan.production.copy()
    prod.loc[prod.index[0], "manufacture_units"] += 2.0
    assert any("C3" in m for m in verify_plan(sp, pr, lanes, tampered(production=prod)))

    tr = plan.transfers.copy()
    tr.loc[tr.index[0], "to_store"] = 10_000  # no such store
    assert any("candidate" in m for m in verify_plan(sp, pr, lanes, tampered(transfers=tr)))

    cb = plan.cost_breakdown.copy()
    cb.loc[cb.index[-1], "total"] *= 0.9
    assert any(
        "cost_breakdown" in m for m in verify_plan(sp, pr, lanes, tampered(cost_breakdown=cb))
    )


def shipped_plan():
    """A ships 5 units to B on one lane (hand instance); nothing produced."""
    sp, pr, ln = surplus_short(0.3)
    plan = solve_allocation(sp, pr, ln)
    assert units(plan) == pytest.approx(5.0) and verify_plan(sp, pr, ln, plan) == []
    return sp, pr, ln, plan


def test_c2_check_catches_a_store_sending_below_its_safety_stock():
    sp, pr, ln, plan = shipped_plan()
    # with 8 units of safety stock A may send only 10 - 8 = 2 of the 5 it sent
    msgs = verify_plan(sp.assign(safety_stock=[8.0, 0.0]), pr, ln, plan)
    assert len(msgs) == 1 and msgs[0].startswith("C2 transfer only of stock above safety stock")
    assert "5 > 2" in msgs[0]


def test_c4_check_catches_production_over_capacity():
    sp, pr, ln = surplus_short(2.0)  # shipping is dear: B's 5 units are produced
    plan = solve_allocation(sp, pr, ln)
    msgs = verify_plan(sp, pr.assign(max_production=3.0), ln, plan)
    assert msgs == ["C4 production capacity: product 'P1': manufacture 5 > max_production 3"]


def test_c6_check_catches_negative_values():
    sp, pr, ln, plan = shipped_plan()
    rows = plan.store_products.copy()
    rows["stockout_units"] = -rows["stockout_units"] - 1.0
    msgs = verify_plan(sp, pr, ln, replace(plan, store_products=rows))
    assert any(m.startswith("C6 non-negativity of stockout_units") for m in msgs)


def test_lane_capacity_check_catches_an_overfull_lane():
    sp, pr, ln, plan = shipped_plan()
    msgs = verify_plan(sp, pr, ln.assign(capacity_units=2.0), plan)
    assert msgs == ["lane capacity: 'A' -> 'B' product 'P1': 5 > 2"]


def test_service_limit_check_catches_a_slow_lane():
    sp, pr, ln, plan = shipped_plan()
    slow = replace(plan, settings=SolverSettings(max_lead_time_days=0.5))
    msgs = verify_plan(sp, pr, ln, slow)
    assert msgs == ["service limit: lane 'A' -> 'B' lead time 1 d > max 0.5 d"]
