"""plan_with_baselines: the one call the Dagster asset makes, from the LP inputs to every
optimization.* table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from python_assets.optimization import (
    LaneSettings,
    PlanInputs,
    PlanSettings,
    SolverSettings,
    baseline_decentralised,
    baseline_do_nothing,
    build_network,
    plan_with_baselines,
    solve_allocation,
)
from python_assets.optimization.synthetic import synthetic_instance

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TABLES = {
    "transfer_plan",
    "production_plan",
    "store_product_plan",
    "product_status",
    "cost_breakdown",
    "scenario_results",
}


def plan_inputs(max_lead_time: str = "") -> PlanInputs:
    inst = synthetic_instance(16, 6, 60, n_cities=3, seed=5)
    store_zones, zones, lanes = build_network(
        inst.stores, LaneSettings(n_zones=3, k_nearest=None, max_lead_time_days=None)
    )
    # the rule moves one unit between the first two stores that stock the first product
    first = inst.store_products[inst.store_products["product_id"] == inst.products["product_id"][0]]
    moves = pd.DataFrame(
        {
            "from_store": [first["store_id"].iloc[0]],
            "to_store": [first["store_id"].iloc[1]],
            "product_id": [first["product_id"].iloc[0]],
            "units": [1.0],
        }
    )
    network_settings = pd.DataFrame(
        {
            "setting": ["transfer_handling_cost_per_unit", "max_lane_lead_time_days"],
            "value": ["0.05", max_lead_time],
        }
    )
    return PlanInputs(
        store_products=inst.store_products,
        products=inst.products,
        lanes=lanes,
        rule_moves=moves,
        stores=inst.stores.merge(store_zones, on="store_id"),
        zones=zones,
        network_settings=network_settings,
        scenario_grid=pd.read_csv(SEEDS / "scenario_grid.csv"),
    )


def test_plan_with_baselines_gives_every_table_and_prices_every_plan_alike():
    inputs = plan_inputs()
    lines: list[str] = []
    settings = PlanSettings(scenario_ids=("base", "demand_plus_20", "decentralised"))
    results = plan_with_baselines(inputs, settings, log=lines.append)

    sp, pr, ln = inputs.store_products, inputs.products, inputs.lanes
    assert results.plan.status == "optimal" and results.plan.violations == []
    assert results.plan.objective == pytest.approx(solve_allocation(sp, pr, ln).objective)
    assert set(results.tables()) == TABLES
    totals = results.total_cost_by_plan()
    assert list(totals.index) == ["optimised", "do_nothing", "decentralised", "zscore_rule_moves"]
    assert totals["do_nothing"] == pytest.approx(baseline_do_nothing(sp, pr, ln).objective)
    assert totals["decentralised"] == pytest.approx(baseline_decentralised(sp, pr, ln).objective)
    assert totals["optimised"] < totals["decentralised"] < totals["do_nothing"]
    scenarios = results.tables()["scenario_results"]
    assert list(scenarios["scenario_id"]) == ["base", "demand_plus_20", "decentralised"]
    assert scenarios["violations"].dtype == "string"
    # the base scenario is the plan itself, not solved again
    assert scenarios.set_index("scenario_id").loc["base", "total_cost"] == totals["optimised"]
    assert any(line.startswith("LP: ") for line in lines)
    assert any("scenario 2 / 3 demand_plus_20: solved" in line for line in lines)


def test_plan_with_baselines_applies_the_network_service_limit_and_can_skip_scenarios():
    inputs = plan_inputs(max_lead_time="0.5")  # shorter than any lane: no transfer
    settings = PlanSettings(solver=SolverSettings(), run_scenarios=False)
    results = plan_with_baselines(inputs, settings)
    assert results.plan.settings.max_lead_time_days == 0.5
    assert results.plan.transfers.empty and results.plan.status == "optimal"
    assert list(results.tables()["scenario_results"].columns) == ["scenario_id"]
