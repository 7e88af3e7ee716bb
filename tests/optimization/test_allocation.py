"""The allocation LP (003's formulation): known optima on hand-solvable instances, C2, the
decomposed optimum against the single joint model, verification, infeasibility reports,
lane pruning, pricing, baselines and scenarios. Every instance is small (the file runs in
well under a minute); speed is measured by benchmarks/bench_allocation.py, not here."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import python_assets.optimization.solve as allocation_model
from python_assets.optimization import (
    AllocationPlan,
    LaneSettings,
    SolverSettings,
    baseline_decentralised,
    baseline_do_nothing,
    build_network,
    candidate_lanes,
    haversine_km,
    plan_cost,
    price_moves,
    pruning_gap,
    run_scenarios,
    safety_stock,
    shipping_zones,
    solve_allocation,
    solve_joint,
    verify_plan,
    zone_rates,
)
from python_assets.optimization.synthetic import synthetic_instance

HOLD, PEN, MAN, DIST = 0.7, 2.5, 1.0, 0.2
HIGHS = SolverSettings()
CBC = SolverSettings(solver="cbc")
PULP_HIGHS = SolverSettings(backend="pulp")
ALL_SOLVERS = [HIGHS, PULP_HIGHS, CBC]
SOLVER_IDS = ["highspy", "pulp-highs", "pulp-cbc"]


def sp_frame(rows: list[dict]) -> pd.DataFrame:
    """store x product rows with 003's costs unless given."""
    defaults = {
        "product_id": "P1",
        "safety_stock": 0.0,
        "max_capacity": 1000.0,
        "holding_cost": HOLD,
        "stockout_penalty": PEN,
        "distribution_cost": DIST,
        "demand_std": 0.0,
        "lead_time_days": 1.0,
    }
    return pd.DataFrame([{**defaults, **r} for r in rows])


def products_frame(ids=("P1",), manufacturing_cost=MAN, max_production=1000.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": list(ids),
            "manufacturing_cost": manufacturing_cost,
            "max_production": max_production,
        }
    )


def lanes_frame(rows: list[tuple]) -> pd.DataFrame:
    """(from, to, cost_per_unit[, capacity_units[, lead_time_days]])"""
    out = []
    for r in rows:
        cap = r[3] if len(r) > 3 else np.inf
        lead = r[4] if len(r) > 4 else 1.0
        out.append(
            {
                "from_store": r[0],
                "to_store": r[1],
                "distance_km": 10.0,
                "cost_per_unit": r[2],
                "lead_time_days": lead,
                "capacity_units": cap,
            }
        )
    return pd.DataFrame(out)


def surplus_short(lane_cost: float, **kw) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Store A holds 10 and needs 2; store B holds 0 and needs 5; one lane A -> B."""
    sp = sp_frame(
        [
            {"store_id": "A", "current_inv": 10.0, "demand": 2.0, **kw.get("a", {})},
            {"store_id": "B", "current_inv": 0.0, "demand": 5.0, **kw.get("b", {})},
        ]
    )
    lane = (("A", "B", lane_cost, *kw.get("lane_extra", ())),)
    return sp, products_frame(**kw.get("products", {})), lanes_frame(list(lane))


def units(plan: AllocationPlan, frm: str = "A", to: str = "B") -> float:
    t = plan.transfers
    return float(t.loc[(t["from_store"] == frm) & (t["to_store"] == to), "units"].sum())


def row(plan: AllocationPlan, store: str, product: str = "P1") -> pd.Series:
    sp = plan.store_products
    return sp[(sp["store_id"] == store) & (sp["product_id"] == product)].iloc[0]


def small_random(seed: int = 5, n_stores: int = 14, n_products: int = 6, n_pairs: int = 50):
    inst = synthetic_instance(n_stores, n_products, n_pairs, n_cities=3, seed=seed)
    _, _, lanes = build_network(
        inst.stores, LaneSettings(n_zones=3, k_nearest=None, max_lead_time_days=None)
    )
    return inst, lanes


# ---------------------------------------------------------------------------------------------
# Network: distance, safety stock, zones, lanes
# ---------------------------------------------------------------------------------------------


def test_haversine_known_distance_and_vectorised():
    d = haversine_km([51.5074, 0.0], [-0.1278, 0.0], [48.8566, 0.0], [2.3522, 1.0])
    assert d.shape == (2,)
    assert d[0] == pytest.approx(343.6, abs=1.0)  # London - Paris
    assert d[1] == pytest.approx(111.19, abs=0.1)  # one degree of longitude at the equator
    assert haversine_km(10.0, 20.0, 10.0, 20.0) == pytest.approx(0.0)


def test_safety_stock_formula():
    assert safety_stock(1.6449, 2.0, 4.0) == pytest.approx(1.6449 * 2.0 * 2.0)
    np.testing.assert_allclose(safety_stock(2.0, [1.0, np.nan], [1.0, 9.0]), [2.0, 0.0])
    with pytest.raises(ValueError):
        safety_stock(1.0, -1.0, 1.0)


def two_city_stores() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    lat = np.r_[45.0 + rng.normal(0, 0.05, 6), 48.0 + rng.normal(0, 0.05, 6)]
    lon = np.r_[4.0 + rng.normal(0, 0.05, 6), 2.0 + rng.normal(0, 0.05, 6)]
    return pd.DataFrame(
        {"store_id": [f"S{i:02d}" for i in range(12)], "latitude": lat, "longitude": lon}
    )


def test_shipping_zones_are_stable_and_rates_follow_the_rule():
    stores = two_city_stores()
    z1 = shipping_zones(stores, 2, seed=0)
    z2 = shipping_zones(stores.sample(frac=1.0, random_state=1), 2, seed=0)
    assert z1.set_index("store_id")["zone_id"].equals(
        z2.set_index("store_id")["zone_id"].reindex(z1["store_id"])
    )
    # zone 0 is the northern city
    assert set(z1.loc[z1["store_id"].isin([f"S{i:02d}" for i in range(6, 12)]), "zone_id"]) == {0}
    zones = zone_rates(stores, z1, base_rate_per_km=0.01, remote_surcharge=0.5)
    assert zones["rate_per_km"].between(0.01, 0.015).all()
    assert (zones["lead_time_days"] >= 1.0).all()


def test_candidate_lanes_pruning_and_service_limit():
    stores = two_city_stores()
    z = shipping_zones(stores, 2)
    zones = zone_rates(stores, z)
    full = candidate_lanes(stores, zones, store_zones=z)
    assert len(full) == 12 * 11
    same = candidate_lanes(stores, zones, same_zone_only=True, store_zones=z)
    assert len(same) == 2 * 6 * 5 and (same["from_zone"] == same["to_zone"]).all()
    knn = candidate_lanes(stores, zones, k_nearest=2, store_zones=z)
    pairs = set(zip(knn["from_store"], knn["to_store"], strict=True))
    assert all((b, a) in pairs for a, b in pairs)  # symmetric
    assert len(knn) <= 2 * 12 * 2
    # the cost rule: handling + max zone rate x km; lead time: max zone lead time + km / speed
    r = full.iloc[0]
    rates = zones.set_index("zone_id")["rate_per_km"]
    assert r["cost_per_unit"] == pytest.approx(
        0.05 + max(rates[r["from_zone"]], rates[r["to_zone"]]) * r["distance_km"]
    )
    # service limit: the ~340 km lanes between the cities take > 1.5 days
    limited = candidate_lanes(stores, zones, max_lead_time_days=1.5, store_zones=z)
    assert (limited["lead_time_days"] <= 1.5).all()
    assert (limited["from_zone"] == limited["to_zone"]).all() and len(limited) == len(same)


def test_k_nearest_lanes_are_linear_in_stores():
    inst = synthetic_instance(898, 20, 200, seed=1)
    z = shipping_zones(inst.stores, 18)
    lanes = candidate_lanes(inst.stores, zone_rates(inst.stores, z), k_nearest=10, store_zones=z)
    assert 898 * 10 <= len(lanes) <= 2 * 898 * 10


# ---------------------------------------------------------------------------------------------
# Hand-solvable instances with known optimum
# ---------------------------------------------------------------------------------------------


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


def test_joint_model_gets_the_hand_optimum():
    sp, pr, ln = surplus_short(1.5)
    for s in (HIGHS, CBC):
        plan = solve_joint(sp, pr, ln, s)
        assert plan.status == "optimal" and plan.violations == []
        assert plan.objective == pytest.approx(3 * HOLD + 5 * 1.5)


# ---------------------------------------------------------------------------------------------
# C2: a store never sends below its safety stock
# ---------------------------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------------------------
# Decomposition, batching, backends and the joint model agree
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_decomposed_equals_joint(solver):
    inst, lanes = small_random(seed=11, n_stores=16, n_products=8, n_pairs=80)
    settings = SolverSettings(solver=solver)
    joint = solve_joint(inst.store_products, inst.products, lanes, settings)
    dec = solve_allocation(inst.store_products, inst.products, lanes, settings)
    assert joint.status == dec.status == "optimal"
    assert dec.violations == [] and joint.violations == []
    assert dec.transfers["units"].sum() > 0
    assert dec.objective == pytest.approx(joint.objective, rel=1e-6)
    per_joint = joint.product_status.set_index("product_id")["objective"]
    per_dec = dec.product_status.set_index("product_id")["objective"]
    np.testing.assert_allclose(per_dec, per_joint.reindex(per_dec.index), rtol=1e-6, atol=1e-6)


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


# ---------------------------------------------------------------------------------------------
# Verification
# ---------------------------------------------------------------------------------------------


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


def test_solver_path_marks_a_wrong_solution_failed(monkeypatch):
    sp, pr, ln = surplus_short(0.3)
    real = allocation_model.solve_block

    def corrupt(block, settings):
        res = real(block, settings)
        res.x = res.x.copy()
        res.x[0] += 2.0  # the first transfer: breaks C1 at both ends
        return res

    monkeypatch.setattr(allocation_model, "solve_block", corrupt)
    plan = solve_allocation(sp, pr, ln)
    assert plan.status == "failed"
    assert any("C1" in v for v in plan.violations)


# ---------------------------------------------------------------------------------------------
# Infeasible and unbounded products are named; the rest is solved
# ---------------------------------------------------------------------------------------------


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


@pytest.mark.parametrize("batch", [1, 64])
def test_store_level_infeasibility_is_named(batch):
    broken = sp_frame(
        [
            {
                "store_id": "A",
                "product_id": "P2",
                "current_inv": 100.0,
                "demand": 0.0,
                "max_capacity": 10.0,
                "safety_stock": 95.0,
            },
            {"store_id": "B", "product_id": "P2", "current_inv": 0.0, "demand": 1.0},
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
            {
                "store_id": "A",
                "product_id": "P2",
                "current_inv": 20.0,
                "demand": 0.0,
                "max_capacity": 10.0,
            },
            {
                "store_id": "B",
                "product_id": "P2",
                "current_inv": 5.0,
                "demand": 0.0,
                "max_capacity": 12.0,
            },
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
    broken = sp_frame([{"store_id": "A", "product_id": "P2", "current_inv": 1.0, "demand": 1.0}])
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


def test_bad_inputs_raise_named_errors():
    sp, pr, ln = surplus_short(0.3)
    with pytest.raises(ValueError, match="demand"):
        solve_allocation(sp.assign(demand=[1.0, np.nan]), pr, ln)
    with pytest.raises(ValueError, match="no manufacturing cost"):
        solve_allocation(sp, pr.assign(product_id="P9"), ln)
    with pytest.raises(ValueError, match="duplicate"):
        solve_allocation(pd.concat([sp, sp]), pr, ln)


# ---------------------------------------------------------------------------------------------
# Lane pruning
# ---------------------------------------------------------------------------------------------


def test_pruning_gap_is_non_negative_and_reported():
    inst = synthetic_instance(40, 10, 160, n_cities=4, seed=8)
    z = shipping_zones(inst.stores, 4)
    zones = zone_rates(inst.stores, z)
    full = candidate_lanes(inst.stores, zones, store_zones=z)
    gaps = []
    for k in (1, 3, 39):
        pruned = candidate_lanes(inst.stores, zones, k_nearest=k, store_zones=z)
        g = pruning_gap(inst.store_products, inst.products, pruned, full)
        assert g["pruned_subset"] and g["status_pruned"] == g["status_unpruned"] == "optimal"
        assert g["objective_pruned"] >= g["objective_unpruned"] - 1e-6
        assert g["gap_rel"] == pytest.approx(
            (g["objective_pruned"] - g["objective_unpruned"]) / g["objective_unpruned"]
        )
        gaps.append(g["gap_rel"])
    assert gaps[0] > 0  # one neighbour is too few on this instance
    assert gaps[0] >= gaps[1] - 1e-9
    assert gaps[2] == pytest.approx(0.0, abs=1e-9)  # k = n - 1 keeps every lane


# ---------------------------------------------------------------------------------------------
# Pricing, baselines, scenarios
# ---------------------------------------------------------------------------------------------


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


def test_run_scenarios_one_row_per_scenario():
    inst, lanes = small_random(seed=12)
    seed_grid = Path(__file__).resolve().parents[2] / "seeds" / "scenario_grid.csv"
    if seed_grid.exists():
        grid = pd.read_csv(seed_grid)
    else:
        grid = pd.DataFrame(
            {
                "scenario_id": ["base", "demand_plus_20", "decentralised"],
                "demand_multiplier": [1.0, 1.2, 1.0],
                "stockout_penalty_multiplier": [1.0, 1.0, 1.0],
                "holding_cost_multiplier": [1.0, 1.0, 1.0],
                "allow_transfers": ["true", "true", "false"],
                "allow_production": [True, True, True],
            }
        )
    out = run_scenarios(inst.store_products, inst.products, lanes, grid)
    assert list(out["scenario_id"]) == list(grid["scenario_id"])
    assert (out["status"] == "optimal").all() and (out["violations"] == 0).all()
    by = out.set_index("scenario_id")
    assert by.loc["decentralised", "units_transferred"] == 0
    assert by.loc["base", "units_transferred"] > 0
    assert by.loc["demand_plus_20", "demand_units"] == pytest.approx(
        1.2 * by.loc["base", "demand_units"]
    )
    assert by.loc["decentralised", "total_cost"] >= by.loc["base", "total_cost"]
    parts = ["holding", "stockout", "transport", "manufacturing", "distribution"]
    np.testing.assert_allclose(out[parts].sum(axis=1), out["total_cost"])


def test_scenarios_reuse_plans_already_solved_and_report_progress():
    inst, lanes = small_random(seed=12)
    sp, pr = inst.store_products, inst.products
    grid = pd.DataFrame(
        {
            "scenario_id": ["base", "demand_plus_20", "decentralised"],
            "demand_multiplier": [1.0, 1.2, 1.0],
            "stockout_penalty_multiplier": [1.0, 1.0, 1.0],
            "holding_cost_multiplier": [1.0, 1.0, 1.0],
            "allow_transfers": [True, True, False],
            "allow_production": [True, True, True],
        }
    )
    solved = {
        (True, True): solve_allocation(sp, pr, lanes),
        (False, True): baseline_decentralised(sp, pr, lanes),
    }
    lines: list[str] = []
    reused = run_scenarios(sp, pr, lanes, grid, solved=solved, progress=lines.append)
    fresh = run_scenarios(sp, pr, lanes, grid)

    figures = ["total_cost", "units_transferred", "units_produced", "fill_rate", "n_transfers"]
    pd.testing.assert_frame_equal(reused[figures], fresh[figures], rtol=1e-9)
    assert [line.split(":")[1].split(",")[0].strip() for line in lines] == [
        "reused",
        "solved",
        "reused",
    ]
    assert lines[1].startswith("scenario 2 / 3 demand_plus_20: solved, optimal, total cost ")


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
