"""Solving the LP product by product: known optima on hand-solvable instances, C2 on random
instances, backends and batches that agree, whole units, the service limit, a wrong solver
answer caught, progress. Every instance is small; speed is measured by
benchmarks/bench_allocation.py, not here."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import python_assets.optimization.solve as solve_module
from python_assets.optimization import (
    LaneSettings,
    SolverSettings,
    build_network,
    solve_allocation,
    verify_plan,
)
from python_assets.optimization.synthetic import synthetic_instance
from tests.optimization.instances import (
    ALL_SOLVERS,
    DIST,
    HIGHS,
    HOLD,
    MAN,
    PEN,
    SOLVER_IDS,
    lanes_frame,
    row,
    small_random,
    surplus_short,
    units,
)


@pytest.mark.parametrize("settings", ALL_SOLVERS, ids=SOLVER_IDS)
def test_surplus_store_ships_to_short_store(settings):
    sp, pr, ln = surplus_short(0.3)
    plan = solve_allocation(sp, pr, ln, settings)
    assert plan.status == "optimal" and plan.violations == []
    assert units(plan) == pytest.approx(5.0)
    assert plan.production["manufacture_units"].sum() == pytest.approx(0.0)
    # A ends with 10 - 5 - 2 = 3 units held; 5 units shipped at 0.3
    assert plan.objective == pytest.approx(3 * HOLD + 5 * 0.3)
    assert row(plan, "B")["fill_rate"] == pytest.approx(1.0)


def test_production_cheaper_than_transfer():
    # shipping a unit costs 2.0 and saves A's holding (0.7): 1.3 > producing it (1.0 + 0.2)
    sp, pr, ln = surplus_short(2.0)
    plan = solve_allocation(sp, pr, ln)
    assert units(plan) == pytest.approx(0.0)
    assert plan.production["manufacture_units"].sum() == pytest.approx(5.0)
    assert row(plan, "B")["allocate_units"] == pytest.approx(5.0)
    assert plan.objective == pytest.approx(8 * HOLD + 5 * (MAN + DIST))


def test_transfer_cheaper_than_production():
    # 1.5 per unit is dearer than producing (1.2) but frees A's holding (0.7): net 0.8 < 1.2
    sp, pr, ln = surplus_short(1.5)
    plan = solve_allocation(sp, pr, ln)
    assert units(plan) == pytest.approx(5.0)
    assert plan.production["manufacture_units"].sum() == pytest.approx(0.0)
    assert plan.objective == pytest.approx(3 * HOLD + 5 * 1.5)


def test_storage_capacity_binds():
    # A (cap 10) must shed at least 8 of its 20 - 2 units; B needs 5 and can hold 4 more
    sp, pr, ln = surplus_short(
        0.3, a={"current_inv": 20.0, "max_capacity": 10.0}, b={"max_capacity": 4.0}
    )
    plan = solve_allocation(sp, pr, ln)
    assert units(plan) == pytest.approx(8.0)
    assert row(plan, "A")["ending_inv"] == pytest.approx(10.0)
    assert row(plan, "B")["ending_inv"] == pytest.approx(3.0)
    assert plan.objective == pytest.approx(10 * HOLD + 3 * HOLD + 8 * 0.3)


def test_lane_and_production_capacity_bind():
    sp, pr, ln = surplus_short(0.3, lane_extra=(3.0,), products={"max_production": 1.0})
    plan = solve_allocation(sp, pr, ln)
    assert units(plan) == pytest.approx(3.0)  # lane capacity
    assert plan.production["manufacture_units"].sum() == pytest.approx(1.0)  # C4
    assert row(plan, "B")["stockout_units"] == pytest.approx(1.0)
    assert plan.objective == pytest.approx(5 * HOLD + 3 * 0.3 + 1 * (MAN + DIST) + 1 * PEN)


def test_stockout_when_penalty_below_transport_cost():
    # a unit short costs 0.5; shipping it costs 1.5 - 0.7 saved holding = 0.8; producing 1.2
    sp, pr, ln = surplus_short(1.5, b={"stockout_penalty": 0.5})
    plan = solve_allocation(sp, pr, ln)
    assert units(plan) == pytest.approx(0.0)
    assert plan.production["manufacture_units"].sum() == pytest.approx(0.0)
    assert row(plan, "B")["stockout_units"] == pytest.approx(5.0)
    assert row(plan, "B")["fill_rate"] == pytest.approx(0.0)
    assert plan.objective == pytest.approx(8 * HOLD + 5 * 0.5)


def test_c2_stops_at_safety_stock():
    # A holds 10, needs 2, keeps 6 as safety stock: only 4 may leave although B lacks 5
    sp, pr, ln = surplus_short(0.1, a={"safety_stock": 6.0})
    plan = solve_allocation(sp, pr, ln, replace(HIGHS, allow_production=False))
    assert units(plan) == pytest.approx(4.0)
    assert row(plan, "B")["stockout_units"] == pytest.approx(1.0)
    # a store below its safety stock sends nothing
    sp2, pr2, ln2 = surplus_short(0.1, a={"safety_stock": 12.0})
    plan2 = solve_allocation(sp2, pr2, ln2, replace(HIGHS, allow_production=False))
    assert units(plan2) == pytest.approx(0.0)


@pytest.mark.parametrize("seed", [1, 2])
def test_c2_holds_on_random_instances(seed):
    inst, lanes = small_random(seed)
    sp = inst.store_products.copy()
    sp["safety_stock"] = sp["current_inv"] * np.random.default_rng(seed).uniform(0.3, 1.2, len(sp))
    plan = solve_allocation(sp, inst.products, lanes)
    assert plan.status == "optimal" and plan.violations == []
    m = plan.store_products.merge(
        sp[["store_id", "product_id", "safety_stock"]],
        on=["store_id", "product_id"],
        suffixes=("_plan", ""),
    )
    assert plan.transfers["units"].sum() > 0
    assert (m["transfer_out"] <= np.maximum(0, m["current_inv"] - m["safety_stock"]) + 1e-7).all()


def test_backends_and_batch_sizes_give_the_same_optimum():
    inst, lanes = small_random(seed=4, n_stores=16, n_products=9, n_pairs=80)
    objectives = [
        solve_allocation(inst.store_products, inst.products, lanes, s).objective
        for s in (
            SolverSettings(products_per_batch=1),
            SolverSettings(products_per_batch=4),
            SolverSettings(products_per_batch=100),
            SolverSettings(backend="pulp", products_per_batch=3),
            SolverSettings(solver="cbc", products_per_batch=100),
        )
    ]
    np.testing.assert_allclose(objectives, objectives[0], rtol=1e-6)


def test_the_cold_simplex_choice_changes_the_path_not_the_optimum():
    inst, lanes = small_random(seed=4, n_stores=16, n_products=9, n_pairs=80)
    plans = [
        solve_allocation(inst.store_products, inst.products, lanes, SolverSettings(cold_simplex=c))
        for c in ("primal", "dual")
    ]
    objectives = [p.product_status.set_index("product_id")["objective"] for p in plans]
    np.testing.assert_allclose(objectives[0], objectives[1], rtol=1e-9, atol=1e-6)
    # the option reaches HiGHS: the two simplex methods take different paths
    assert plans[0].timings["simplex_iterations"] != plans[1].timings["simplex_iterations"]
    with pytest.raises(ValueError, match="cold_simplex"):
        SolverSettings(cold_simplex="barrier")


def test_transfer_column_budget_splits_batches_without_changing_the_optimum():
    inst, lanes = small_random(seed=4, n_stores=16, n_products=9, n_pairs=80)
    sp, pr = inst.store_products, inst.products
    pooled = solve_allocation(sp, pr, lanes, SolverSettings(products_per_batch=100))
    alone = solve_allocation(
        sp, pr, lanes, SolverSettings(products_per_batch=100, batch_transfer_columns=1)
    )
    assert pooled.timings["solver_calls"] == 1
    assert alone.timings["solver_calls"] == pr["product_id"].nunique()
    assert alone.objective == pytest.approx(pooled.objective, rel=1e-6)


def test_integer_option_gives_whole_units():
    inst, lanes = small_random(seed=6)
    lp = solve_allocation(inst.store_products, inst.products, lanes)
    for s in (SolverSettings(integer=True), SolverSettings(integer=True, backend="pulp")):
        milp = solve_allocation(inst.store_products, inst.products, lanes, s)
        assert milp.status == "optimal" and milp.violations == []
        for col in ("units",):
            v = milp.transfers[col].to_numpy()
            np.testing.assert_allclose(v, np.round(v), atol=1e-9)
        v = milp.store_products["allocate_units"].to_numpy()
        np.testing.assert_allclose(v, np.round(v), atol=1e-9)
        assert milp.objective >= lp.objective - 1e-6


def test_service_limit_excludes_slow_lanes():
    sp, pr, _ = surplus_short(0.3)
    ln = lanes_frame([("A", "B", 0.3, np.inf, 3.0)])
    fast = solve_allocation(sp, pr, ln)
    slow = solve_allocation(sp, pr, ln, SolverSettings(max_lead_time_days=2.0))
    assert units(fast) == pytest.approx(5.0)
    assert units(slow) == pytest.approx(0.0) and slow.violations == []
    # a plan shipping on the slow lane fails the service limit check
    slow.transfers = fast.transfers
    assert any("service limit" in v for v in verify_plan(sp, pr, ln, slow))


def test_solver_path_marks_a_wrong_solution_failed(monkeypatch):
    sp, pr, ln = surplus_short(0.3)
    real = solve_module.solve_block

    def corrupt(block, settings, basis=None):
        res = real(block, settings, basis)
        res.x = res.x.copy()
        res.x[0] += 2.0  # the first transfer: breaks C1 at both ends
        return res

    monkeypatch.setattr(solve_module, "solve_block", corrupt)
    plan = solve_allocation(sp, pr, ln)
    assert plan.status == "failed"
    assert any("C1" in v for v in plan.violations)


def test_progress_is_reported_while_solving() -> None:
    instance = synthetic_instance(n_stores=20, n_products=30, n_pairs=300, seed=1)
    lanes = build_network(instance.stores, LaneSettings(n_zones=3, k_nearest=5))[2]
    store_products, products = instance.store_products, instance.products
    calls: list[tuple[int, int]] = []
    plan = solve_allocation(
        store_products, products, lanes, progress=lambda done, total, _: calls.append((done, total))
    )
    assert plan.status == "optimal"
    assert calls[-1] == (30, 30) and all(t == 30 for _, t in calls) and len(calls) >= 2
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
