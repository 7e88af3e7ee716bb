"""The literal one-model formulation: the hand optimum, and the same optimum as the decomposed
solve product by product."""

from __future__ import annotations

import numpy as np
import pytest

from python_assets.optimization import SolverSettings, solve_allocation, solve_joint
from tests.optimization.instances import CBC, HIGHS, HOLD, small_random, surplus_short


def test_joint_model_gets_the_hand_optimum():
    sp, pr, ln = surplus_short(1.5)
    for s in (HIGHS, CBC):
        plan = solve_joint(sp, pr, ln, s)
        assert plan.status == "optimal" and plan.violations == []
        assert plan.objective == pytest.approx(3 * HOLD + 5 * 1.5)


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
