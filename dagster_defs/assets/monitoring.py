"""History and monitoring of weekly runs: the forecast and the plan appended to history tables keyed
by run and origin, earlier forecasts scored on the sales since, and drift of demand per class.
Every table here is written to the Parquet hand-off (python_assets/handoff.py); these steps only
read the warehouse file."""

from pathlib import Path

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource
from pydantic import Field

from dagster_defs.assets import AFTER_OTHER_READY_STEPS, warning_check
from dagster_defs.resources import WarehouseSettingsResource
from python_assets import handoff
from python_assets.forecasting.drift import demand_drift, drift_check
from python_assets.forecasting.history import forecast_history_rows
from python_assets.forecasting.monitoring import (
    MonitoringSettings,
    accuracy_degradation_check,
    score_forecast_history,
)
from python_assets.optimization.history import plan_cost_history_rows, plan_history_rows
from python_assets.run_history import append_run_tables, carry_over_warehouse_table

DEFAULTS = MonitoringSettings()
SALES_COLUMNS = (
    "store_id, product_id, sales_date, units_sold, is_stockout_censored, is_store_closed"
)
LAST_SALES_DAY = "select max(sales_date) from marts.fct_sales_daily"


class MonitoringConfig(dg.Config):
    max_wape_increase: float = Field(
        default=DEFAULTS.max_wape_increase,
        description="Warn when the latest monitored WAPE is this share above the backtest WAPE.",
    )
    drift_recent_days: int = Field(
        default=DEFAULTS.drift_recent_days, description="Recent window of the drift test (days)."
    )
    drift_reference_days: int = Field(
        default=DEFAULTS.drift_reference_days,
        description="Training window before the recent one, compared with it (days).",
    )
    drift_alpha: float = Field(
        default=DEFAULTS.drift_alpha, description="Level of the Kolmogorov-Smirnov test."
    )
    drift_min_statistic: float = Field(
        default=DEFAULTS.drift_min_statistic,
        description="Smallest KS statistic that counts as drift.",
    )

    def settings(self) -> MonitoringSettings:
        return MonitoringSettings(
            max_wape_increase=self.max_wape_increase,
            drift_recent_days=self.drift_recent_days,
            drift_reference_days=self.drift_reference_days,
            drift_alpha=self.drift_alpha,
            drift_min_statistic=self.drift_min_statistic,
        )


def recorded_now() -> pd.Timestamp:
    """When a history row was written, in UTC without a zone (DuckDB timestamp)."""
    return pd.Timestamp.now("UTC").tz_localize(None)


def demand_classes(handoff_dir: Path) -> pd.DataFrame:
    """Each series' demand class at the forecast origin (the forecast's hand-off table)."""
    classes = handoff.read_table(handoff_dir, "forecasting", "demand_classes")
    return classes[["store_id", "product_id", "demand_class"]]


def carry_over(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    handoff_dir: Path,
    schema: str,
    tables: list[str],
) -> None:
    """History an earlier version kept in the warehouse file moves to the hand-off once. The
    file is opened only while a history table has no hand-off file yet, so that later runs'
    history steps need not wait for their turn with it."""
    new = [t for t in tables if not handoff.has_table(handoff_dir, schema, t)]
    if not new:
        return
    with duckdb.get_connection() as con:
        for table in new:
            if n := carry_over_warehouse_table(con, handoff_dir, schema, table):
                context.log.info(
                    f"{schema}.{table}: {n} earlier rows carried over from the warehouse file"
                )


@dg.asset(
    key=["forecasting", "forecast_history"],
    deps=[["forecasting", "demand_forecast"], ["forecasting", "demand_classes"]],
    group_name="forecasting",
    op_tags=AFTER_OTHER_READY_STEPS,
    description="Every run's chosen forecast, appended (never overwritten), keyed by run_id and origin_date.",
)
def forecast_history(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    warehouse_settings: WarehouseSettingsResource,
) -> dg.MaterializeResult:
    handoff_dir = warehouse_settings.settings().handoff_dir
    forecast = handoff.read_table(handoff_dir, "forecasting", "demand_forecast", "is_chosen")
    classes = demand_classes(handoff_dir)
    rows = forecast_history_rows(forecast, classes, context.run.run_id, recorded_now())
    carry_over(context, duckdb, handoff_dir, "forecasting", ["forecast_history"])
    append_run_tables(handoff_dir, "forecasting", {"forecast_history": rows}, context.run.run_id)
    with handoff.connect(handoff_dir) as con:
        runs = con.execute(
            "select count(distinct run_id), count(*) from forecasting.forecast_history"
        ).fetchall()[0]
    return dg.MaterializeResult(
        metadata={
            "rows_this_run": len(rows),
            "origin_date": str(pd.Timestamp(rows["origin_date"].iloc[0]).date()),
            "runs_in_history": runs[0],
            "dagster/row_count": runs[1],
        }
    )


@dg.asset(
    key=["forecasting", "forecast_monitoring"],
    deps=[
        ["forecasting", "forecast_history"],
        ["forecasting", "forecast_backtest"],
        ["marts", "fct_sales_daily"],
        ["marts", "dim_stores"],
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "forecast_accuracy_within_backtest", asset=["forecasting", "forecast_monitoring"]
        )
    ],
    group_name="forecasting",
    description="Earlier runs' forecasts scored on the sales since: WAPE, WPE, coverage per run x origin x class / region.",
)
def forecast_monitoring(
    context: dg.AssetExecutionContext,
    config: MonitoringConfig,
    duckdb: DuckDBResource,
    warehouse_settings: WarehouseSettingsResource,
):
    settings = config.settings()
    handoff_dir = warehouse_settings.settings().handoff_dir
    with duckdb.get_connection() as con:
        last_sales_day = con.execute(LAST_SALES_DAY).fetchall()[0][0]
        # only forecast days that sales have reached, and sales after the first recorded origin
        history = handoff.read_table(
            handoff_dir,
            "forecasting",
            "forecast_history",
            f"cast(forecast_date as date) <= date '{last_sales_day}'",
        )
        sales = con.execute(
            f"select {SALES_COLUMNS} from marts.fct_sales_daily where sales_date > ?",
            [history["origin_date"].min() if len(history) else last_sales_day],
        ).df()
        stores = con.execute("select store_id, region from marts.dim_stores").df()
    backtest = handoff.read_table(handoff_dir, "forecasting", "forecast_backtest")
    monitoring = score_forecast_history(history, sales, stores, settings)
    rows = handoff.write_tables(handoff_dir, "forecasting", {"forecast_monitoring": monitoring})
    overall = monitoring[monitoring["segment_type"] == "all"]
    context.log.info("scored %s earlier forecasts on the sales since", len(overall))
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows["forecast_monitoring"],
            "forecasts scored": dg.MetadataValue.md(
                overall.drop(columns=["segment_type", "segment_value"])
                .round({c: 4 for c in overall.select_dtypes("number").columns})
                .to_markdown(index=False)
                if len(overall)
                else "none yet: no earlier forecast has sales after its origin"
            ),
        }
    )
    outcome = accuracy_degradation_check(monitoring, backtest, settings)
    yield warning_check(context, outcome, ["forecasting", "forecast_monitoring"])


@dg.asset(
    key=["forecasting", "demand_drift"],
    deps=[["forecasting", "demand_classes"], ["marts", "fct_sales_daily"]],
    check_specs=[dg.AssetCheckSpec("demand_not_drifted", asset=["forecasting", "demand_drift"])],
    group_name="forecasting",
    description="Drift of daily demand per class, recent window vs training window (two-sample KS test).",
)
def demand_drift_asset(
    context: dg.AssetExecutionContext,
    config: MonitoringConfig,
    duckdb: DuckDBResource,
    warehouse_settings: WarehouseSettingsResource,
):
    settings = config.settings()
    days = settings.drift_recent_days + settings.drift_reference_days
    with duckdb.get_connection() as con:
        sales = con.execute(
            f"select {SALES_COLUMNS} from marts.fct_sales_daily "
            f"where sales_date > ({LAST_SALES_DAY}) - cast(? as integer)",
            [days],
        ).df()
    handoff_dir = warehouse_settings.settings().handoff_dir
    drift = demand_drift(sales, demand_classes(handoff_dir), settings)
    rows = handoff.write_tables(handoff_dir, "forecasting", {"demand_drift": drift})
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows["demand_drift"],
            "drift per class": dg.MetadataValue.md(
                drift[
                    [
                        "demand_class",
                        "n_recent",
                        "mean_reference",
                        "mean_recent",
                        "statistic",
                        "p_value",
                        "drifted",
                    ]
                ]
                .round(4)
                .to_markdown(index=False)
            ),
        }
    )
    yield warning_check(context, drift_check(drift), ["forecasting", "demand_drift"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["optimization", "plan_history"],
            deps=[["optimization", "store_product_plan"], ["marts", "fct_sales_daily"]],
            description="Every run's store x product plan (allocation, transfers, outcome), appended, keyed by run_id and origin_date.",
        ),
        dg.AssetSpec(
            ["optimization", "plan_cost_history"],
            deps=[["optimization", "cost_breakdown"], ["marts", "fct_sales_daily"]],
            description="Every run's total cost per plan (the optimised plan and each baseline), appended, keyed by run_id and origin_date.",
        ),
    ],
    group_name="optimization",
    op_tags=AFTER_OTHER_READY_STEPS,
    # one run with allocation_plan's partitions (`dagster asset materialize --partition-range`
    # asks it of every asset it runs)
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def plan_history(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    warehouse_settings: WarehouseSettingsResource,
):
    handoff_dir = warehouse_settings.settings().handoff_dir
    plan = handoff.read_table(handoff_dir, "optimization", "store_product_plan")
    costs = handoff.read_table(handoff_dir, "optimization", "cost_breakdown")
    recorded_at = recorded_now()
    with duckdb.get_connection() as con:
        origin = pd.Timestamp(con.execute(LAST_SALES_DAY).fetchall()[0][0])
    carry_over(context, duckdb, handoff_dir, "optimization", ["plan_history", "plan_cost_history"])
    frames = {
        "plan_history": plan_history_rows(plan, context.run.run_id, origin, recorded_at),
        "plan_cost_history": plan_cost_history_rows(costs, context.run.run_id, origin, recorded_at),
    }
    rows = append_run_tables(handoff_dir, "optimization", frames, context.run.run_id)
    for table, n in rows.items():
        yield dg.MaterializeResult(
            asset_key=["optimization", table],
            metadata={"rows_this_run": n, "origin_date": str(origin.date())},
        )
