"""The operational plan: whole packs (a MILP), a minimum transfer, an infeasibility caused only
by whole units named as such, no transfer both ways on a lane, and the gap to the LP relaxation
(docs/methodology.md, "Whole units and packs")."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from python_assets.optimization.checks import verify_plan
from python_assets.optimization.inputs import plans_in_whole_units
from python_assets.optimization.plan import with_relaxation
from python_assets.optimization.problem import SolverSettings
from python_assets.optimization.solve import solve_allocation
from tests.optimization.instances import (
    lanes_frame,
    products_frame,
    small_random,
    sp_frame,
    surplus_short,
    units,
)

WHOLE = SolverSettings(integer=True)


def _with_packs(seed: int = 6):
    inst, lanes = small_random(seed=seed)
    products = inst.products.assign(pack_size=[1.0, 2.0, 3.0, 4.0, 6.0, 12.0][: len(inst.products)])
    return inst.store_products, products, lanes


def _assert_whole_packs(plan, products) -> None:
    pack = products.set_index("product_id")["pack_size"]
    for frame, column in ((plan.transfers, "units"), (plan.store_products, "allocate_units")):
        packs = frame[column].to_numpy() / pack.reindex(frame["product_id"]).to_numpy()
        np.testing.assert_allclose(packs, np.round(packs), atol=1e-9)


def test_a_whole_unit_plan_moves_whole_packs_and_keeps_every_constraint():
    sp, products, lanes = _with_packs()
    lp = solve_allocation(sp, products, lanes)
    milp = solve_allocation(sp, products, lanes, WHOLE)
    assert milp.status == "optimal" and milp.violations == []
    _assert_whole_packs(milp, products)
    assert (milp.transfers["units"] > 0).any() and (milp.store_products["allocate_units"] > 0).any()
    # whole packs can only cost more than the fractional relaxation, never less
    assert milp.objective >= lp.objective - 1e-6
    # the fractional LP ignores pack sizes: the same plan as without them
    plain = solve_allocation(sp, products.drop(columns="pack_size"), lanes)
    assert lp.objective == pytest.approx(plain.objective, rel=1e-9)


def test_rounding_the_lp_would_break_c2_where_the_milp_keeps_it():
    """A holds 10 with safety stock 6.5: at most 3.5 may leave (C2). The LP sends 3.5 to B; a
    plan rounded to the nearest unit would send 4 and break C2; the MILP sends 3."""
    sp, products, lanes = surplus_short(0.1, a={"safety_stock": 6.5})
    lp = solve_allocation(sp, products, lanes, SolverSettings(allow_production=False))
    assert units(lp) == pytest.approx(3.5)
    rounded = replace(lp, transfers=lp.transfers.assign(units=np.round(lp.transfers["units"])))
    rounded.store_products = lp.store_products.assign(
        transfer_out=np.where(lp.store_products["store_id"] == "A", 4.0, 0.0),
        transfer_in=np.where(lp.store_products["store_id"] == "B", 4.0, 0.0),
    )
    assert any("C2" in v for v in verify_plan(sp, products, lanes, rounded))
    milp = solve_allocation(sp, products, lanes, replace(WHOLE, allow_production=False))
    assert milp.violations == [] and units(milp) == pytest.approx(3.0)


def test_a_minimum_transfer_gives_no_smaller_transfer():
    sp, products, lanes = _with_packs()
    plain = solve_allocation(sp, products, lanes, WHOLE)
    small = plain.transfers["units"]
    minimum = float(np.quantile(small, 0.5)) + 1
    assert (small < minimum).any()  # the plain plan has transfers below the minimum
    for settings in (
        replace(WHOLE, min_transfer_units=minimum),
        SolverSettings(min_transfer_units=minimum),
    ):
        plan = solve_allocation(sp, products, lanes, settings)
        assert plan.status == "optimal" and plan.violations == []
        assert (plan.transfers["units"] >= minimum - 1e-6).all()
        assert plan.objective >= solve_allocation(sp, products, lanes).objective - 1e-6
    # a plan that breaks the minimum is caught by the verifier
    settings = replace(WHOLE, min_transfer_units=minimum)
    plain.settings = settings
    assert any("minimum transfer" in v for v in verify_plan(sp, products, lanes, plain))
    with pytest.raises(ValueError, match="semi-continuous"):
        SolverSettings(min_transfer_units=5, backend="pulp")


def test_an_infeasibility_caused_only_by_whole_units_is_named_so():
    """A must shed 0.5 units to fit its capacity and may send exactly 0.5 (C2): feasible in
    fractions, not in whole units."""
    sp = sp_frame(
        [
            {
                "store_id": "A",
                "current_inv": 10.0,
                "demand": 4.5,
                "safety_stock": 9.5,
                "max_capacity": 5.0,
            },
            {"store_id": "B", "current_inv": 0.0, "demand": 1.0},
        ]
    )
    products, lanes = products_frame(), lanes_frame([("A", "B", 0.1)])
    assert solve_allocation(sp, products, lanes).status == "optimal"
    plan = solve_allocation(sp, products, lanes, WHOLE)
    status = plan.product_status.iloc[0]
    assert status["status"] == "infeasible"
    assert "only in whole packs of 1 units" in status["explanation"]
    assert "numerical trouble" not in status["explanation"]


def test_a_transfer_both_ways_on_a_lane_is_a_violation():
    sp, products, _ = surplus_short(0.1)
    lanes = lanes_frame([("A", "B", 0.1), ("B", "A", 0.1)])
    plan = solve_allocation(sp, products, lanes)
    assert plan.violations == [] and units(plan, "B", "A") == 0
    back = plan.transfers.assign(from_store="B", to_store="A", units=1.0)
    both = replace(plan, transfers=pd.concat([plan.transfers, back]))
    assert any("both ways" in v for v in verify_plan(sp, products, lanes, both))


def test_the_gap_to_the_relaxation_is_stated_per_product():
    sp, products, lanes = _with_packs()
    milp = solve_allocation(sp, products, lanes, WHOLE)
    status = with_relaxation(milp, sp, products, lanes, WHOLE, lambda _line: None)
    assert set(status["plan_units"]) == {"whole_packs"}
    assert (status["objective"] >= status["relaxation_objective"] - 1e-6).all()
    assert (status["objective"] > status["relaxation_objective"] + 1e-6).any()
    lp = solve_allocation(sp, products, lanes)
    fractional = with_relaxation(lp, sp, products, lanes, SolverSettings(), lambda _line: None)
    assert set(fractional["plan_units"]) == {"fractional"}
    assert fractional["relaxation_objective"].equals(fractional["objective"])


def test_whole_units_are_chosen_from_the_data_unless_forced():
    assert plans_in_whole_units("auto", True) and not plans_in_whole_units("auto", False)
    assert plans_in_whole_units("yes", False) and not plans_in_whole_units("no", True)
    with pytest.raises(ValueError, match="whole_units"):
        plans_in_whole_units("maybe", True)


def test_a_milp_out_of_time_is_rounded_down_and_keeps_every_constraint():
    """With no time to finish, each product is planned by its LP relaxation rounded down to
    whole packs: marked 'rounded', verified like any plan, never cheaper than the MILP."""
    sp, products, lanes = _with_packs()
    exact = solve_allocation(sp, products, lanes, WHOLE)
    rushed = solve_allocation(
        sp, products, lanes, replace(WHOLE, time_limit_s=1e-9, products_per_batch=1)
    )
    status = rushed.product_status.set_index("product_id")
    assert (status["status"] == "rounded").any()
    assert status.loc[status["status"] == "rounded", "explanation"].str.contains("rounding").all()
    assert rushed.violations == [] and rushed.status == "partial"
    _assert_whole_packs(rushed, products)
    assert rushed.objective >= exact.objective - 1e-6
