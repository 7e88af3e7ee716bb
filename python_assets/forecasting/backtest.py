"""The rolling-origin backtest: origins, one forecast per model and window, scored against sales
on days without a stockout, per segment (docs/methodology.md, "Demand forecast").

Each window's intervals are calibrated only on the errors of earlier windows, so the coverage it
reports is honest; the residuals collected here calibrate the final forecast's intervals too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from python_assets.forecasting.gbm import series_scale
from python_assets.forecasting.intervals import ResidualIntervals, quantile_bins
from python_assets.forecasting.metrics import (
    accuracy_metrics,
    frn_daily_metrics,
    level_label,
    seasonal_naive_mae,
)
from python_assets.forecasting.models import ModelRunner
from python_assets.forecasting.panel import DemandPanel, panel_to_long
from python_assets.forecasting.settings import (
    FRN_SEGMENT,
    FRN_SEGMENT_VALUE,
    VOLUME_BAND_NAMES,
    ForecastSettings,
)


def volume_bands(values: np.ndarray, quantiles: tuple[float, ...]) -> np.ndarray:
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
class WindowOutput:
    model: str
    window: int
    origin: int
    forecast: np.ndarray
    bounds: dict[float, tuple[np.ndarray, np.ndarray]]


@dataclass
class BacktestRun:
    """What the backtest leaves for the final forecast.

    table: one row per model x window x segment (columns: backtest_columns).
    residuals: each model's scaled errors over all windows, calibration ones included.
    outputs: each scored window's forecast and bounds per model.
    """

    table: pd.DataFrame
    runner: ModelRunner
    residuals: dict[str, ResidualIntervals]
    outputs: list[WindowOutput]
    calibration: list[int]
    scored: list[int]
    model_seconds: dict[str, float] = field(default_factory=dict)


def run_backtest(
    panel: DemandPanel,
    settings: ForecastSettings,
    future_names: tuple[str, ...],
    report: Callable[[str], None],
) -> BacktestRun:
    """Every model at every origin of backtest_origins, scored per window and pooled. The runner
    it returns also knows the final origin (the last day), so ETS fits all origins in one pass."""
    h = settings.horizon
    calibration, scored = backtest_origins(panel.n_days, settings)
    runner = ModelRunner(
        panel, settings, future_names, origins=(*calibration, *scored, panel.n_days - 1)
    )
    windows = len(calibration) + len(scored)
    levels = tuple(settings.interval_levels)
    residuals = {model: ResidualIntervals() for model in settings.models}
    timings: dict[str, float] = {}
    outputs: list[WindowOutput] = []
    rows: list[dict[str, object]] = []
    pooled: dict[str, list[_ScoredRows]] = {m: [] for m in settings.models}
    actual_all = np.where(panel.observed, panel.units_sold, np.nan)
    scored_mask = panel.demand_observed

    for window, origin in enumerate(calibration + scored, start=1 - len(calibration)):
        target = slice(origin + 1, origin + 1 + h)
        actual = actual_all[:, target]
        is_scored = scored_mask[:, target]
        scale = series_scale(panel, origin)
        volume_bin = quantile_bins(scale, settings.interval_bins)
        band = volume_bands(scale, settings.volume_band_quantiles)
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
            outputs.append(WindowOutput(model, window, origin, forecast, bounds))
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
    table = pd.DataFrame(rows, columns=backtest_columns(levels))
    return BacktestRun(table, runner, residuals, outputs, calibration, scored, timings)


def backtest_columns(levels: tuple[float, ...]) -> list[str]:
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
        *[f"coverage_{level_label(lv)}" for lv in levels],
        "n_rows",
    ]


def backtest_predictions(
    panel: DemandPanel,
    outputs: list[WindowOutput],
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
            values[f"lower_{level_label(level)}"] = lower[rows]
            values[f"upper_{level_label(level)}"] = upper[rows]
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
