"""The Definitions object: assets, resources and the executor."""

from __future__ import annotations

import functools

import dagster as dg

from dagster_defs.assets.dbt import DBT_EXECUTABLE, DBT_LAYERS, dbt_project
from dagster_defs.assets.forecasting import build_demand_forecast, forecast_backtest
from dagster_defs.assets.imbalance import step8_csv
from dagster_defs.assets.inputs import input_files, raw_tables
from dagster_defs.assets.monitoring import (
    demand_drift_asset,
    forecast_history,
    forecast_monitoring,
    plan_history,
)
from dagster_defs.assets.optimization import build_allocation_plan, policy_replay
from dagster_defs.assets.reporting import published_marts, rebalancing_report
from dagster_defs.resources import (
    WarehouseDbtResource,
    WarehouseDuckDBResource,
    WarehouseSettingsResource,
)
from dagster_defs.schedules import build_input_sensor, build_weekly_pipeline, whole_pipeline
from python_assets.settings import WarehouseSettings


def build_definitions(
    settings: WarehouseSettings, executor: dg.ExecutorDefinition = dg.in_process_executor
) -> dg.Definitions:
    """The assets, jobs, schedule, sensor and resources of the run settings. The executor is
    in-process (steps one after another) unless the caller owns the run lock and the backup for
    every step, as `make run` does (dagster_defs/run.py)."""
    settings.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    return dg.Definitions(
        assets=[
            input_files,
            raw_tables,
            *DBT_LAYERS,
            forecast_backtest,
            build_demand_forecast(settings.plan_partitions),
            build_allocation_plan(settings.plan_partitions),
            policy_replay,
            forecast_history,
            forecast_monitoring,
            demand_drift_asset,
            plan_history,
            step8_csv,
            rebalancing_report,
            published_marts,
        ],
        jobs=[whole_pipeline],
        schedules=[build_weekly_pipeline(settings)],
        sensors=[build_input_sensor(settings)],
        resources={
            "warehouse_settings": WarehouseSettingsResource.from_settings(settings),
            "duckdb": WarehouseDuckDBResource(
                database=str(settings.duckdb_path), handoff_dir=str(settings.handoff_dir)
            ),
            "dbt": WarehouseDbtResource(
                project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)
            ),
        },
        executor=executor,
    )


@functools.cache
def env_definitions() -> dg.Definitions:
    """The Definitions of the run settings in the environment (README, Settings)."""
    return build_definitions(WarehouseSettings.from_env())
