"""Demand forecasting for every store x product: point forecasts, calibrated prediction
intervals, demand std over the horizon, and an honest rolling-origin backtest that picks the model.

Pure functions over DataFrames shaped like marts.fct_sales_daily; the Dagster asset only reads and
writes tables. Models work on dense arrays (see forecasting_panel, forecasting_models,
forecasting_gbm) so the whole of FreshRetailNet-50K runs in minutes on two cores.

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

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from python_assets.forecasting.gbm import (
    FeatureCache,
    GradientBoostingSettings,
    fit_gradient_boosting,
    gradient_boosting_forecast,
    series_scale,
)
from python_assets.forecasting.panel import (
    DemandPanel,
    build_panel,
    future_covariate_arrays,
    panel_to_long,
)
from python_assets.forecasting.statistical import (
    EtsGrid,
    ets_forecasts,
    moving_average_forecast,
    seasonal_naive_forecast,
    statsmodels_ets_forecast,
)

STATISTICAL_SIGNALS = ("demand_observed", "latent_demand", "units_sold")
VOLUME_BAND_NAMES = ("low", "medium", "high", "very_high", "top")
FRN_SEGMENT = "frn_benchmark"
FRN_SEGMENT_VALUE = "no_stockout_6_22"


@dataclass(frozen=True)
class ForecastSettings:
    """Every knob of the forecast, with its default.

    horizon: days forecast after each origin (H).
    backtest_windows: rolling origins scored, each H days, the last ending on the last day.
    calibration_windows: extra rolling windows before the scored ones; their errors calibrate the
        first scored window's intervals (later windows also use the scored windows before them).
    interval_levels: central prediction intervals; columns lower_80/upper_80 etc.
    models: any of seasonal_naive, moving_average_<days>, ets, gradient_boosting; a
        `_sales` suffix on a baseline (moving_average_7_sales) runs it on raw sales, not
        stockout-aware, as a reference.
    statistical_signal: what seasonal naive, moving average and ETS average over:
        'demand_observed' (sales on uncensored days, censored days skipped), 'latent_demand'
        (the warehouse's estimate on censored days) or 'units_sold' (raw, censoring ignored).
    min_history_days: a backtest origin needs this many days of history before it (the
        gradient-boosting model's own training origins have their own, shorter minimum).
    volume_band_quantiles: cut points (quantiles of the series' recent level) of the volume bands
        reported in the backtest.
    interval_bins: volume bins (quantiles of the recent level) inside which interval errors are
        calibrated, per horizon step; interval_min_residuals: fewer errors than this in a
        bin -> pool the steps, then all bins.
    ets_engine: 'vectorised' (numpy grid, all series at once) or 'statsmodels' (one fit per
        series; fine for a few hundred series, hours for 50,000).
    forecast_all_models: also forecast the days after the history with every model, not only the
        chosen one.
    backtest_prediction_series: keep backtest_predictions for at most this many series (the first
        ones in store, product order); None keeps all.
    """

    horizon: int = 7
    backtest_windows: int = 4
    interval_levels: tuple[float, ...] = (0.8, 0.95)
    models: tuple[str, ...] = ("seasonal_naive", "moving_average_7", "ets", "gradient_boosting")
    calibration_windows: int = 1
    statistical_signal: str = "demand_observed"
    min_history_days: int = 28
    volume_band_quantiles: tuple[float, ...] = (0.5, 0.8)
    interval_bins: int = 5
    interval_min_residuals: int = 30
    ets_engine: str = "vectorised"
    ets_grid: EtsGrid = field(default_factory=EtsGrid)
    ets_min_observations: int = 21
    gradient_boosting: GradientBoostingSettings = field(default_factory=GradientBoostingSettings)
    forecast_all_models: bool = False
    backtest_prediction_series: int | None = None

    def __post_init__(self) -> None:
        if self.horizon < 1:
            raise ValueError(f"horizon must be >= 1, got {self.horizon}")
        if self.backtest_windows < 0 or self.calibration_windows < 0:
            raise ValueError("backtest_windows and calibration_windows must be >= 0")
        if not self.models:
            raise ValueError("models must name at least one model")
        for name in self.models:
            if not _is_known_model(name):
                raise ValueError(f"unknown model {name!r}")
        if self.statistical_signal not in STATISTICAL_SIGNALS:
            raise ValueError(f"statistical_signal must be one of {STATISTICAL_SIGNALS}")
        if self.ets_engine not in ("vectorised", "statsmodels"):
            raise ValueError("ets_engine must be 'vectorised' or 'statsmodels'")
        for level in self.interval_levels:
            if not 0 < level < 1:
                raise ValueError(f"interval levels must be in (0, 1), got {level}")


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


# ----------------------------------------------------------------------------- latent demand


def estimate_latent_demand(history: pd.DataFrame) -> pd.Series:
    """The warehouse's latent demand (int_sales_daily_spined.sql), for inputs built outside dbt.

    Uncensored day (stockout_hours == 0): its sales. Censored day: the larger of its sales and
    the mean sales of the uncensored days among the series' previous 4 same weekdays; with no such
    day, sales scaled by 24 / in-stock hours (capped at 4x). Returned in the row order of
    `history`; needs store_id, product_id, sales_date, units_sold, stockout_hours.
    """
    dates = pd.to_datetime(history["sales_date"])
    units = history["units_sold"].to_numpy(dtype=np.float64)
    hours = history["stockout_hours"].fillna(0).to_numpy(dtype=np.float64)
    censored = hours > 0
    group = pd.MultiIndex.from_arrays(
        [
            history["store_id"].astype(str),
            history["product_id"].astype(str),
            dates.dt.day_of_week,
        ]
    )
    group_code = pd.factorize(group)[0]
    order = np.lexsort((dates.to_numpy(), group_code))
    sorted_group = group_code[order]
    uncensored_sales = np.where(censored, np.nan, units)[order]
    total = np.zeros(len(order))
    count = np.zeros(len(order))
    for lag in range(1, 5):
        shifted = np.full(len(order), np.nan)
        shifted[lag:] = uncensored_sales[:-lag]
        same_group = np.zeros(len(order), dtype=bool)
        same_group[lag:] = sorted_group[lag:] == sorted_group[:-lag]
        usable = same_group & np.isfinite(shifted)
        total += np.where(usable, shifted, 0.0)
        count += usable
    reference = np.full(len(order), np.nan)
    reference[order] = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    scaled = units * np.minimum(24.0 / np.maximum(24.0 - hours, 1.0), 4.0)
    estimate = np.maximum(units, np.where(np.isfinite(reference), reference, scaled))
    return pd.Series(np.where(censored, estimate, units), index=history.index, name="latent")


# ----------------------------------------------------------------------------- metrics


def _safe_ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else float("nan")


def accuracy_metrics(
    actual: np.ndarray,
    forecast: np.ndarray,
    mase_scale: np.ndarray | None = None,
    bounds: dict[float, tuple[np.ndarray, np.ndarray]] | None = None,
) -> dict[str, float]:
    """Pooled accuracy of rows (all 1-d, same length).

    wape = sum|f - a| / sum a; wpe = sum(f - a) / sum a (positive = over-forecast);
    mape = mean |f - a| / a over a > 0 (NaN if none); mase = mean |f - a| / scale over rows
    whose series has a positive in-sample seasonal-naive MAE; coverage_<p> = share of rows inside
    the p% interval. NaN where undefined.
    """
    actual = np.asarray(actual, dtype=np.float64)
    forecast = np.asarray(forecast, dtype=np.float64)
    error = forecast - actual
    total = actual.sum()
    positive = actual > 0
    out = {
        "wape": _safe_ratio(np.abs(error).sum(), total),
        "wpe": _safe_ratio(error.sum(), total),
        "mape": float(np.mean(np.abs(error[positive]) / actual[positive]))
        if positive.any()
        else float("nan"),
        "mase": float("nan"),
        "n_rows": float(len(actual)),
    }
    if mase_scale is not None:
        scale = np.asarray(mase_scale, dtype=np.float64)
        usable = np.isfinite(scale) & (scale > 0)
        if usable.any():
            out["mase"] = float(np.mean(np.abs(error[usable]) / scale[usable]))
    for level, (lower, upper) in (bounds or {}).items():
        inside = (actual >= lower) & (actual <= upper)
        out[f"coverage_{_pct(level)}"] = float(inside.mean()) if len(actual) else float("nan")
    return out


def frn_day_scores(
    actual: np.ndarray, forecast: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(days, WAPE, WPE) of each day with sales, in day order: what FreshRetailNet's convention
    averages. The rows given must already be the scored ones."""
    days, wapes, wpes = [], [], []
    for value in np.unique(day):
        rows = day == value
        total = actual[rows].sum()
        if total > 0:
            days.append(value)
            wapes.append(np.abs(forecast[rows] - actual[rows]).sum() / total)
            wpes.append((forecast[rows] - actual[rows]).sum() / total)
    return np.array(days), np.array(wapes), np.array(wpes)


def frn_daily_metrics(
    actual: np.ndarray, forecast: np.ndarray, day: np.ndarray
) -> dict[str, float]:
    """FreshRetailNet's convention: WAPE and WPE of each day, averaged over the days.

    The rows given must already be the scored ones (no stockout between 06:00 and 22:00).
    """
    _, wapes, wpes = frn_day_scores(actual, forecast, day)
    if not len(wapes):
        return {"wape": float("nan"), "wpe": float("nan")}
    return {"wape": float(np.mean(wapes)), "wpe": float(np.mean(wpes))}


def seasonal_naive_mae(signal: np.ndarray, origin: int, season: int = 7) -> np.ndarray:
    """In-sample MAE of the seasonal naive forecast up to the origin (the MASE denominator),
    over pairs of days where both are known."""
    history = signal[:, : origin + 1]
    if history.shape[1] <= season:
        return np.full(signal.shape[0], np.nan)
    diff = np.abs(history[:, season:] - history[:, :-season])
    count = np.isfinite(diff).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, np.nansum(diff, axis=1) / np.maximum(count, 1), np.nan)


def _pct(level: float) -> str:
    return f"{round(level * 100):d}"


# ----------------------------------------------------------------------------- models


def _is_known_model(name: str) -> bool:
    base = name.removesuffix("_sales")
    baseline = base in ("seasonal_naive", "ets") or bool(re.fullmatch(r"moving_average_\d+", base))
    return baseline or name == "gradient_boosting"


def _signal(panel: DemandPanel, kind: str) -> np.ndarray:
    observed_sales = np.where(panel.observed, panel.units_sold, np.nan)
    if kind == "demand_observed":
        return panel.masked_sales
    if kind == "latent_demand":
        return np.where(panel.observed, panel.latent_demand, np.nan)
    return observed_sales


@dataclass
class _ModelRunner:
    """Runs each model at an origin; holds what is shared between origins (signals, the GBM's
    feature cache)."""

    panel: DemandPanel
    settings: ForecastSettings
    future_names: tuple[str, ...]
    origins: tuple[int, ...] = ()
    cache: FeatureCache = field(default_factory=FeatureCache)
    ets_cache: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    fitted_share: dict[str, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.signal = _signal(self.panel, self.settings.statistical_signal)
        self.raw_sales = _signal(self.panel, "units_sold")
        self.fallback = np.where(self.panel.observed, self.panel.latent_demand, np.nan)

    def run(self, model: str, origin: int, future: dict[str, np.ndarray] | None) -> np.ndarray:
        horizon = self.settings.horizon
        signal = self.signal
        base = model
        if model.endswith("_sales"):
            signal, base = self.raw_sales, model.removesuffix("_sales")
        if base == "seasonal_naive":
            return seasonal_naive_forecast(signal, self.fallback, origin, horizon)
        if base.startswith("moving_average_"):
            window = int(base.rsplit("_", 1)[1])
            return moving_average_forecast(signal, self.fallback, origin, horizon, window)
        if base == "ets":
            if self.settings.ets_engine == "statsmodels":
                forecast, fitted = statsmodels_ets_forecast(
                    signal, self.fallback, origin, horizon, self.settings.ets_min_observations
                )
            else:
                key = (model, origin)
                if key not in self.ets_cache:
                    # every origin of the run in one pass (each sees only days up to itself)
                    origins = sorted({*self.origins, origin})
                    results = ets_forecasts(
                        signal,
                        self.fallback,
                        origins,
                        horizon,
                        self.settings.ets_grid,
                        self.settings.ets_min_observations,
                    )
                    self.ets_cache.update({(model, o): r for o, r in results.items()})
                forecast, fitted = self.ets_cache[key]
            self.fitted_share.setdefault(model, []).append(float(fitted.mean()))
            return forecast
        if base == "gradient_boosting":
            gbm = fit_gradient_boosting(
                self.panel,
                origin,
                horizon,
                self.settings.gradient_boosting,
                self.cache,
                future_names=self.future_names,
            )
            prediction = gradient_boosting_forecast(
                gbm,
                self.panel,
                origin,
                horizon,
                future,
                self.settings.gradient_boosting.n_threads,
                self.cache,
            )
            self.fitted_share.setdefault("gradient_boosting", []).append(
                0.0 if prediction is None else 1.0
            )
            if prediction is None:  # too little data to learn from: the moving average stands in
                return moving_average_forecast(signal, self.fallback, origin, horizon)
            return prediction
        raise ValueError(f"unknown model {model!r}")


# ----------------------------------------------------------------------------- intervals


@dataclass
class _Residuals:
    """Scaled errors (actual - forecast) / series level of one model, by volume bin and step."""

    bins: list[np.ndarray] = field(default_factory=list)
    steps: list[np.ndarray] = field(default_factory=list)
    errors: list[np.ndarray] = field(default_factory=list)
    total_bins: list[np.ndarray] = field(default_factory=list)
    total_errors: list[np.ndarray] = field(default_factory=list)

    def add(
        self,
        actual: np.ndarray,
        forecast: np.ndarray,
        scored: np.ndarray,
        scale: np.ndarray,
        volume_bin: np.ndarray,
    ) -> None:
        n_series, horizon = forecast.shape
        scaled = (actual - forecast) / scale[:, None]
        step = np.tile(np.arange(horizon), (n_series, 1))
        bins = np.repeat(volume_bin[:, None], horizon, axis=1)
        self.bins.append(bins[scored])
        self.steps.append(step[scored])
        self.errors.append(scaled[scored])
        complete = scored.all(axis=1)
        self.total_bins.append(volume_bin[complete])
        self.total_errors.append(scaled[complete].sum(axis=1))

    @property
    def empty(self) -> bool:
        return not self.errors or sum(len(e) for e in self.errors) == 0

    def intervals(
        self,
        forecast: np.ndarray,
        scale: np.ndarray,
        volume_bin: np.ndarray,
        levels: tuple[float, ...],
        n_bins: int,
        min_count: int,
    ) -> tuple[dict[float, tuple[np.ndarray, np.ndarray]], np.ndarray]:
        """Bounds per level and the std of the H-day total, from the collected errors.

        Quantiles of the scaled error in each (volume bin, step); with fewer than min_count
        errors there, the bin's errors over all steps, then all errors.
        """
        n_series, horizon = forecast.shape
        if self.empty:
            nan = np.full((n_series, horizon), np.nan)
            return {level: (nan, nan) for level in levels}, np.full(n_series, np.nan)
        bins = np.concatenate(self.bins)
        steps = np.concatenate(self.steps)
        errors = np.concatenate(self.errors)
        probabilities = sorted({p for lv in levels for p in ((1 - lv) / 2, (1 + lv) / 2)})
        pooled = np.quantile(errors, probabilities)
        table = np.empty((n_bins, horizon, len(probabilities)))
        variance = np.empty((n_bins, horizon))
        for b in range(n_bins):
            in_bin = bins == b
            bin_errors = errors[in_bin]
            for h in range(horizon):
                cell = bin_errors[steps[in_bin] == h]
                if len(cell) < min_count:
                    cell = bin_errors if len(bin_errors) >= min_count else errors
                table[b, h] = np.quantile(cell, probabilities) if len(cell) else pooled
                variance[b, h] = np.var(cell) if len(cell) else np.var(errors)
        quantiles = table[volume_bin][:, :horizon]  # (n, H, P)
        bounds = {}
        for level in levels:
            low = probabilities.index((1 - level) / 2)
            high = probabilities.index((1 + level) / 2)
            bounds[level] = (
                np.maximum(forecast + quantiles[..., low] * scale[:, None], 0.0),
                np.maximum(forecast + quantiles[..., high] * scale[:, None], 0.0),
            )
        total_bins = np.concatenate(self.total_bins)
        total_errors = np.concatenate(self.total_errors)
        total_std = np.sqrt(variance.sum(axis=1))  # independent steps, if nothing better
        for b in range(n_bins):
            sums = total_errors[total_bins == b]
            if len(sums) >= min_count:
                total_std[b] = np.std(sums)
        return bounds, total_std[volume_bin] * scale


def _quantile_bins(values: np.ndarray, n_bins: int) -> np.ndarray:
    """0..n_bins-1 by quantiles of values across series (ties and tiny panels handled)."""
    if n_bins <= 1 or len(values) == 0:
        return np.zeros(len(values), dtype=np.int64)
    ranks = pd.Series(values).rank(method="first").to_numpy()
    return np.minimum(((ranks - 1) * n_bins / len(values)).astype(np.int64), n_bins - 1)


def _volume_bands(values: np.ndarray, quantiles: tuple[float, ...]) -> np.ndarray:
    if len(values) == 0:
        return np.array([], dtype=object)
    cuts = np.quantile(values, quantiles) if quantiles else np.array([])
    index = np.searchsorted(cuts, values, side="right")
    names = _band_names(len(quantiles) + 1)
    return np.array(names, dtype=object)[index]


def _band_names(n: int) -> list[str]:
    if n == 3:
        return ["low", "medium", "high"]
    if n <= len(VOLUME_BAND_NAMES):
        return list(VOLUME_BAND_NAMES[:n])
    return [f"band_{i + 1}" for i in range(n)]


# ----------------------------------------------------------------------------- backtest


def backtest_origins(n_days: int, settings: ForecastSettings) -> tuple[list[int], list[int]]:
    """(calibration origins, scored origins) as column indices, oldest first.

    Origins are H days apart, the last scored window ending on the last day of history; origins
    with fewer than min_history_days days before them are dropped. When history is short the
    scored windows are kept first, but one calibration window is kept whenever there are two
    origins (without one, the first scored window has no intervals).
    """
    h = settings.horizon
    wanted = settings.backtest_windows + settings.calibration_windows
    origins = [n_days - 1 - h * k for k in range(1, wanted + 1)][::-1]
    kept = [o for o in origins if o >= settings.min_history_days - 1]
    n_calibration = min(settings.calibration_windows, max(0, len(kept) - settings.backtest_windows))
    if n_calibration == 0 and settings.calibration_windows > 0 and len(kept) >= 2:
        n_calibration = 1
    return kept[:n_calibration], kept[n_calibration:]


@dataclass(frozen=True)
class _ScoredRows:
    """The scored (series, day) cells of one model's window(s), flattened."""

    actual: np.ndarray
    forecast: np.ndarray
    mase_scale: np.ndarray
    day: np.ndarray
    category: np.ndarray
    band: np.ndarray
    bounds: dict[float, tuple[np.ndarray, np.ndarray]]

    @classmethod
    def concat(cls, pieces: list[_ScoredRows]) -> _ScoredRows:
        def cat(name: str) -> np.ndarray:
            return np.concatenate([getattr(p, name) for p in pieces])

        levels = pieces[0].bounds.keys()
        return cls(
            cat("actual"),
            cat("forecast"),
            cat("mase_scale"),
            cat("day"),
            cat("category"),
            cat("band"),
            {
                lv: (
                    np.concatenate([p.bounds[lv][0] for p in pieces]),
                    np.concatenate([p.bounds[lv][1] for p in pieces]),
                )
                for lv in levels
            },
        )

    def segment_metrics(
        self, model: str, window: int, origin_date: pd.Timestamp | None
    ) -> list[dict[str, object]]:
        """Backtest rows for every segment: all, frn_benchmark, each category and volume band."""
        rows: list[dict[str, object]] = []

        def add(segment_type: str, segment_value: str, mask: np.ndarray) -> None:
            metrics = accuracy_metrics(
                self.actual[mask],
                self.forecast[mask],
                self.mase_scale[mask],
                {lv: (lo[mask], hi[mask]) for lv, (lo, hi) in self.bounds.items()},
            )
            if segment_type == FRN_SEGMENT:
                metrics.update(
                    frn_daily_metrics(self.actual[mask], self.forecast[mask], self.day[mask])
                )
            rows.append(
                {
                    "model": model,
                    "window": window,
                    "origin_date": origin_date,
                    "segment_type": segment_type,
                    "segment_value": segment_value,
                    **metrics,
                }
            )

        everything = np.ones(len(self.actual), dtype=bool)
        add("all", "all", everything)
        add(FRN_SEGMENT, FRN_SEGMENT_VALUE, everything)
        for value in sorted(set(self.category.tolist())):
            add("category", str(value), self.category == value)
        for value in sorted(set(self.band.tolist())):
            add("volume_band", str(value), self.band == value)
        return rows


@dataclass
class _WindowOutput:
    model: str
    window: int
    origin: int
    forecast: np.ndarray
    bounds: dict[float, tuple[np.ndarray, np.ndarray]]


def forecast_demand(
    history: pd.DataFrame,
    products: pd.DataFrame | None = None,
    settings: ForecastSettings = ForecastSettings(),
    future_covariates: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
) -> ForecastResult:
    """Backtest every model on rolling origins, choose the lowest-WAPE one, forecast H days.

    history: marts.fct_sales_daily rows (see forecasting_panel.build_panel). products:
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
    timings: dict[str, float] = {}
    run_started = time.perf_counter()

    def report(step: str) -> None:
        if progress is not None:
            elapsed = time.perf_counter() - run_started
            progress(f"forecast: {step} ({panel.n_series:,} series, {elapsed:.0f} s elapsed)")

    h = settings.horizon
    future = future_covariate_arrays(panel, future_covariates, h)
    future_names = tuple(sorted(future))
    calibration, scored = backtest_origins(panel.n_days, settings)
    windows = len(calibration) + len(scored)
    runner = _ModelRunner(
        panel, settings, future_names, origins=(*calibration, *scored, panel.n_days - 1)
    )
    levels = tuple(settings.interval_levels)
    residuals = {model: _Residuals() for model in settings.models}
    outputs: list[_WindowOutput] = []
    rows: list[dict[str, object]] = []
    pooled: dict[str, list[_ScoredRows]] = {m: [] for m in settings.models}
    actual_all = np.where(panel.observed, panel.units_sold, np.nan)
    scored_mask = panel.demand_observed

    for window, origin in enumerate(calibration + scored, start=1 - len(calibration)):
        target = slice(origin + 1, origin + 1 + h)
        actual = actual_all[:, target]
        is_scored = scored_mask[:, target]
        scale = series_scale(panel, origin)
        volume_bin = _quantile_bins(scale, settings.interval_bins)
        band = _volume_bands(scale, settings.volume_band_quantiles)
        mase = seasonal_naive_mae(panel.masked_sales, origin)
        # as if the realised covariates of the window had been known in advance, like the
        # future ones given for the final forecast (and only those columns)
        origin_future = {name: panel.covariates[name][:, target] for name in future_names}
        for model in settings.models:
            started = time.perf_counter()
            forecast = runner.run(model, origin, origin_future)
            timings[model] = timings.get(model, 0.0) + time.perf_counter() - started
            report(
                f"backtest window {window + len(calibration)}/{windows} "
                f"(origin {panel.dates[origin].date()}), {model} done"
            )
            bounds, _ = residuals[model].intervals(
                forecast,
                scale,
                volume_bin,
                levels,
                settings.interval_bins,
                settings.interval_min_residuals,
            )
            residuals[model].add(actual, forecast, is_scored, scale, volume_bin)
            if window < 1:
                continue
            outputs.append(_WindowOutput(model, window, origin, forecast, bounds))
            series_index, step_index = np.nonzero(is_scored)
            piece = _ScoredRows(
                actual=actual[series_index, step_index],
                forecast=forecast[series_index, step_index],
                mase_scale=mase[series_index],
                day=origin + 1 + step_index,
                category=panel.category[series_index],
                band=band[series_index],
                bounds={
                    lv: (lo[series_index, step_index], hi[series_index, step_index])
                    for lv, (lo, hi) in bounds.items()
                },
            )
            pooled[model].append(piece)
            rows.extend(piece.segment_metrics(model, window, panel.dates[origin]))

    for model, pieces in pooled.items():
        if pieces:
            rows.extend(_ScoredRows.concat(pieces).segment_metrics(model, 0, None))
    backtest = pd.DataFrame(rows, columns=_backtest_columns(levels))
    chosen = choose_model(backtest, settings.models)

    started = time.perf_counter()
    last = panel.n_days - 1
    final_models = settings.models if settings.forecast_all_models else (chosen,)
    final_future = future
    scale = series_scale(panel, last)
    volume_bin = _quantile_bins(scale, settings.interval_bins)
    frames = []
    for model in final_models:
        forecast = runner.run(model, last, final_future)
        bounds, total_std = residuals[model].intervals(
            forecast,
            scale,
            volume_bin,
            levels,
            settings.interval_bins,
            settings.interval_min_residuals,
        )
        values = {"forecast_units": forecast}
        for level, (lower, upper) in bounds.items():
            values[f"lower_{_pct(level)}"] = lower
            values[f"upper_{_pct(level)}"] = upper
        values["demand_std_horizon"] = np.repeat(total_std[:, None], h, axis=1)
        frame = panel_to_long(panel, values, panel.dates[last] + pd.Timedelta(days=1))
        frame.insert(3, "origin_date", panel.dates[last])
        frame.insert(4, "model", model)
        frames.append(frame)
    timings["final_forecast"] = time.perf_counter() - started
    report(f"chose {chosen}; final forecast of {h} days done")
    forecast_frame = pd.concat(frames, ignore_index=True)

    predictions = _backtest_predictions(panel, outputs, actual_all, scored_mask, settings)
    diagnostics: dict[str, object] = {
        "model_seconds": timings,
        "calibration_origins": [str(panel.dates[o].date()) for o in calibration],
        "scored_origins": [str(panel.dates[o].date()) for o in scored],
        "fitted_share": {k: float(np.mean(v)) for k, v in runner.fitted_share.items()},
        "future_covariates_used": sorted(future),
    }
    return ForecastResult(forecast_frame, backtest, predictions, chosen, diagnostics)


def _backtest_columns(levels: tuple[float, ...]) -> list[str]:
    return [
        "model",
        "window",
        "origin_date",
        "segment_type",
        "segment_value",
        "wape",
        "wpe",
        "mape",
        "mase",
        *[f"coverage_{_pct(lv)}" for lv in levels],
        "n_rows",
    ]


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


def _backtest_predictions(
    panel: DemandPanel,
    outputs: list[_WindowOutput],
    actual_all: np.ndarray,
    scored_mask: np.ndarray,
    settings: ForecastSettings,
) -> pd.DataFrame:
    limit = settings.backtest_prediction_series
    rows = np.arange(panel.n_series if limit is None else min(limit, panel.n_series))
    sub = panel.subset(rows)
    frames = []
    h = settings.horizon
    for out in outputs:
        target = slice(out.origin + 1, out.origin + 1 + h)
        values = {
            "actual": actual_all[rows, target],
            "is_scored": scored_mask[rows, target].astype(np.float64),
            "forecast": out.forecast[rows],
        }
        for level, (lower, upper) in out.bounds.items():
            values[f"lower_{_pct(level)}"] = lower[rows]
            values[f"upper_{_pct(level)}"] = upper[rows]
        frame = panel_to_long(sub, values, panel.dates[out.origin] + pd.Timedelta(days=1))
        frame.insert(0, "model", out.model)
        frame.insert(1, "window", out.window)
        frame.insert(2, "origin_date", panel.dates[out.origin])
        frame["is_scored"] = frame["is_scored"] > 0
        frames.append(frame)
    if not frames:
        return pd.DataFrame()
    combined = pd.concat(frames, ignore_index=True)
    for column in ("model", "store_id", "product_id"):
        combined[column] = combined[column].astype("category")
    return combined
