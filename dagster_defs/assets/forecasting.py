"""Demand forecast asset: reads clean daily demand, forecasts every active series, hands the
tables to dbt as Parquet (python_assets/handoff.py)."""

import dagster as dg
import duckdb
import pandas as pd
from dagster_duckdb import DuckDBResource
from pydantic import Field

from dagster_defs.resources import RESOLVED_SETTINGS, WarehouseSettingsResource
from python_assets import handoff
from python_assets.forecasting import ForecastSettings, forecast_demand
from python_assets.forecasting.backtest import backtest_history_days
from python_assets.forecasting.guardrails import (
    bias_check,
    interval_coverage_check,
    zero_forecast_check,
)
from python_assets.forecasting.panel import planned_covariates_frame
from python_assets.forecasting.selection import choice_table
from python_assets.reporting.charts import forecast_series_png, png_data_uri

HISTORY_SQL = """
select store_id, product_id, sales_date, units_sold, latent_demand_units, is_stockout_censored,
       is_store_closed, stockout_hours, stockout_hours_6_22, price_ratio, is_promo, is_holiday,
       precipitation, avg_temperature, avg_humidity, avg_wind_level
from marts.fct_sales_daily
where sales_date > (select max(sales_date) from marts.fct_sales_daily) - cast(? as integer)
"""


GUARDRAILS = ForecastSettings().guardrails
GUARDRAIL_CHECKS = ("forecast_bias_within_bound", "no_zero_forecast_for_selling_series")


PLANNED_COVARIATES = ("staging", "stg_inputs__planned_covariates")


def read_planned_covariates(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """The optional planned_covariates input, where the warehouse has it and it has rows."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        list(PLANNED_COVARIATES),
    ).fetchone()[0]
    if not exists:
        return None
    planned = con.execute(f"select * from {'.'.join(PLANNED_COVARIATES)}").df()
    return planned_covariates_frame(planned) if len(planned) else None


class ForecastConfig(dg.Config):
    backtest_windows: int = Field(
        default=4, description="Rolling-origin backtest windows behind the model choice."
    )
    # enough for the backtest windows, lags and rolling means; a longer history mostly costs time
    # (yearly seasonality is the seasonal blend's job, not this one's)
    history_days: int = Field(
        default=120,
        description="Days of sales history the forecast reads (more where a long planning "
        "horizon needs them for its backtest windows).",
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["forecasting", "demand_forecast"],
            deps=[
                ["marts", "fct_sales_daily"],
                ["marts", "dim_products"],
                list(PLANNED_COVARIATES),
                RESOLVED_SETTINGS,
            ],
            description="Daily forecast of every active store x product over the horizon, with 80% / 95% intervals.",
        ),
        dg.AssetSpec(
            ["forecasting", "forecast_backtest"],
            deps=[["marts", "fct_sales_daily"], ["marts", "dim_products"]],
            description="Rolling-origin backtest: accuracy per model x window x segment.",
        ),
        dg.AssetSpec(
            ["forecasting", "backtest_forecasts"],
            deps=[["marts", "fct_sales_daily"], ["marts", "dim_products"]],
            description="The chosen forecast at every scored backtest origin: H-day total and its std per series (what the policy replay plans with).",
        ),
        dg.AssetSpec(
            ["forecasting", "demand_classes"],
            deps=[["marts", "fct_sales_daily"]],
            description="Demand class of every store x product at the forecast origin.",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "interval_coverage_calibrated", asset=["forecasting", "forecast_backtest"]
        ),
        # guardrails: blocking (the default severity) keeps the plan, downstream of the
        # forecast, from running on a forecast that fails them
        *[
            dg.AssetCheckSpec(
                name,
                asset=["forecasting", "demand_forecast"],
                blocking=GUARDRAILS.severity == "block",
            )
            for name in GUARDRAIL_CHECKS
        ],
    ],
    group_name="forecasting",
)
def demand_forecast(
    context: dg.AssetExecutionContext,
    config: ForecastConfig,
    duckdb: DuckDBResource,
    warehouse_settings: WarehouseSettingsResource,
):
    with duckdb.get_connection() as con:
        # the forecast covers the days the plan covers (planning_horizon_days, with the run's
        # overrides), so the plan's demand, holding cost and safety stock speak of one horizon
        horizon = int(warehouse_settings.settings_in_force(con)["planning_horizon_days"])
        settings = ForecastSettings(horizon=horizon, backtest_windows=config.backtest_windows)
        # more than configured where the backtest's windows of H days would not fit in it
        days = max(config.history_days, backtest_history_days(settings))
        history = con.execute(HISTORY_SQL, [days]).df()
        products = con.execute(
            "select product_id, category, subcategory from marts.dim_products"
        ).df()
        planned = read_planned_covariates(con)
    context.log.info(
        "forecasting %s rows of history (%s days), H=%s (planning_horizon_days)",
        len(history),
        days,
        horizon,
    )
    if planned is not None:
        context.log.info("using %s rows of planned covariates as known future values", len(planned))
    result = forecast_demand(history, products, settings, planned, progress=context.log.info)
    rows = handoff.write_tables(
        warehouse_settings.settings().handoff_dir, "forecasting", result.tables()
    )

    pooled = result.backtest[
        (result.backtest["window"] == 0)
        & result.backtest.segment_type.isin(["all", "frn_benchmark"])
    ]
    columns = [
        "model",
        "segment_type",
        "wape",
        "wpe",
        "mase",
        "coverage_80",
        "coverage_95",
        "n_rows",
    ]
    busiest = (
        result.forecast.groupby(["store_id", "product_id"])
        .forecast_units.sum()
        .nlargest(3)
        .index.tolist()
    )
    plot = forecast_series_png(history, result.forecast, busiest)
    yield dg.MaterializeResult(
        asset_key=["forecasting", "demand_forecast"],
        metadata={
            "dagster/row_count": rows["demand_forecast"],
            "model_per_class": dg.MetadataValue.json(result.model_per_class),
            "series": int(result.forecast[["store_id", "product_id"]].drop_duplicates().shape[0]),
            "plot": dg.MetadataValue.md(
                f"![forecast of the three busiest series]({png_data_uri(plot)})"
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key=["forecasting", "forecast_backtest"],
        metadata={
            "dagster/row_count": rows["forecast_backtest"],
            "chosen_model": result.chosen_model,
            "backtest (all windows pooled)": dg.MetadataValue.md(
                pooled[columns].round(4).to_markdown(index=False)
            ),
            "model choice per demand class": dg.MetadataValue.md(
                choice_table(result.backtest).to_markdown(index=False)
            ),
        },
    )
    yield dg.MaterializeResult(
        asset_key=["forecasting", "backtest_forecasts"],
        metadata={
            "dagster/row_count": rows["backtest_forecasts"],
            "origins": dg.MetadataValue.json(
                sorted(str(d.date()) for d in result.backtest_forecasts["origin_date"].unique())
            ),
        },
    )
    class_counts = result.demand_classes["demand_class"].value_counts()
    yield dg.MaterializeResult(
        asset_key=["forecasting", "demand_classes"],
        metadata={
            "dagster/row_count": rows["demand_classes"],
            "series per class": dg.MetadataValue.md(
                class_counts.rename("series").to_frame().to_markdown()
            ),
        },
    )
    coverage = interval_coverage_check(result.backtest, result.chosen_model, settings)
    yield dg.AssetCheckResult(
        check_name=coverage.name,
        asset_key=["forecasting", "forecast_backtest"],
        passed=coverage.passed,
        description=coverage.description,
        metadata=coverage.metadata,
    )
    chosen_rows = result.forecast[result.forecast["is_chosen"]]
    for outcome in (
        bias_check(result.backtest, settings),
        zero_forecast_check(chosen_rows, result.demand_classes, settings),
    ):
        if not outcome.passed:
            consequence = (
                "the plan downstream will not run (blocking check)"
                if settings.guardrails.severity == "block"
                else "warning only (guardrail severity 'warn')"
            )
            context.log.error(
                f"forecast guardrail {outcome.name} failed: {outcome.description}; {consequence}"
            )
        yield dg.AssetCheckResult(
            check_name=outcome.name,
            asset_key=["forecasting", "demand_forecast"],
            passed=outcome.passed,
            severity=dg.AssetCheckSeverity.ERROR
            if settings.guardrails.severity == "block"
            else dg.AssetCheckSeverity.WARN,
            description=outcome.description,
            metadata=outcome.metadata,
        )
