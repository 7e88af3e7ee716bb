"""The allocation LP: transfer network, model, solver, verification, baselines and scenarios.

Pure, typed functions on DataFrames; the Dagster asset (dagster_defs/assets/optimization.py)
reads the persisted LP inputs, calls `plan_with_baselines` and writes the results. Read
reference.py first: it writes the model out literally. See docs/methodology.md, section
Allocation LP.

Network and costs   haversine_km, shipping_zones, zone_rates, candidate_lanes, build_network,
                    LaneSettings (network.py); the cost model (pricing.py)
Shared rules        safety_stock, max_capacity (C5), transferable_stock (C2) (constraints.py)
Solving             SolverSettings, AllocationPlan (problem.py); solve_allocation (solve.py:
                    decomposed by product, exact, the shipped path); solve_joint (reference.py:
                    one literal PuLP model)
Checking, pricing   verify_plan (checks.py); price_plan, plan_cost, price_moves,
                    baseline_do_nothing, baseline_decentralised, baseline_rule_moves
                    (baselines.py)
Analysis            run_scenarios, scenario_inputs, pruning_gap (scenarios.py)
The asset's call    PlanInputs, PlanSettings, PlanResults, plan_with_baselines (plan.py)

Input tables (as dbt provides them, marts.allocation_inputs_*):
  store_products: store_id, product_id, current_inv, demand (units over the horizon),
      demand_std, lead_time_days, safety_stock, max_capacity (NaN = unlimited), holding_cost
      (per unit over the horizon), stockout_penalty, distribution_cost
  products: product_id, manufacturing_cost, max_production (NaN = unlimited)
  lanes: from_store, to_store, distance_km, cost_per_unit, lead_time_days, capacity_units
      (per lane and product; NaN/inf = unlimited)
Capacities are per store x product (a store-level capacity is split upstream by demand share),
so the model separates by product exactly.
"""

from python_assets.optimization.baselines import (
    baseline_decentralised,
    baseline_do_nothing,
    baseline_rule_moves,
    plan_cost,
    price_moves,
    price_plan,
)
from python_assets.optimization.checks import verify_plan
from python_assets.optimization.constraints import max_capacity, safety_stock, transferable_stock
from python_assets.optimization.network import (
    LaneSettings,
    build_network,
    candidate_lanes,
    haversine_km,
    shipping_zones,
    zone_rates,
)
from python_assets.optimization.plan import (
    PlanInputs,
    PlanResults,
    PlanSettings,
    plan_with_baselines,
)
from python_assets.optimization.problem import AllocationPlan, SolverSettings
from python_assets.optimization.reference import solve_joint
from python_assets.optimization.scenarios import pruning_gap, run_scenarios, scenario_inputs
from python_assets.optimization.solve import solve_allocation

__all__ = [
    "AllocationPlan",
    "LaneSettings",
    "PlanInputs",
    "PlanResults",
    "PlanSettings",
    "SolverSettings",
    "baseline_decentralised",
    "baseline_do_nothing",
    "baseline_rule_moves",
    "build_network",
    "candidate_lanes",
    "haversine_km",
    "max_capacity",
    "plan_cost",
    "plan_with_baselines",
    "price_moves",
    "price_plan",
    "pruning_gap",
    "run_scenarios",
    "safety_stock",
    "scenario_inputs",
    "shipping_zones",
    "solve_allocation",
    "solve_joint",
    "transferable_stock",
    "verify_plan",
    "zone_rates",
]
