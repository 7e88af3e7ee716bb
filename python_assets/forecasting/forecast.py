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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from python_assets.forecasting.backtest import backtest_predictions, run_backtest, score_choice
from python_assets.forecasting.classes import classify_demand, demand_classes_at
from python_assets.forecasting.gbm import GradientBoostingModel, series_scale
from python_assets.forecasting.intervals import (
    CountIntervals,
    IntervalForecast,
    ResidualIntervals,
    SeriesGroups,
    quantile_bins,
)
from python_assets.forecasting.launches import LAUNCH_CURVE
from python_assets.forecasting.metrics import level_label
from python_assets.forecasting.models import (
    GRADIENT_BOOSTING_MODELS,
    STORE_CLOSED,
    ClosedStores,
    ModelRunner,
    is_naive_baseline,
    launch_curves,
    moving_average_window,
)
from python_assets.forecasting.panel import (
    DemandPanel,
    build_panel,
    future_covariate_arrays,
    panel_to_long,
)
from python_assets.forecasting.selection import (
    CHOSEN_MODEL,
    choose_per_class,
    mark_chosen,
    model_per_series,
)
from python_assets.forecasting.settings import ForecastSettings


@dataclass
class FittedForecast:
    """What the final forecast needs after the backtest, to forecast all series or any product
    partition of them (predict_forecast; the demand_forecast asset's partitions read it from a
    pickle): the settings, the model chosen per demand class and the default, the interval
    calibration of every model that may be needed, the global model fitted at the last day of
    history (None where no class chose it), and the history it was fitted on (its first and last
    dates and its series count, checked before predicting)."""

    settings: ForecastSettings
    choice: dict[str, str]
    default: str
    future_names: tuple[str, ...]
    errors: dict[str, ResidualIntervals | CountIntervals]
    gradient_boosting: GradientBoostingModel | None
    first_date: pd.Timestamp
    last_date: pd.Timestamp
    n_series: int


@dataclass
class ForecastResult:
    """What forecast_demand returns.

    forecast: store_id, product_id, forecast_date, origin_date, model (on the chosen rows,
        LAUNCH_CURVE where a launch's forecast came from the launch curve, STORE_CLOSED for the
        series of a closed store), forecast_units,
        lower_80, upper_80, lower_95, upper_95 (one pair per interval level),
        lower_total_80 ... upper_total_95 (the same of the H-day total) and demand_std_horizon
        (std of the H-day total demand, for safety stock), both the same on every day of a
        series, is_chosen (the chosen forecast; with forecast_all_models, every model's own
        rows have it False).
    backtest: one row per model x window x segment: window (1..W; 0 = all windows pooled),
        origin_date, segment_type ('all', 'category', 'volume_band', 'demand_class',
        'frn_benchmark'), segment_value, wape, wpe, mape, mase, coverage_80, coverage_95,
        n_rows, the H-day-total scores (metrics.TOTAL_METRICS), coverage on days with a sale
        and on totals, is_chosen (selection.mark_chosen). Scored on
        days without a stockout (06:00-22:00 where known) against sales. For 'frn_benchmark'
        wape and wpe are FreshRetailNet's convention: computed per day, then averaged over days.
    backtest_predictions: model, window, origin_date, store_id, product_id, forecast_date,
        actual, is_scored, forecast and bounds (empty unless
        settings.backtest_prediction_series asks for them).
    chosen_model: the name of the chosen forecast in the backtest (CHOSEN_MODEL: every series
        takes the model chosen for its demand class, see selection.py).
    model_per_class: demand class -> chosen model ('all' -> the choice on all series, used for
        a class the backtest did not see).
    demand_classes: classify_demand at the last day of history (one row per series).
    backtest_forecasts: the chosen forecast at every scored backtest origin, one row per origin
        x series: origin_date, store_id, product_id, demand_class (at that origin), model,
        horizon_days, forecast_units (H-day total), demand_std_horizon. The policy replay
        (optimization/replay) plans with it.
    """

    forecast: pd.DataFrame
    backtest: pd.DataFrame
    backtest_predictions: pd.DataFrame
    chosen_model: str
    model_per_class: dict[str, str] = field(default_factory=dict)
    demand_classes: pd.DataFrame = field(default_factory=pd.DataFrame)
    backtest_forecasts: pd.DataFrame = field(default_factory=pd.DataFrame)
    diagnostics: dict[str, object] = field(default_factory=dict)
    fitted: FittedForecast | None = None

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables the forecast step hands over, by name (schema forecasting)."""
        return {
            "demand_forecast": self.forecast,
            "forecast_backtest": self.backtest,
            "demand_classes": self.demand_classes,
            "backtest_forecasts": self.backtest_forecasts,
        }


def forecast_demand(
    history: pd.DataFrame,
    products: pd.DataFrame | None = None,
    settings: ForecastSettings = ForecastSettings(),
    future_covariates: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
    predict: bool = True,
) -> ForecastResult:
    """Backtest every model on rolling origins, choose one per demand class, forecast H days.

    history: marts.fct_sales_daily rows (see panel.build_panel). products:
    product_id, category, subcategory. future_covariates: optional store_id, product_id,
    forecast_date and any of price_ratio, is_promo, is_holiday and the weather columns for the H
    days after the history; when given, the models use them, and the backtest uses the realised
    values of its own forecast days in the same way. progress, predict: see forecast_panel.
    """
    panel = build_panel(history, products)
    return forecast_panel(panel, settings, future_covariates, progress, predict)


def forecast_panel(
    panel: DemandPanel,
    settings: ForecastSettings = ForecastSettings(),
    future_covariates: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
    predict: bool = True,
) -> ForecastResult:
    """forecast_demand on an already built panel (the benchmark times the two apart).

    progress, if given, receives one line per backtest window and model and one for the final
    forecast, with the series count and the time elapsed. predict False leaves the final
    forecast (ForecastResult.forecast) empty: ForecastResult.fitted makes it, for all series or
    a product partition (predict_forecast)."""
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
    default = choose_model(run.table, settings.models)
    choice = choose_per_class(run.table, settings.selection)
    needed = (
        settings.models
        if settings.forecast_all_models
        else (*dict.fromkeys(choice.values()), default)
    )
    # timings' final_forecast: the final fit (the choice is scored beside it) and forecast
    started = time.perf_counter()
    last = panel.n_days - 1
    # the final global model, much the slowest part of what is left, is fitted on a thread of
    # its own while the choice is scored here (neither touches what the other uses)
    with ThreadPoolExecutor(max_workers=1) as pool:
        final_fit = (
            pool.submit(runner.fit_gradient_boosting, last)
            if any(m in GRADIENT_BOOSTING_MODELS for m in needed)
            else None
        )
        chosen_rows, origin_totals = score_choice(panel, run, choice, default, levels)
        backtest = pd.concat([run.table, chosen_rows], ignore_index=True)
        backtest["is_chosen"] = mark_chosen(backtest, choice)
        classes = classify_demand(
            panel, last, settings.demand_classes, settings.volume_band_quantiles
        )
        gradient_boosting = final_fit.result() if final_fit is not None else None
    fitted = FittedForecast(
        settings=settings,
        choice=choice,
        default=default,
        future_names=future_names,
        errors={model: run.errors[model] for model in dict.fromkeys(needed)},
        gradient_boosting=gradient_boosting,
        first_date=panel.dates[0],
        last_date=panel.dates[last],
        n_series=panel.n_series,
    )
    if predict:
        forecast_frame = predict_forecast(panel, fitted, future, runner=runner)
        report(f"chose {choice}; final forecast of {h} days done")
    else:
        forecast_frame = pd.DataFrame()
        report(f"chose {choice}; fitted for the final forecast")
    timings["final_forecast"] = time.perf_counter() - started

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
        "model_per_class": choice,
    }
    return ForecastResult(
        forecast_frame,
        backtest,
        predictions,
        CHOSEN_MODEL,
        choice,
        classes,
        origin_totals,
        diagnostics,
        fitted,
    )


def predict_forecast(
    panel: DemandPanel,
    fitted: FittedForecast,
    future: dict[str, np.ndarray],
    rows: np.ndarray | None = None,
    runner: ModelRunner | None = None,
) -> pd.DataFrame:
    """The final forecast (ForecastResult.forecast's rows) of the series `rows` of the panel
    (integer positions; None: every series) with the models `fitted` holds.

    A product partition's rows get exactly the values a forecast of every series gives them: the
    demand classes, the interval bins and the global model's pooled features are computed on the
    whole panel, every other model works series by series (the shrunk mean pools a product's
    series, and a partition holds all of them). runner: the backtest's, to reuse its caches
    (only with rows None). future: future_covariate_arrays of the whole panel."""
    fitted_on = (fitted.n_series, fitted.first_date, fitted.last_date)
    if (panel.n_series, panel.dates[0], panel.dates[-1]) != fitted_on:
        raise ValueError(
            f"the forecast was fitted on {fitted.n_series:,} series from "
            f"{fitted.first_date.date()} to {fitted.last_date.date()}, but this history holds "
            f"{panel.n_series:,} series from {panel.dates[0].date()} to "
            f"{panel.dates[-1].date()}: materialise forecasting/forecast_backtest again first"
        )
    settings = fitted.settings
    h = settings.horizon
    levels = tuple(settings.interval_levels)
    last = panel.n_days - 1
    classes = demand_classes_at(
        panel, last, settings.demand_classes, settings.volume_band_quantiles
    )
    scale = series_scale(panel, last)
    groups = SeriesGroups(scale, quantile_bins(scale, settings.interval_bins), classes.demand_class)
    whole = rows is None
    if whole:
        part, part_future = panel, future
        runner = runner or ModelRunner(panel, settings, fitted.future_names)
    else:
        part, part_future = panel.subset(rows), {k: v[rows] for k, v in future.items()}
        groups = SeriesGroups(
            groups.scale[rows], groups.volume_bin[rows], groups.demand_class[rows]
        )
        runner = ModelRunner(
            part,
            settings,
            fitted.future_names,
            launches=launch_curves(panel, settings, rows),
            closed=ClosedStores(panel, settings.demand_classes.closed_store_days),
        )
    per_series = model_per_series(groups.demand_class, fitted.choice, fitted.default)
    if part.n_series == 0:  # a product partition without products (a small network)
        days, totals = np.empty((0, h)), np.empty(0)
        nothing = IntervalForecast(
            {v: (days, days) for v in levels}, {v: (totals, totals) for v in levels}, totals
        )
        empty = _forecast_values(days, nothing, h)
        return _forecast_frame(part, last, empty, per_series.astype(str), True)
    needed = settings.models if settings.forecast_all_models else tuple(np.unique(per_series))
    model_values = {}
    boosting = tuple(m for m in needed if m in GRADIENT_BOOSTING_MODELS)
    boosted = (
        runner.gradient_boosting(
            fitted.gradient_boosting,
            last,
            future,
            whole=None if whole else panel,
            rows=rows,
            models=boosting,
        )
        if boosting
        else {}
    )
    for model in needed:
        forecast = boosted[model] if model in boosted else runner.run(model, last, part_future)
        intervals = fitted.errors[model].forecast_intervals(forecast, groups, settings)
        model_values[model] = _forecast_values(forecast, intervals, h)
    # the chosen forecast: each series takes the values of its class's model
    chosen_values = {
        name: np.select(
            [(per_series == model)[:, None] for model in model_values],
            [values[name] for values in model_values.values()],
        )
        for name in next(iter(model_values.values()))
    }
    made_by = _made_by(per_series, runner, last)
    # a closed store's series: zero, bounds and std too, whatever its class's model
    for values in chosen_values.values():
        values[made_by == STORE_CLOSED] = 0.0
    _never_zero_upper(part, last, chosen_values, levels)
    frames = [_forecast_frame(part, last, chosen_values, made_by, True)]
    if settings.forecast_all_models:
        for model, values in model_values.items():
            labels = np.full(part.n_series, model, dtype=object)
            frames.append(_forecast_frame(part, last, values, labels, False))
    return pd.concat(frames, ignore_index=True)


def _forecast_values(
    forecast: np.ndarray, intervals: IntervalForecast, horizon: int
) -> dict[str, np.ndarray]:
    """The forecast's columns, each (n_series, horizon): the bounds of the H-day total and its std
    repeated on every day of a series."""

    def every_day(per_series: np.ndarray) -> np.ndarray:
        return np.repeat(per_series[:, None], horizon, axis=1)

    values = {"forecast_units": forecast}
    for level, (lower, upper) in intervals.bounds.items():
        values[f"lower_{level_label(level)}"] = lower
        values[f"upper_{level_label(level)}"] = upper
    for level, (lower, upper) in intervals.total_bounds.items():
        values[f"lower_total_{level_label(level)}"] = every_day(lower)
        values[f"upper_total_{level_label(level)}"] = every_day(upper)
    values["demand_std_horizon"] = every_day(intervals.total_std)
    return values


def _never_zero_upper(
    panel: DemandPanel, last: int, values: dict[str, np.ndarray], levels: tuple[float, ...]
) -> None:
    """A series that sold on each of the last 28 days gets an upper bound of at least one unit:
    a day without a sale is not what such a series' 80% or 95% interval should promise."""
    recent = np.nan_to_num(panel.units_sold[:, max(0, last - 27) : last + 1])
    every_day = (recent > 0).all(axis=1) & (recent.shape[1] == 28)
    for level in levels:
        upper = values[f"upper_{level_label(level)}"]
        upper[every_day] = np.maximum(upper[every_day], 1.0)


def _made_by(per_series: np.ndarray, runner: ModelRunner, last: int) -> np.ndarray:
    """What made each series' chosen forecast: its class's model, LAUNCH_CURVE for a launch
    whose model's forecast the launch curve replaced (every model but the naive baselines), or
    STORE_CLOSED for a series of a closed store (forecast zero)."""
    made_by = per_series.astype(object)
    launches, _ = runner.launches.at(last)
    replaced = [model for model in np.unique(per_series) if not is_naive_baseline(model)]
    curve = np.zeros(len(per_series), dtype=bool)
    curve[launches] = True
    made_by[curve & np.isin(per_series, replaced)] = LAUNCH_CURVE
    made_by[runner.closed.series(runner.panel.store_id, last)] = STORE_CLOSED
    return made_by


def _forecast_frame(
    panel: DemandPanel,
    last: int,
    values: dict[str, np.ndarray],
    models: np.ndarray,
    is_chosen: bool,
) -> pd.DataFrame:
    frame = panel_to_long(panel, values, panel.dates[last] + pd.Timedelta(days=1))
    h = values["forecast_units"].shape[1]
    frame.insert(3, "origin_date", panel.dates[last])
    frame.insert(4, "model", np.repeat(models, h))
    frame["is_chosen"] = is_chosen
    return frame


def choose_model(backtest: pd.DataFrame, models: tuple[str, ...]) -> str:
    """The model with the lowest WAPE pooled over all scored windows; with no backtest (history
    too short), the moving average with the longest window configured, else the first model: a
    series that sold within that window is not forecast zero, which a short average would do to
    every intermittent series without a sale in its last days (and the guardrail against zero
    forecasts would then stop the plan)."""
    pooled = backtest[(backtest["window"] == 0) & (backtest["segment_type"] == "all")].dropna(
        subset=["wape"]
    )
    if pooled.empty:
        averages = [m for m in models if moving_average_window(m) is not None]
        return max(averages, key=moving_average_window, default=models[0])
    order = {m: i for i, m in enumerate(models)}
    pooled = pooled.assign(order=pooled["model"].map(order))
    return str(pooled.sort_values(["wape", "order"]).iloc[0]["model"])
