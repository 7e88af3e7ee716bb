"""The allocation LP asset: reads the dbt input tables, solves 003's model product by product,
prices the baselines under the same cost model, runs the scenario grid, writes optimization.*."""

import time

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource
from pydantic import Field

from dagster_defs.resources import RESOLVED_SETTINGS, WarehouseSettingsResource
from python_assets.optimization.inputs import lane_settings_from_seed
from python_assets.optimization.solve import (
    SolverSettings,
    baseline_decentralised,
    baseline_do_nothing,
    price_moves,
    run_scenarios,
    solve_allocation,
)
from python_assets.warehouse import replace_tables

TABLES = {
    "transfer_plan": "Store-to-store transfers of the optimised plan: from, to, product, units, distance, cost.",
    "production_plan": "Central production (or purchase) per product.",
    "store_product_plan": "Per store x product: allocation from production, transfers in/out, ending inventory, stockout, fill rate.",
    "product_status": "Solver status per product, with the binding constraint of any product not solved to optimality.",
    "cost_breakdown": "Cost components of the optimised plan and of the baselines, per product and in total.",
    "scenario_results": "One row per scenario of seeds/scenario_grid.csv: costs, service level, units moved and produced.",
}
INPUT_KEYS = [
    ["marts", t]
    for t in (
        "allocation_inputs_store_product",
        "allocation_inputs_product",
        "allocation_inputs_lanes",
    )
]


class AllocationConfig(dg.Config):
    solver: str = Field(
        default="highs", description="LP solver: highs (default) or cbc (fallback)."
    )
    backend: str = Field(
        default="auto",
        description="How the model reaches the solver: auto (HiGHS array API for HiGHS, PuLP for CBC) or pulp.",
    )
    integer_units: bool = Field(
        default=False,
        description="Solve as a MILP: whole units transferred, allocated and produced.",
    )
    run_scenarios: bool = Field(
        default=True, description="Also solve the scenarios of seeds/scenario_grid.csv."
    )
    scenario_ids: list[str] = Field(
        default_factory=list,
        description="Scenario ids to solve; empty = every scenario of the grid.",
    )


def _breakdown(plan, plan_name: str) -> pd.DataFrame:
    return plan.cost_breakdown.assign(plan_name=plan_name, plan_status=plan.status)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["optimization", t],
            deps=[
                *INPUT_KEYS,
                ["intermediate", "int_rebalancing_moves"],
                ["reference", "scenario_grid"],
                RESOLVED_SETTINGS,
            ],
            description=d,
        )
        for t, d in TABLES.items()
    ],
    check_specs=[
        dg.AssetCheckSpec("plan_optimal_and_verified", asset=["optimization", "transfer_plan"])
    ],
    group_name="optimization",
)
def allocation_plan(
    context: dg.AssetExecutionContext,
    config: AllocationConfig,
    duckdb: DuckDBResource,
    warehouse_settings: WarehouseSettingsResource,
):
    with duckdb.get_connection() as con:
        store_products = con.execute("select * from marts.allocation_inputs_store_product").df()
        products = con.execute("select * from marts.allocation_inputs_product").df()
        lanes = con.execute("select * from marts.allocation_inputs_lanes").df()
        rule_moves = con.execute(
            "select donor_store_id as from_store, receiver_store_id as to_store, product_id, units from intermediate.int_rebalancing_moves"
        ).df()
        stores = con.execute(
            "select s.store_id, s.latitude, s.longitude, z.zone_id from staging.stg_inputs__stores s "
            "join intermediate.int_shipping_zones z using (store_id)"
        ).df()
        zones = con.execute(
            "select distinct zone_id, rate_per_km, lead_time_days from intermediate.int_shipping_zones"
        ).df()
        in_force = warehouse_settings.settings_in_force(con)
        network = lane_settings_from_seed(
            pd.DataFrame({"setting": list(in_force), "value": list(in_force.values())})
        )
        grid = con.execute("select * from reference.scenario_grid").df()
    settings = SolverSettings(
        solver=config.solver,
        integer=config.integer_units,
        max_lead_time_days=network.max_lead_time_days,
    )

    started = time.perf_counter()
    context.log.info(
        "solving %s store x product pairs, %s products, %s lanes",
        len(store_products),
        len(products),
        len(lanes),
    )
    plan = solve_allocation(
        store_products, products, lanes, settings,
        progress=lambda done, total, seconds: context.log.info("LP: %s / %s products solved, %.1f s", done, total, seconds),
    )  # fmt: skip
    context.log.info("plan %s in %.1f s", plan.status, time.perf_counter() - started)
    decentralised = baseline_decentralised(store_products, products, lanes, settings)
    baselines = {
        "do_nothing": baseline_do_nothing(store_products, products, lanes).cost_breakdown,
        "decentralised": decentralised.cost_breakdown,
        "zscore_rule_moves": price_moves(
            store_products, products, lanes, rule_moves, stores=stores, zones=zones,
            handling_cost=network.handling_cost, speed_km_per_day=network.speed_km_per_day,
        ),
    }  # fmt: skip
    costs = pd.concat(
        [
            _breakdown(plan, "optimised"),
            *(b.assign(plan_name=name, plan_status="baseline") for name, b in baselines.items()),
        ],
        ignore_index=True,
    )
    if config.run_scenarios:
        chosen = (
            grid if not config.scenario_ids else grid[grid.scenario_id.isin(config.scenario_ids)]
        )
        solved = {
            (settings.allow_transfers, settings.allow_production): plan,
            (False, settings.allow_production): decentralised,
        }
        scenarios = run_scenarios(
            store_products, products, lanes, chosen, settings, solved=solved, progress=context.log.info
        )  # fmt: skip
    else:
        scenarios = pd.DataFrame({"scenario_id": pd.Series(dtype="string")})
    frames = {
        "transfer_plan": plan.transfers,
        "production_plan": plan.production,
        "store_product_plan": plan.store_products,
        "product_status": plan.product_status,
        "cost_breakdown": costs,
        "scenario_results": scenarios.astype({"violations": "string"})
        if "violations" in scenarios
        else scenarios,
    }
    with duckdb.get_connection() as con:
        rows = replace_tables(con, "optimization", frames)

    total = costs[(costs.level == "total")].set_index("plan_name").total
    for table in TABLES:
        metadata = {"dagster/row_count": rows[table], "plan_status": plan.status}
        if table == "cost_breakdown":
            metadata["total cost by plan"] = dg.MetadataValue.md(
                total.round(2).to_frame().to_markdown()
            )
        if table == "transfer_plan":
            metadata |= {
                "fill_rate": round(plan.fill_rate, 4),
                "total_cost": round(plan.objective, 2),
                **{f"seconds/{k}": round(v, 2) for k, v in plan.timings.items()},
            }
        yield dg.MaterializeResult(asset_key=["optimization", table], metadata=metadata)
    not_optimal = plan.product_status[plan.product_status.status != "optimal"]
    yield dg.AssetCheckResult(
        check_name="plan_optimal_and_verified",
        asset_key=["optimization", "transfer_plan"],
        passed=plan.status == "optimal" and not plan.violations,
        metadata={
            "status": plan.status,
            "products_not_optimal": len(not_optimal),
            "violations": dg.MetadataValue.json(plan.violations[:20]),
            "explanations": dg.MetadataValue.md(
                not_optimal.head(20).to_markdown(index=False) if len(not_optimal) else "none"
            ),
        },
    )
    if plan.status == "failed":
        raise dg.Failure(f"the allocation plan failed verification: {plan.violations[:5]}")
