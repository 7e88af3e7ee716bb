"""plan_with_baselines: the one call the Dagster asset makes, from the LP inputs to every
optimization.* table."""

from __future__ import annotations

from dataclasses import replace
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
from python_assets.optimization.parallel import partition_keys
from python_assets.optimization.plan import combined_status, plan_by_partition, plan_totals
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


def test_the_plans_of_the_product_partitions_add_up_to_the_plan_of_every_product():
    inputs = plan_inputs()
    settings = PlanSettings(scenario_ids=("base", "demand_plus_20", "penalty_low"))
    whole = plan_with_baselines(inputs, settings)
    lines: list[str] = []
    by_key = plan_by_partition(inputs, partition_keys(2), settings, log=lines.append)
    assert list(by_key) == partition_keys(2) and "product partition shard-2-of-2" in lines
    parts = list(by_key.values())
    products = [set(p.plan.product_status["product_id"]) for p in parts]
    assert products[0] and products[1] and not products[0] & products[1]
    assert products[0] | products[1] == set(inputs.products["product_id"])

    costs = pd.concat([p.cost_breakdown for p in parts], ignore_index=True)
    pd.testing.assert_series_equal(
        plan_totals(costs).set_index("plan_name")["total"], whole.total_cost_by_plan()
    )
    added = pd.concat([p.scenarios for p in parts]).groupby("scenario_id", sort=False)
    expected = whole.scenarios.set_index("scenario_id")
    for column in ("total_cost", "demand_units", "stockout_units", "units_transferred"):
        pd.testing.assert_series_equal(
            added[column].sum(), expected[column], check_names=False, rtol=1e-9
        )


def test_one_status_for_the_partitions_of_a_plan():
    assert combined_status(["optimal", "optimal"]) == "optimal"
    assert combined_status(["baseline", "baseline"]) == "baseline"
    assert combined_status(["optimal", "partial"]) == "partial"
    assert combined_status(["optimal", "failed", "partial"]) == "failed"


def test_a_partition_without_products_plans_nothing_and_costs_nothing():
    """A network of one product (a hard case): one of two partitions is empty."""
    inputs = plan_inputs()
    first = inputs.products["product_id"].iloc[:1]
    one = replace(
        inputs,
        store_products=inputs.store_products[inputs.store_products["product_id"].isin(first)],
        products=inputs.products[inputs.products["product_id"].isin(first)],
    )
    settings = PlanSettings(scenario_ids=("base",))
    parts = [plan_with_baselines(one.for_partition(k), settings) for k in partition_keys(2)]
    empty, full = sorted(parts, key=lambda p: len(p.plan.product_status))
    assert len(empty.plan.product_status) == 0 and len(full.plan.product_status) == 1
    assert len(empty.tables()["store_product_plan"]) == 0
    assert (empty.total_cost_by_plan() == 0).all()
    assert empty.scenarios["total_cost"].tolist() == [0.0]
    assert full.plan.status == "optimal"
