"""Demand forecasting for every store x product: point forecasts, calibrated prediction
intervals, demand std over the horizon, and an honest rolling-origin backtest that picks the model.

Pure functions over DataFrames shaped like marts.fct_sales_daily; the Dagster asset only reads and
writes tables. Models work on dense arrays (see panel, statistical, gbm) so the whole of FreshRetailNet-50K runs in minutes on two cores.

Stockout-aware in one way throughout: days whose sales understate demand (censored: any stockout
hour, or where the input has it, a stockout between 06:00 and 22:00) are masked - never a target
of the gradient-boosting model, skipped by the moving average, seasonal naive and ETS - and the
backtest scores forecasts against sales only on days without such a stockout, which is also
FreshRetailNet's own benchmark convention. The warehouse's latent-demand estimate is used only as
a feature and as a fallback where a series has no uncensored day to go on.

Future covariates: calendar features are always known. Promotion, price, holiday and weather of
the forecast days are used only when `future_covariates` is given (and then the backtest uses the
realised values of its forecast days the same way, as a plan known in advance); otherwise the
models see them only up to the origin.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from python_assets.forecasting.backtest import backtest_predictions, run_backtest
from python_assets.forecasting.gbm import series_scale
from python_assets.forecasting.intervals import quantile_bins
from python_assets.forecasting.metrics import level_label
from python_assets.forecasting.panel import (
    DemandPanel,
    build_panel,
    future_covariate_arrays,
    panel_to_long,
)
from python_assets.forecasting.settings import ForecastSettings


@dataclass
class ForecastResult:
    """What forecast_demand returns.

    forecast: store_id, product_id, forecast_date, origin_date, model, forecast_units,
        lower_80, upper_80, lower_95, upper_95 (one pair per interval level),
        demand_std_horizon (std of the H-day total demand, for safety stock).
    backtest: one row per model x window x segment: window (1..W; 0 = all windows pooled),
        origin_date, segment_type ('all', 'category', 'volume_band', 'frn_benchmark'),
        segment_value, wape, wpe, mape, mase, coverage_80, coverage_95, n_rows. Scored on
        days without a stockout (06:00-22:00 where known) against sales. For 'frn_benchmark'
        wape and wpe are FreshRetailNet's convention: computed per day, then averaged over days.
    backtest_predictions: model, window, origin_date, store_id, product_id, forecast_date,
        actual, is_scored, forecast and bounds.
    chosen_model: lowest pooled WAPE over all backtest windows.
    """

    forecast: pd.DataFrame
    backtest: pd.DataFrame
    backtest_predictions: pd.DataFrame
    chosen_model: str
    diagnostics: dict[str, object] = field(default_factory=dict)


def forecast_demand(
    history: pd.DataFrame,
    products: pd.DataFrame | None = None,
    settings: ForecastSettings = ForecastSettings(),
    future_covariates: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
) -> ForecastResult:
    """Backtest every model on rolling origins, choose the lowest-WAPE one, forecast H days.

    history: marts.fct_sales_daily rows (see panel.build_panel). products:
    product_id, category, subcategory. future_covariates: optional store_id, product_id,
    forecast_date and any of price_ratio, is_promo, is_holiday and the weather columns for the H
    days after the history; when given, the models use them, and the backtest uses the realised
    values of its own forecast days in the same way. progress: see forecast_panel.
    """
    panel = build_panel(history, products)
    return forecast_panel(panel, settings, future_covariates, progress)


def forecast_panel(
    panel: DemandPanel,
    settings: ForecastSettings = ForecastSettings(),
    future_covariates: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
) -> ForecastResult:
    """forecast_demand on an already built panel (the benchmark times the two apart).

    progress, if given, receives one line per backtest window and model and one for the final
    forecast, with the series count and the time elapsed."""
    run_started = time.perf_counter()

    def report(step: str) -> None:
        if progress is not None:
            elapsed = time.perf_counter() - run_started
            progress(f"forecast: {step} ({panel.n_series:,} series, {elapsed:.0f} s elapsed)")

    h = settings.horizon
    future = future_covariate_arrays(panel, future_covariates, h)
    future_names = tuple(sorted(future))
    levels = tuple(settings.interval_levels)
    run = run_backtest(panel, settings, future_names, report)
    runner = run.runner
    timings = dict(run.model_seconds)
    backtest = run.table
    chosen = choose_model(backtest, settings.models)
    started = time.perf_counter()
    last = panel.n_days - 1
    final_models = settings.models if settings.forecast_all_models else (chosen,)
    final_future = future
    scale = series_scale(panel, last)
    volume_bin = quantile_bins(scale, settings.interval_bins)
    frames = []
    for model in final_models:
        forecast = runner.run(model, last, final_future)
        bounds, total_std = run.residuals[model].intervals(
            forecast,
            scale,
            volume_bin,
            levels,
            settings.interval_bins,
            settings.interval_min_residuals,
        )
        values = {"forecast_units": forecast}
        for level, (lower, upper) in bounds.items():
            values[f"lower_{level_label(level)}"] = lower
            values[f"upper_{level_label(level)}"] = upper
        values["demand_std_horizon"] = np.repeat(total_std[:, None], h, axis=1)
        frame = panel_to_long(panel, values, panel.dates[last] + pd.Timedelta(days=1))
        frame.insert(3, "origin_date", panel.dates[last])
        frame.insert(4, "model", model)
        frames.append(frame)
    timings["final_forecast"] = time.perf_counter() - started
    report(f"chose {chosen}; final forecast of {h} days done")
    forecast_frame = pd.concat(frames, ignore_index=True)

    actual_all = np.where(panel.observed, panel.units_sold, np.nan)
    predictions = backtest_predictions(
        panel, run.outputs, actual_all, panel.demand_observed, settings
    )
    diagnostics: dict[str, object] = {
        "model_seconds": timings,
        "calibration_origins": [str(panel.dates[o].date()) for o in run.calibration],
        "scored_origins": [str(panel.dates[o].date()) for o in run.scored],
        "fitted_share": {k: float(np.mean(v)) for k, v in runner.fitted_share.items()},
        "future_covariates_used": sorted(future),
    }
    return ForecastResult(forecast_frame, backtest, predictions, chosen, diagnostics)


def choose_model(backtest: pd.DataFrame, models: tuple[str, ...]) -> str:
    """The model with the lowest WAPE pooled over all scored windows; with no backtest (history
    too short), the 7-day moving average if configured, else the first model."""
    pooled = backtest[(backtest["window"] == 0) & (backtest["segment_type"] == "all")].dropna(
        subset=["wape"]
    )
    if pooled.empty:
        return "moving_average_7" if "moving_average_7" in models else models[0]
    order = {m: i for i, m in enumerate(models)}
    pooled = pooled.assign(order=pooled["model"].map(order))
    return str(pooled.sort_values(["wape", "order"]).iloc[0]["model"])
