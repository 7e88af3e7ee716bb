"""The allocation LP asset: reads the persisted LP inputs, calls `plan_with_baselines` (the plan,
its baselines under the same cost model, the scenario grid) for each product partition it is
asked for and hands its part of optimization.* to dbt as Parquet (python_assets/handoff.py)."""

from dataclasses import replace

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource
from duckdb import DuckDBPyConnection
from pydantic import Field

from dagster_defs.assets import AFTER_OTHER_READY_STEPS, warning_check
from dagster_defs.resources import RESOLVED_SETTINGS, WarehouseSettingsResource
from python_assets import handoff
from python_assets.imbalance.zscores import RuleSettings
from python_assets.optimization import (
    PlanInputs,
    PlanSettings,
    SolverSettings,
)
from python_assets.optimization.inputs import lane_settings_from_seed, plans_in_whole_units
from python_assets.optimization.parallel import combine_plans, partition_keys
from python_assets.optimization.plan import plan_by_partition, plan_totals
from python_assets.optimization.replay import (
    ReplayInputs,
    ReplaySettings,
    RuleInputs,
    replay_policies,
)
from python_assets.optimization.replay.compare import replay_check

TABLES = {
    "transfer_plan": "Store-to-store transfers of the optimised plan: from, to, product, units, distance, cost.",
    "production_plan": "Central production (or purchase) per product.",
    "store_product_plan": "Per store x product: allocation from production, transfers in/out, ending inventory, stockout, fill rate.",
    "product_status": "Solver status per product, with the binding constraint of any product not solved to optimality.",
    "cost_breakdown": "Cost components of the optimised plan and of the baselines, per product and in total.",
    "scenario_results": "One row per scenario of seeds/scenario_grid.csv: costs, service level, units moved and produced.",
}
# the tables with a row per partition that dbt adds up: each row says its partition
PARTITION_TOTALS = ("cost_breakdown", "scenario_results")
STORES_SQL = (
    "select s.store_id, s.latitude, s.longitude, z.zone_id from staging.stg_inputs__stores s "
    "join intermediate.int_shipping_zones z using (store_id)"
)
ZONES_SQL = (
    "select distinct zone_id, rate_per_km, lead_time_days from intermediate.int_shipping_zones"
)
WHOLE_DATA_SQL = """
select
    (select coalesce(bool_and(units_sold = round(units_sold)), true) from marts.fct_sales_daily)
    and (select coalesce(bool_and(current_inv = round(current_inv)), true)
        from intermediate.int_store_product_allocation_terms)
"""


def settings_frame(in_force: dict[str, str | None]) -> pd.DataFrame:
    """The settings in force as the (setting, value) frame the seed readers take."""
    return pd.DataFrame({"setting": list(in_force), "value": list(in_force.values())})


def solver_settings(
    con: DuckDBPyConnection, solver: str, whole_units: str, in_force: dict[str, str | None], **more
) -> SolverSettings:
    """The run's solver settings: whole packs or fractional units (`plans_in_whole_units` on
    the warehouse's sales and stock) and the minimum transfer of the settings in force."""
    whole = plans_in_whole_units(whole_units, bool(con.execute(WHOLE_DATA_SQL).fetchone()[0]))
    return SolverSettings(
        solver=solver,
        integer=whole,
        min_transfer_units=float(in_force.get("min_transfer_units") or 0.0),
        **more,
    )


INPUT_KEYS = [
    ["marts", t]
    for t in (
        "allocation_inputs_store_product",
        "allocation_inputs_product",
        "allocation_inputs_lanes",
    )
]


# what the replay reads instead of the first two: the same terms before today's forecast, so
# that it can start as soon as the backtest's forecasts exist (docs/methodology.md, "Policy
# replay")
REPLAY_INPUT_KEYS = [
    ["intermediate", "int_store_product_allocation_terms"],
    ["intermediate", "int_product_allocation_terms"],
    ["marts", "allocation_inputs_lanes"],
]


def read_allocation_inputs(
    con: DuckDBPyConnection, keys: list[list[str]] = INPUT_KEYS
) -> list[pd.DataFrame]:
    """The LP's inputs: marts.allocation_inputs_store_product, _product and _lanes (or the
    tables at `keys`)."""
    return [con.execute(f"select * from {'.'.join(key)}").df() for key in keys]


class AllocationConfig(dg.Config):
    solver: str = Field(
        default="highs", description="LP solver: highs (default) or cbc (fallback)."
    )
    backend: str = Field(
        default="auto",
        description="How the model reaches the solver: auto (HiGHS array API for HiGHS, PuLP for CBC) or pulp.",
    )
    whole_units: str = Field(
        default="auto",
        description="auto (default): whole units, in packs of products.pack_size, where every "
        "sales and stock figure of the input is whole (a MILP), fractional units otherwise "
        "(the LP); yes or no forces one or the other.",
    )
    mip_time_limit_s: float = Field(
        default=60.0,
        description="Seconds per MILP solver call; a product not finished by then is planned "
        "by rounding its LP relaxation down to whole packs (status 'rounded').",
    )
    run_scenarios: bool = Field(
        default=True, description="Also solve the scenarios of seeds/scenario_grid.csv."
    )
    scenario_ids: list[str] = Field(
        default_factory=list,
        description="Scenario ids to solve; empty = every scenario of the grid.",
    )


def plan_partitions(partitions: int) -> dg.StaticPartitionsDefinition:
    """The product partitions of the plan (PLAN_PARTITIONS of them, README "The pipeline")."""
    return dg.StaticPartitionsDefinition(partition_keys(partitions))


def every_partition_tags(partitions: int) -> dict[str, str]:
    """Run tags that plan every product partition in one run (one step; its LPs still go to the
    worker processes): what `make run`, the schedule and the sensor launch."""
    keys = partition_keys(partitions)
    return {
        "dagster/asset_partition_range_start": keys[0],
        "dagster/asset_partition_range_end": keys[-1],
    }


def build_allocation_plan(partitions: int) -> dg.AssetsDefinition:
    """The allocation_plan asset over `partitions` product partitions. Products share no
    constraint, so each partition is planned, priced against its baselines and run through the
    scenarios on its own, and writes its own part of every optimization.* table; dbt adds the
    partitions' totals up (marts.allocation_cost_breakdown, scenario_comparison). A run over a
    range of partitions (BackfillPolicy.single_run) plans them one after another in one step."""

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
                # a label to select the partitioned assets by: --select tag:product_partitions
                tags={"product_partitions": ""},
            )
            for t, d in TABLES.items()
        ],
        check_specs=[
            dg.AssetCheckSpec("plan_optimal_and_verified", asset=["optimization", "transfer_plan"])
        ],
        group_name="optimization",
        partitions_def=plan_partitions(partitions),
        backfill_policy=dg.BackfillPolicy.single_run(),
        name="allocation_plan",
    )
    def allocation_plan(
        context: dg.AssetExecutionContext,
        config: AllocationConfig,
        duckdb: DuckDBResource,
        warehouse_settings: WarehouseSettingsResource,
    ):
        with duckdb.get_connection() as con:
            # the network settings in force for this run (seeds with the run's overrides)
            in_force = warehouse_settings.settings_in_force(con)
            store_products, products, lanes = read_allocation_inputs(con)
            inputs = PlanInputs(
                store_products=store_products,
                products=products,
                lanes=lanes,
                rule_moves=con.execute(
                    "select donor_store_id as from_store, receiver_store_id as to_store, product_id, units from intermediate.int_rebalancing_moves"
                ).df(),
                stores=con.execute(STORES_SQL).df(),
                zones=con.execute(ZONES_SQL).df(),
                network_settings=settings_frame(in_force),
                scenario_grid=con.execute("select * from reference.scenario_grid").df(),
            )
            solver = solver_settings(
                con,
                config.solver,
                config.whole_units,
                in_force,
                backend=config.backend,
                processes=warehouse_settings.settings().worker_processes,
            )
            if solver.integer:
                solver = replace(solver, time_limit_s=config.mip_time_limit_s)
        settings = PlanSettings(
            solver=solver,
            run_scenarios=config.run_scenarios,
            scenario_ids=tuple(config.scenario_ids),
        )
        parts = plan_by_partition(inputs, context.partition_keys, settings, log=context.log.info)
        rows: dict[str, int] = dict.fromkeys(TABLES, 0)
        for key, results in parts.items():
            tables = results.tables()
            for name in PARTITION_TOTALS:
                tables[name] = tables[name].assign(product_partition=key)
            written = handoff.write_tables(
                warehouse_settings.settings().handoff_dir, "optimization", tables, part=key
            )
            rows = {table: rows[table] + written[table] for table in TABLES}
        plan = combine_plans([r.plan for r in parts.values()], solver)
        costs = pd.concat([r.cost_breakdown for r in parts.values()], ignore_index=True)
        total = plan_totals(costs).set_index("plan_name")["total"]
        for table in TABLES:
            metadata = {
                "dagster/row_count": rows[table],
                "plan_status": plan.status,
                "partitions": ", ".join(context.partition_keys),
            }
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
                "partitions": ", ".join(context.partition_keys),
                "products_not_optimal": len(not_optimal),
                "violations": dg.MetadataValue.json(plan.violations[:20]),
                "explanations": dg.MetadataValue.md(
                    not_optimal.head(20).to_markdown(index=False) if len(not_optimal) else "none"
                ),
            },
        )
        if plan.status == "failed":
            raise dg.Failure(f"the allocation plan failed verification: {plan.violations[:5]}")

    return allocation_plan


REPLAY_TABLES = {
    "policy_replay_detail": "The policy replay per origin x policy x store x product: demand that followed, served, lost, ending stock, costs.",
    "policy_replay_origins": "The policy replay per origin x policy: plan status, stock source, cost under the LP model on the realised totals, expected fill rate.",
    "policy_replay_summary": "Each policy against doing nothing and the perfect-foresight bound: cost and fill-rate differences with 95% block-bootstrap intervals and a paired test.",
}
# from the first origin back over the Z-score rule's seasonal blend (a year and its recent weeks);
# no origin (a history too short for a backtest): no rows
REPLAY_SALES_SQL = """
select store_id, product_id, sales_date, units_sold, latent_demand_units, is_stockout_censored
from marts.fct_sales_daily
where sales_date > cast(? as date) - to_days(364 + 7 * ?)
"""
RULE_CLUSTERS_SQL = (
    "select store_id, subcategory, cluster_id from intermediate.int_store_subcategory_zscores"
)


class ReplayConfig(dg.Config):
    origins: int = Field(
        default=4,
        description="Backtest origins replayed (the last ones; each is followed by H days of actual sales).",
    )
    solver: str = Field(default="highs", description="LP solver: highs (default) or cbc.")
    whole_units: str = Field(
        default="auto",
        description="As allocation_plan's whole_units: plan every policy in whole packs "
        "(auto: where the input's units are whole).",
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["optimization", t],
            deps=[
                *REPLAY_INPUT_KEYS,
                ["forecasting", "backtest_forecasts"],
                ["staging", "stg_inputs__inventory_snapshots"],
                ["marts", "fct_sales_daily"],
                ["reference", "service_levels"],
                ["intermediate", "int_store_subcategory_zscores"],
                RESOLVED_SETTINGS,
            ],
            description=d,
        )
        for t, d in REPLAY_TABLES.items()
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "plan_not_worse_than_doing_nothing", asset=["optimization", "policy_replay_summary"]
        )
    ],
    group_name="optimization",
    op_tags=AFTER_OTHER_READY_STEPS,
    # one run with allocation_plan's partitions (`dagster asset materialize --partition-range`
    # asks it of every asset it runs)
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def policy_replay(
    context: dg.AssetExecutionContext,
    config: ReplayConfig,
    duckdb: DuckDBResource,
    warehouse_settings: WarehouseSettingsResource,
):
    with duckdb.get_connection() as con:
        in_force = warehouse_settings.settings_in_force(con)
        rule_settings = RuleSettings.from_settings(in_force)
        network = lane_settings_from_seed(settings_frame(in_force))
        forecasts = handoff.read_table(
            warehouse_settings.settings().handoff_dir, "forecasting", "backtest_forecasts"
        )
        first_origin = forecasts["origin_date"].min() if len(forecasts) else None
        store_products, products, lanes = read_allocation_inputs(con, REPLAY_INPUT_KEYS)
        inputs = ReplayInputs(
            store_products=store_products,
            products=products,
            lanes=lanes,
            forecasts=forecasts,
            snapshots=con.execute("select * from staging.stg_inputs__inventory_snapshots").df(),
            sales=con.execute(
                REPLAY_SALES_SQL, [first_origin, rule_settings.blend_recent_weeks]
            ).df(),
            z_alpha=float(
                con.execute(
                    "select z_alpha from reference.service_levels where is_default"
                ).fetchone()[0]
            ),
            rule=RuleInputs(
                subcategories=con.execute(
                    "select product_id, subcategory from staging.stg_inputs__products"
                ).df(),
                clusters=con.execute(RULE_CLUSTERS_SQL).df(),
                settings=rule_settings,
                pricing={
                    "stores": con.execute(STORES_SQL).df(),
                    "zones": con.execute(ZONES_SQL).df(),
                    "handling_cost": network.handling_cost,
                    "speed_km_per_day": network.speed_km_per_day,
                },
            ),
        )
        solver = solver_settings(
            con,
            config.solver,
            config.whole_units,
            in_force,
            processes=warehouse_settings.settings().worker_processes,
        )
    settings = ReplaySettings(origins=config.origins, solver=solver)
    result = replay_policies(inputs, settings, log=context.log.info)
    rows = handoff.write_tables(
        warehouse_settings.settings().handoff_dir, "optimization", result.tables()
    )
    summary = result.summary
    for table in REPLAY_TABLES:
        metadata = {"dagster/row_count": rows[table]}
        if table == "policy_replay_summary" and len(summary):
            metadata["summary"] = dg.MetadataValue.md(summary.round(4).to_markdown(index=False))
        yield dg.MaterializeResult(asset_key=["optimization", table], metadata=metadata)
    yield warning_check(context, replay_check(summary), ["optimization", "policy_replay_summary"])
