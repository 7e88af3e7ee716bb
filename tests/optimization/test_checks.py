"""verify_plan: a solved plan passes; a plan tampered with fails the constraint it breaks."""

from __future__ import annotations

from dataclasses import replace

from python_assets.optimization import (
    AllocationPlan,
    solve_allocation,
    verify_plan,
)
from tests.optimization.instances import (
    small_random,
)


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
