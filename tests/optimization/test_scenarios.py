"""Scenario grid and the cost of lane pruning."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from python_assets.optimization import (
    SolverSettings,
    baseline_decentralised,
    candidate_lanes,
    pruning_gap,
    run_scenarios,
    shipping_zones,
    solve_allocation,
    zone_rates,
)
from python_assets.optimization.synthetic import synthetic_instance
from tests.optimization.instances import small_random


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
    keep = SolverSettings(keep_bases=True)  # as the plan keeps them for its scenarios
    solved = {
        (True, True): solve_allocation(sp, pr, lanes, keep),
        (False, True): baseline_decentralised(sp, pr, lanes, keep),
    }
    lines: list[str] = []
    reused = run_scenarios(sp, pr, lanes, grid, solved=solved, progress=lines.append)
    fresh = run_scenarios(sp, pr, lanes, grid)

    figures = ["total_cost", "units_transferred", "units_produced", "fill_rate", "n_transfers"]
    pd.testing.assert_frame_equal(reused[figures], fresh[figures], rtol=1e-9)
    assert [line.split(":")[1].split(",")[0].strip() for line in lines] == [
        "reused",
        "solved from the plan's basis",  # the plan with the same flags: a warm start
        "reused",
    ]
    assert lines[1].startswith(
        "scenario 2 / 3 demand_plus_20: solved from the plan's basis, optimal, total cost "
    )


@pytest.mark.parametrize("processes", [1, 2], ids=["here", "in_workers"])
def test_a_scenario_started_from_the_plans_basis_has_the_same_optimum(processes: int) -> None:
    # demand x 1.3: the plan's optimal basis is a start for the simplex, not an answer; the
    # scenario's optimum is the one a cold solve finds, product by product, in fewer iterations
    inst, lanes = small_random(seed=5, n_stores=30, n_products=20, n_pairs=400)
    settings = SolverSettings(processes=processes, parallel_min_store_products=0)
    assert solve_allocation(inst.store_products, inst.products, lanes, settings).bases == {}
    keep = replace(settings, keep_bases=True)
    plan = solve_allocation(inst.store_products, inst.products, lanes, keep)
    assert len(plan.bases) >= 1
    shocked = inst.store_products.assign(demand=inst.store_products["demand"] * 1.3)
    cold = solve_allocation(shocked, inst.products, lanes, settings)
    warm = solve_allocation(shocked, inst.products, lanes, settings, warm_start=plan.bases)
    assert cold.status == warm.status == "optimal" and warm.violations == []
    objectives = [p.product_status.set_index("product_id")["objective"] for p in (cold, warm)]
    pd.testing.assert_series_equal(objectives[1], objectives[0], rtol=1e-6)
    assert warm.timings["simplex_iterations"] < cold.timings["simplex_iterations"]
