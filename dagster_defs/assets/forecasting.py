"""Demand forecast assets: forecast_backtest reads clean daily demand, backtests the models,
chooses one per demand class and fits them once on every series; demand_forecast, partitioned
over products like the plan, forecasts each partition's series with those fitted models. Both
hand their tables to dbt as Parquet (python_assets/handoff.py)."""

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
from dagster_duckdb import DuckDBResource
from pydantic import Field

from dagster_defs.assets import check_result, warning_check
from dagster_defs.assets.optimization import plan_partitions
from dagster_defs.resources import RESOLVED_SETTINGS, WarehouseSettingsResource
from python_assets import handoff
from python_assets.forecasting import ForecastSettings, build_panel, forecast_demand
from python_assets.forecasting.backtest import backtest_history_days
from python_assets.forecasting.forecast import predict_forecast
from python_assets.forecasting.guardrails import (
    bias_check,
    interval_coverage_check,
    zero_forecast_check,
)
from python_assets.forecasting.panel import future_covariate_arrays, planned_covariates_frame
from python_assets.forecasting.selection import choice_table
from python_assets.optimization.parallel import in_partition
from python_assets.reporting.charts import forecast_series_png, png_data_uri

# first_sale_date (over all the data) tells a slow mover selling again from a launch
HISTORY_SQL = """
select store_id, product_id, sales_date, units_sold, latent_demand_units, is_stockout_censored,
       is_store_closed, stockout_hours, stockout_hours_6_22, price_ratio, is_promo, is_holiday,
       precipitation, avg_temperature, avg_humidity, avg_wind_level, first_sale_date
from marts.fct_sales_daily
left join (
    select store_id, product_id, min(sales_date) as first_sale_date
    from marts.fct_sales_daily
    where units_sold > 0
    group by store_id, product_id
) using (store_id, product_id)
"""
# the last days of history (the backtest and the fit), or from a first date on (the prediction)
LAST_DAYS = (
    "where sales_date > (select max(sales_date) from marts.fct_sales_daily) - cast(? as integer)"
)
SINCE = "where sales_date >= cast(? as date)"
PRODUCTS_SQL = "select product_id, category, subcategory from marts.dim_products"


def read_history(con: duckdb.DuckDBPyConnection, days: int) -> pd.DataFrame:
    """The last `days` days of marts.fct_sales_daily, the columns the forecast reads."""
    return con.execute(f"{HISTORY_SQL} {LAST_DAYS}", [days]).df()


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


FORECAST_MODEL = ["forecasting", "forecast_model"]
DEMAND_FORECAST = ["forecasting", "demand_forecast"]
INPUT_DEPS = [
    ["marts", "fct_sales_daily"],
    ["marts", "dim_products"],
    list(PLANNED_COVARIATES),
    RESOLVED_SETTINGS,
]


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["forecasting", "forecast_backtest"],
            deps=INPUT_DEPS,
            description="Rolling-origin backtest: accuracy per model x window x segment.",
        ),
        dg.AssetSpec(
            ["forecasting", "backtest_forecasts"],
            deps=INPUT_DEPS,
            description="The chosen forecast at every scored backtest origin: H-day total and its std per series (what the policy replay plans with).",
        ),
        dg.AssetSpec(
            ["forecasting", "demand_classes"],
            deps=INPUT_DEPS,
            description="Demand class of every store x product at the forecast origin.",
        ),
        dg.AssetSpec(
            FORECAST_MODEL,
            deps=INPUT_DEPS,
            description="The fitted forecast the partitions of demand_forecast predict with: "
            "the model chosen per demand class, the global model fitted once on every series, "
            "the interval calibration (a pickle in the hand-off folder, not a table).",
        ),
    ],
    check_specs=[
        dg.AssetCheckSpec(
            "interval_coverage_calibrated", asset=["forecasting", "forecast_backtest"]
        ),
    ],
    group_name="forecasting",
    # in a run over the product partitions of demand_forecast (`dagster asset materialize
    # --partition-range` asks it of every asset it runs)
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def forecast_backtest(
    context: dg.AssetExecutionContext,
    config: ForecastConfig,
    duckdb: DuckDBResource,
    warehouse_settings: WarehouseSettingsResource,
):
    """Backtest every model, choose one per demand class and fit the chosen models once on
    every series; the forecast itself is demand_forecast's, partition by partition."""
    with duckdb.get_connection() as con:
        # the forecast covers the days the plan covers (planning_horizon_days, with the run's
        # overrides), so the plan's demand, holding cost and safety stock speak of one horizon
        horizon = int(warehouse_settings.settings_in_force(con)["planning_horizon_days"])
        settings = ForecastSettings(horizon=horizon, backtest_windows=config.backtest_windows)
        # more than configured where the backtest's windows of H days would not fit in it
        days = max(config.history_days, backtest_history_days(settings))
        history = read_history(con, days)
        products = con.execute(PRODUCTS_SQL).df()
        planned = read_planned_covariates(con)
    context.log.info(
        "forecasting %s rows of history (%s days), H=%s (planning_horizon_days)",
        len(history),
        days,
        horizon,
    )
    if planned is not None:
        context.log.info("using %s rows of planned covariates as known future values", len(planned))
    result = forecast_demand(
        history, products, settings, planned, progress=context.log.info, predict=False
    )
    root = warehouse_settings.settings().handoff_dir
    tables = result.tables()
    del tables["demand_forecast"]
    rows = handoff.write_tables(root, "forecasting", tables)
    handoff.write_object(root, *FORECAST_MODEL, result.fitted)

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
    yield dg.MaterializeResult(
        asset_key=FORECAST_MODEL,
        metadata={
            "model_per_class": dg.MetadataValue.json(result.model_per_class),
            "series": result.fitted.n_series,
            "history": f"{result.fitted.first_date.date()} to {result.fitted.last_date.date()}",
        },
    )
    coverage = interval_coverage_check(result.backtest, result.chosen_model, settings)
    yield warning_check(context, coverage, ["forecasting", "forecast_backtest"])


def in_partitions(product_ids: pd.Series, keys: list[str]) -> np.ndarray:
    """Which products belong to any of the product partitions `keys`."""
    return np.logical_or.reduce([in_partition(product_ids, key) for key in keys])


def build_demand_forecast(partitions: int) -> dg.AssetsDefinition:
    """demand_forecast over the `partitions` product partitions the plan has (README, "The
    pipeline"): each partition forecasts its products' series with the models forecast_model
    fitted once on every series, and writes its own file of forecasting.demand_forecast; the
    partitions' rows are exactly those of a forecast of every series. A run over a range of
    partitions (BackfillPolicy.single_run) forecasts them one after another in one step."""

    @dg.multi_asset(
        specs=[
            dg.AssetSpec(
                DEMAND_FORECAST,
                deps=[*INPUT_DEPS, FORECAST_MODEL, ["forecasting", "forecast_backtest"]],
                description="Daily forecast of every active store x product over the horizon, with 80% / 95% intervals.",
            )
        ],
        check_specs=[
            # guardrails: a failure of severity ERROR (the setting forecast_guardrail_severity =
            # block, the default) keeps the plan, downstream of the forecast, from running on
            # it; one of severity WARN (= warn) lets it run
            dg.AssetCheckSpec(name, asset=DEMAND_FORECAST, blocking=True)
            for name in GUARDRAIL_CHECKS
        ],
        partitions_def=plan_partitions(partitions),
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name="forecasting",
        name="demand_forecast",
    )
    def demand_forecast(
        context: dg.AssetExecutionContext,
        duckdb: DuckDBResource,
        warehouse_settings: WarehouseSettingsResource,
    ):
        root = warehouse_settings.settings().handoff_dir
        fitted = handoff.read_object(root, *FORECAST_MODEL)
        settings = fitted.settings
        with duckdb.get_connection() as con:
            # the history the models were fitted on (predict_forecast checks it is)
            history = con.execute(f"{HISTORY_SQL} {SINCE}", [fitted.first_date.date()]).df()
            products = con.execute(PRODUCTS_SQL).df()
            planned = read_planned_covariates(con)
            in_force = warehouse_settings.settings_in_force(con)
        blocking = in_force["forecast_guardrail_severity"] == "block"
        panel = build_panel(history, products)
        future = future_covariate_arrays(panel, planned, settings.horizon)
        product_ids = pd.Series(panel.product_id)
        frames = []
        for key in context.partition_keys:
            rows = np.flatnonzero(in_partition(product_ids, key))
            frame = predict_forecast(panel, fitted, future, rows=rows)
            handoff.write_tables(root, "forecasting", {"demand_forecast": frame}, part=key)
            context.log.info(f"forecast {key}: {len(rows):,} series")
            frames.append(frame)
        forecast = pd.concat(frames, ignore_index=True)

        chosen_rows = forecast[forecast["is_chosen"]]
        busiest = (
            chosen_rows.groupby(["store_id", "product_id"])
            .forecast_units.sum()
            .nlargest(3)
            .index.tolist()
        )
        plot = forecast_series_png(history, forecast, busiest)
        yield dg.MaterializeResult(
            asset_key=DEMAND_FORECAST,
            metadata={
                "dagster/row_count": len(forecast),
                "model_per_class": dg.MetadataValue.json(fitted.choice),
                "partitions": ", ".join(context.partition_keys),
                "series": len(chosen_rows[["store_id", "product_id"]].drop_duplicates()),
                "plot": dg.MetadataValue.md(
                    f"![forecast of the three busiest series]({png_data_uri(plot)})"
                ),
            },
        )
        classes = handoff.read_table(root, "forecasting", "demand_classes")
        # the series of this run's partitions
        classes = classes[in_partitions(classes["product_id"], context.partition_keys)]
        for outcome in (
            bias_check(handoff.read_table(root, "forecasting", "forecast_backtest"), settings),
            zero_forecast_check(chosen_rows, classes, settings),
        ):
            if not outcome.passed:
                consequence = (
                    "the plan downstream will not run (blocking check; the setting "
                    "forecast_guardrail_severity = warn plans anyway, e.g. for one run "
                    """SETTING_OVERRIDES='{"forecast_guardrail_severity": "warn"}')"""
                    if blocking
                    else "warning only (forecast_guardrail_severity = warn)"
                )
                context.log.error(
                    f"forecast guardrail {outcome.name} failed: {outcome.description}; {consequence}"
                )
            severity = dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN
            yield check_result(outcome, DEMAND_FORECAST, severity)

    return demand_forecast
