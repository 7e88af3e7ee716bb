"""The rolling-origin backtest: origins, one forecast per model and window, scored against sales
on days without a stockout, per segment (docs/methodology.md, "Demand forecast").

Each window's intervals are calibrated only on the errors of earlier windows, so the coverage it
reports is honest; the residuals collected here calibrate the final forecast's intervals too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from python_assets.forecasting.classes import demand_classes_at
from python_assets.forecasting.gbm import series_scale
from python_assets.forecasting.intervals import (
    CountIntervals,
    IntervalForecast,
    ResidualIntervals,
    SeriesGroups,
    interval_store,
    quantile_bins,
    resolved_interval_method,
)
from python_assets.forecasting.metrics import (
    TOTAL_METRICS,
    accuracy_metrics,
    frn_daily_metrics,
    level_label,
    seasonal_naive_mae,
    total_coverage,
    total_metrics,
)
from python_assets.forecasting.models import GRADIENT_BOOSTING_MODELS, ModelRunner
from python_assets.forecasting.panel import DemandPanel, panel_to_long
from python_assets.forecasting.selection import CHOSEN_MODEL, model_per_series
from python_assets.forecasting.settings import (
    FRN_SEGMENT,
    FRN_SEGMENT_VALUE,
    SELLING_RATE_CUTOFF,
    SELLING_RATE_SEGMENT,
    ForecastSettings,
)


def selling_rate(level: np.ndarray) -> np.ndarray:
    """Selling-rate segment of each series from its recent level (series_scale)."""
    return np.where(level >= SELLING_RATE_CUTOFF, "1_or_more_per_day", "below_1_per_day").astype(
        object
    )


def backtest_history_days(settings: ForecastSettings) -> int:
    """Days of history in which every origin of backtest_origins has min_history_days before it."""
    windows = settings.backtest_windows + settings.calibration_windows
    return settings.min_history_days + windows * settings.horizon


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
    series_key: np.ndarray
    complete: np.ndarray
    recent_sale: np.ndarray
    bounds: dict[float, tuple[np.ndarray, np.ndarray]]
    total_bounds: dict[float, tuple[np.ndarray, np.ndarray]]
    # segment type (category, volume band, demand class, selling rate) -> its segments and the
    # positions of each one's rows (SegmentRows); a slice taken for one segment's scores carries
    # none
    segments: dict[str, SegmentRows]

    @classmethod
    def concat(cls, pieces: list[_ScoredRows]) -> _ScoredRows:
        def cat(name: str) -> np.ndarray:
            return np.concatenate([getattr(p, name) for p in pieces])

        def cat_bounds(name: str) -> dict[float, tuple[np.ndarray, np.ndarray]]:
            return {
                lv: (
                    np.concatenate([getattr(p, name)[lv][0] for p in pieces]),
                    np.concatenate([getattr(p, name)[lv][1] for p in pieces]),
                )
                for lv in getattr(pieces[0], name)
            }

        return cls(
            cat("actual"),
            cat("forecast"),
            cat("mase_scale"),
            cat("day"),
            cat("series_key"),
            cat("complete"),
            cat("recent_sale"),
            cat_bounds("bounds"),
            cat_bounds("total_bounds"),
            {
                name: SegmentRows.concat(
                    [p.segments[name] for p in pieces], [len(p.actual) for p in pieces]
                )
                for name in pieces[0].segments
            },
        )

    def take(self, index: np.ndarray) -> _ScoredRows:
        """These rows at `index` (positions, ascending keeps their order), without segments."""

        def bounds(name: str) -> dict[float, tuple[np.ndarray, np.ndarray]]:
            return {lv: (lo[index], hi[index]) for lv, (lo, hi) in getattr(self, name).items()}

        def part(name: str) -> object:
            if name == "segments":
                return {}
            return bounds(name) if name.endswith("bounds") else getattr(self, name)[index]

        return _ScoredRows(**{f.name: part(f.name) for f in fields(self)})

    def segment_metrics(
        self, model: str, window: int, origin_date: pd.Timestamp | None
    ) -> list[dict[str, object]]:
        """Backtest rows for every segment: all, frn_benchmark, each category, volume band,
        demand class and selling rate; row metrics, and the scores of the H-day totals per series."""
        rows: list[dict[str, object]] = []

        def add(segment_type: str, segment_value: str, part: _ScoredRows) -> dict[str, object]:
            metrics = accuracy_metrics(part.actual, part.forecast, part.mase_scale, part.bounds)
            metrics.update(
                total_metrics(part.actual, part.forecast, part.series_key, part.recent_sale)
            )
            sale = part.actual > 0
            complete = part.complete
            for lv, (lo, hi) in part.bounds.items():
                label = level_label(lv)
                inside = (part.actual[sale] >= lo[sale]) & (part.actual[sale] <= hi[sale])
                metrics[f"coverage_sale_{label}"] = float(inside.mean()) if sale.any() else np.nan
                metrics[f"coverage_total_{label}"] = total_coverage(
                    part.actual[complete],
                    part.series_key[complete],
                    part.total_bounds[lv][0][complete],
                    part.total_bounds[lv][1][complete],
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
            return rows[-1]

        everything = add("all", "all", self)
        # FreshRetailNet's convention scores the same rows: all's figures, its own WAPE and WPE
        rows.append(
            {
                **everything,
                "segment_type": FRN_SEGMENT,
                "segment_value": FRN_SEGMENT_VALUE,
                **frn_daily_metrics(self.actual, self.forecast, self.day),
            }
        )
        for segment_type, segments in self.segments.items():
            for value, index in zip(segments.values, segments.rows, strict=True):
                add(segment_type, str(value), self.take(index))
        return rows


@dataclass(frozen=True)
class SegmentRows:
    """The segments of one segment type and the positions of each one's rows (ascending): one
    sort per window, shared by every model scored on the window's rows, instead of one per
    model."""

    values: np.ndarray
    rows: list[np.ndarray]

    @classmethod
    def of(cls, labels: np.ndarray) -> SegmentRows:
        codes, values = pd.factorize(labels, sort=True, use_na_sentinel=False)
        order = np.argsort(codes, kind="stable")
        return cls(
            values, np.split(order, np.cumsum(np.bincount(codes, minlength=len(values)))[:-1])
        )

    @classmethod
    def concat(cls, pieces: list[SegmentRows], sizes: list[int]) -> SegmentRows:
        """The segments of the pieces' rows one after another (each piece sizes[i] rows)."""
        starts = np.cumsum([0, *sizes[:-1]])
        codes, values = pd.factorize(
            np.concatenate([p.values for p in pieces]), sort=True, use_na_sentinel=False
        )
        shifted = [rows + start for p, start in zip(pieces, starts, strict=True) for rows in p.rows]
        parts: list[list[np.ndarray]] = [[] for _ in values]
        for code, rows in zip(codes, shifted, strict=True):
            parts[code].append(rows)
        return cls(values, [np.concatenate(part) for part in parts])


@dataclass
class WindowOutput:
    model: str
    window: int
    origin: int
    forecast: np.ndarray
    intervals: IntervalForecast


@dataclass(frozen=True)
class WindowContext:
    """What every model of a scored window is scored with."""

    window: int
    origin: int
    actual: np.ndarray
    is_scored: np.ndarray
    mase: np.ndarray
    groups: SeriesGroups
    recent_sale: np.ndarray
    # the scored cells (series, step) and each segment type's segments of them
    cells: tuple[np.ndarray, np.ndarray]
    segments: dict[str, SegmentRows]


@dataclass
class BacktestRun:
    """What the backtest leaves for the model choice and the final forecast.

    table: one row per model x window x segment (columns: backtest_columns).
    errors: each model's errors over all windows, calibration ones included (interval store).
    outputs: each scored window's forecast and intervals per model; contexts: each scored window.
    """

    table: pd.DataFrame
    runner: ModelRunner
    errors: dict[str, ResidualIntervals | CountIntervals]
    outputs: list[WindowOutput]
    contexts: list[WindowContext]
    calibration: list[int]
    scored: list[int]
    model_seconds: dict[str, float] = field(default_factory=dict)


def _scored_rows(
    panel: DemandPanel, context: WindowContext, forecast: np.ndarray, intervals: IntervalForecast
) -> _ScoredRows:
    series_index, step_index = context.cells
    complete = context.is_scored.all(axis=1)
    return _ScoredRows(
        actual=context.actual[series_index, step_index],
        forecast=forecast[series_index, step_index],
        mase_scale=context.mase[series_index],
        day=context.origin + 1 + step_index,
        series_key=context.window * panel.n_series + series_index,
        complete=complete[series_index],
        recent_sale=context.recent_sale[series_index],
        bounds={
            lv: (lo[series_index, step_index], hi[series_index, step_index])
            for lv, (lo, hi) in intervals.bounds.items()
        },
        total_bounds={
            lv: (lo[series_index], hi[series_index])
            for lv, (lo, hi) in intervals.total_bounds.items()
        },
        segments=context.segments,
    )


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
    method = resolved_interval_method(settings.interval_method, panel.units_sold)
    errors = {model: interval_store(method) for model in settings.models}
    timings: dict[str, float] = {}
    outputs: list[WindowOutput] = []
    contexts: list[WindowContext] = []
    rows: list[dict[str, object]] = []
    pooled: dict[str, list[_ScoredRows]] = {m: [] for m in settings.models}
    actual_all = np.where(panel.observed, panel.units_sold, np.nan)

    def timed(model: str, origin: int, future: dict[str, np.ndarray]) -> tuple[np.ndarray, float]:
        started = time.perf_counter()
        return runner.run(model, origin, future), time.perf_counter() - started

    boosting = tuple(m for m in settings.models if m in GRADIENT_BOOSTING_MODELS)

    def timed_boosting(
        origin: int, future: dict[str, np.ndarray]
    ) -> dict[str, tuple[np.ndarray, float]]:
        # one fit serves every gradient-boosting model; its time goes to the first of them
        started = time.perf_counter()
        gbm = runner.fit_gradient_boosting(origin)
        forecasts = runner.gradient_boosting(gbm, origin, future, models=boosting)
        seconds = time.perf_counter() - started
        return {m: (forecasts[m], seconds if i == 0 else 0.0) for i, m in enumerate(boosting)}

    def future_at(origin: int) -> dict[str, np.ndarray]:
        # as if the realised covariates of the window had been known in advance, like the
        # future ones given for the final forecast (and only those columns)
        return {
            name: panel.covariates[name][:, origin + 1 : origin + 1 + h] for name in future_names
        }

    # the global model, much the slowest, runs window after window on a thread of its own while
    # the other models run and every model is scored on this one, so that the cores its members
    # leave idle do that work; the forecasts are the same either way
    background = ThreadPoolExecutor(1, thread_name_prefix="backtest-gbm")
    try:
        ahead: dict[int, Future[dict[str, tuple[np.ndarray, float]]]] = (
            {
                origin: background.submit(timed_boosting, origin, future_at(origin))
                for origin in calibration + scored
            }
            if boosting
            else {}
        )
        for window, origin in enumerate(calibration + scored, start=1 - len(calibration)):
            target = slice(origin + 1, origin + 1 + h)
            scale = series_scale(panel, origin)
            classes = demand_classes_at(
                panel, origin, settings.demand_classes, settings.volume_band_quantiles
            )
            # a series with no row up to the origin did not exist then (a later launch): a
            # forecast made at that origin could not have covered it, so it is not scored
            is_scored = (
                panel.demand_observed[:, target]
                & panel.observed[:, : origin + 1].any(axis=1)[:, None]
            )
            cells = np.nonzero(is_scored)
            context = WindowContext(
                window=window,
                origin=origin,
                actual=actual_all[:, target],
                is_scored=is_scored,
                mase=seasonal_naive_mae(panel.masked_sales, origin),
                groups=SeriesGroups(
                    scale, quantile_bins(scale, settings.interval_bins), classes.demand_class
                ),
                recent_sale=classes.days_since_last_sale < settings.guardrails.recent_days,
                cells=cells,
                segments={
                    name: SegmentRows.of(labels[cells[0]])
                    for name, labels in (
                        ("category", panel.category),
                        ("volume_band", classes.volume_band),
                        ("demand_class", classes.demand_class),
                        (SELLING_RATE_SEGMENT, selling_rate(scale)),
                    )
                },
            )
            future = future_at(origin)
            for model in settings.models:
                if model in boosting:
                    forecast, seconds = ahead[origin].result()[model]
                else:
                    forecast, seconds = timed(model, origin, future)
                timings[model] = timings.get(model, 0.0) + seconds
                role = "scored" if window >= 1 else "calibrates the intervals, not scored"
                report(
                    f"backtest window {window + len(calibration)}/{windows} "
                    f"(origin {panel.dates[origin].date()}, {role}), {model} done"
                )
                intervals = errors[model].forecast_intervals(forecast, context.groups, settings)
                errors[model].add_groups(
                    context.actual, forecast, context.is_scored, context.groups
                )
                if window < 1:
                    continue
                outputs.append(WindowOutput(model, window, origin, forecast, intervals))
                piece = _scored_rows(panel, context, forecast, intervals)
                pooled[model].append(piece)
                rows.extend(piece.segment_metrics(model, window, panel.dates[origin]))
            if window >= 1:
                contexts.append(context)
    finally:
        background.shutdown(cancel_futures=True)

    for model, pieces in pooled.items():
        if pieces:
            rows.extend(_ScoredRows.concat(pieces).segment_metrics(model, 0, None))
    table = pd.DataFrame(rows, columns=backtest_columns(levels))
    return BacktestRun(table, runner, errors, outputs, contexts, calibration, scored, timings)


def score_choice(
    panel: DemandPanel,
    run: BacktestRun,
    choice: dict[str, str],
    default: str,
    levels: tuple[float, ...],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Backtest rows of the composite forecast that gives every series, at every origin, the
    model chosen for its class there (named CHOSEN_MODEL), and that forecast's H-day totals per
    series and origin (origin_totals), which the policy replay plans with."""
    by_key = {(out.model, out.window): out for out in run.outputs}
    rows: list[dict[str, object]] = []
    pieces = []
    totals = []
    for context in run.contexts:
        models = model_per_series(context.groups.demand_class, choice, default)
        forecast = np.zeros_like(context.actual)
        shape = forecast.shape
        bounds = {lv: (np.zeros(shape), np.zeros(shape)) for lv in levels}
        total_bounds = {lv: (np.zeros(shape[0]), np.zeros(shape[0])) for lv in levels}
        total_std = np.zeros(shape[0])
        for model in np.unique(models):
            rows_of = models == model
            out = by_key[(str(model), context.window)]
            forecast[rows_of] = out.forecast[rows_of]
            total_std[rows_of] = out.intervals.total_std[rows_of]
            for lv in levels:
                for i in range(2):
                    bounds[lv][i][rows_of] = out.intervals.bounds[lv][i][rows_of]
                    total_bounds[lv][i][rows_of] = out.intervals.total_bounds[lv][i][rows_of]
        piece = _scored_rows(
            panel, context, forecast, IntervalForecast(bounds, total_bounds, total_std)
        )
        pieces.append(piece)
        rows.extend(
            piece.segment_metrics(CHOSEN_MODEL, context.window, panel.dates[context.origin])
        )
        totals.append(_origin_totals(panel, context, models, forecast, total_std))
    if pieces:
        rows.extend(_ScoredRows.concat(pieces).segment_metrics(CHOSEN_MODEL, 0, None))
    table = pd.DataFrame(rows, columns=backtest_columns(levels))
    return table, (pd.concat(totals, ignore_index=True) if totals else _origin_totals_empty())


ORIGIN_TOTAL_COLUMNS = {
    "origin_date": "datetime64[us]",
    "store_id": "string",
    "product_id": "string",
    "demand_class": "string",
    "model": "string",
    "horizon_days": "int64",
    "forecast_units": "float64",
    "demand_std_horizon": "float64",
}


def _origin_totals_empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in ORIGIN_TOTAL_COLUMNS.items()})


def _origin_totals(
    panel: DemandPanel,
    context: WindowContext,
    models: np.ndarray,
    forecast: np.ndarray,
    total_std: np.ndarray,
) -> pd.DataFrame:
    """One row per series: the chosen forecast's H-day total at this origin and its std."""
    frame = pd.DataFrame(
        {
            "origin_date": panel.dates[context.origin],
            "store_id": panel.store_id.astype(str),
            "product_id": panel.product_id.astype(str),
            "demand_class": context.groups.demand_class.astype(str),
            "model": models.astype(str),
            "horizon_days": forecast.shape[1],
            "forecast_units": forecast.sum(axis=1),
            "demand_std_horizon": total_std,
        }
    )
    return frame.astype(ORIGIN_TOTAL_COLUMNS)


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
        *TOTAL_METRICS,
        *[f"coverage_sale_{level_label(lv)}" for lv in levels],
        *[f"coverage_total_{level_label(lv)}" for lv in levels],
    ]


def backtest_predictions(
    panel: DemandPanel,
    outputs: list[WindowOutput],
    actual_all: np.ndarray,
    scored_mask: np.ndarray,
    settings: ForecastSettings,
) -> pd.DataFrame:
    limit = settings.backtest_prediction_series
    if limit == 0:
        return pd.DataFrame()
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
        for level, (lower, upper) in out.intervals.bounds.items():
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
