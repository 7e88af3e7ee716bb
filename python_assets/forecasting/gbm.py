"""Global gradient-boosting demand model: one scikit-learn HistGradientBoostingRegressor over all
series, direct multi-horizon.

Direct, not recursive: every training row is (features known at an origin, horizon step h) ->
demand on origin + h, and h is a feature. One fit per forecast origin serves all H steps, errors
do not feed back into lag features the way they do in a recursive model, and the lags never
need values the model itself produced. Targets are divided by the series' recent level so that
one model fits slow and fast sellers, and training rows are sampled in proportion to that level,
so the absolute loss on the scaled target is, in expectation, the absolute error in units that
WAPE sums.

One series cannot steer the model (robust.py): the level and the targets are taken from
outlier-capped days, series launched fewer than launch_days days before an origin give no
training rows and get their own launch-profile forecast, and each series' training rows are
drawn by its own key, whatever other series the panel holds.

Stockout-aware: rows whose target day is censored are left out of training (their sales are
only a lower bound of demand); censoring history, sales adjusted for in-stock hours and the
warehouse's latent-demand estimate are features, never targets.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from python_assets.forecasting.gbm_features import (
    MIN_SCALE,
    FeatureCache,
    PanelArrays,
    origin_features,
    unknown_future,
    unusual_days,
)
from python_assets.forecasting.panel import DemandPanel
from python_assets.forecasting.robust import launch_forecast, series_uniforms
from python_assets.forecasting.statistical import _nanmean_rows, _window

__all__ = [
    "FeatureCache",
    "GradientBoostingModel",
    "GradientBoostingSettings",
    "MeanCalibration",
    "fit_gradient_boosting",
    "gradient_boosting_forecast",
    "mean_calibrated",
    "series_scale",
]

CATEGORICAL_FEATURES = ("category", "subcategory", "weekday")
# rows predicted at once: scikit-learn predicts tree after tree over all the rows it is given,
# so a block this small stays in the processor's cache through every tree instead of being read
# from memory once per tree; the predictions are the same
PREDICT_BLOCK_ROWS = 8192

T = TypeVar("T")
R = TypeVar("R")


def _over_members(work: Callable[[T], R], items: Sequence[T], n_threads: int | None) -> list[R]:
    """work(item) for every member, side by side on n_threads cores (None: all of them): one
    Python thread per member, each with its share of the OpenMP threads. scikit-learn's tree
    growing runs partly in Python, holding the GIL, so two members each on one core finish
    sooner than one after the other on two cores. Results do not depend on it."""
    cores = n_threads or os.cpu_count() or 1
    workers = max(1, min(len(items), cores))

    def run(item: T) -> R:
        with threadpool_limits(limits=max(1, cores // workers), user_api="openmp"):
            return work(item)

    if workers == 1:
        return [run(item) for item in items]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, items))


@dataclass(frozen=True)
class GradientBoostingSettings:
    """Hyper-parameters of the global model (one place for them; see the module docstring).

    train_origins: how many past origins (one a day, the most recent before the forecast origin)
    give training rows; an origin o gives only the steps whose target day is known at the
    forecast origin. More origins also show the model more unusual weeks (holidays).
    max_train_rows: rows sampled over train_origins origins (max_train_rows / train_origins
    each, before censored targets are dropped); chosen against 300,000 on the backtest windows
    before the last one, over two seeds (benchmarks/RESULTS.md).
    min_history_days: training origins need this many days before them (features are NaN-aware,
    so two weeks suffice; earlier weeks show the model more holidays).
    weight_power: rows are sampled in proportion to the series level to this power (1 = the
    loss in units, as WAPE weighs errors; 0 = every series alike).
    loss: 'absolute_error' (median: WAPE-optimal), 'squared_error' (mean) or 'poisson'.
    n_models: members averaged, each with its own random feature subsets (max_features < 1).
    Two members lowered FreshRetailNet's WAPE in each of the three backtest windows before the
    last one (chosen on those windows; see benchmarks/RESULTS.md), at twice the fitting time.
    n_threads: OpenMP threads for fitting and predicting; None = all cores. Results do not
    depend on it (checked on FreshRetailNet: identical backtests with 1 and 2 threads). On a
    machine shared with other busy jobs one thread can be faster: OpenMP threads that wait for a
    busy core spin.
    outlier_multiple: a day's demand is capped at this multiple of the series' typical selling
    day over the 28 days before it (at least this many units) in the level, the features and
    the targets; on dense data it binds on a tiny share of days.
    launch_days: series that first sold fewer days than this before an origin give no training
    rows there and are forecast by their launch profile (robust.launch_forecast), whose first
    day, while it is the only one, counts at launch_first_day_weight.
    train_on_unusual_days: also train on target days unusual for their weekday (a weekday holiday,
    a working weekend) when the forecast days' holiday flags are not given. Off: such a day's
    jump cannot be foreseen then, and training on it raised the forecast of the weekday a week
    after a holiday; leaving it out was chosen on the backtest windows before the last
    (benchmarks/RESULTS.md, docs/methodology.md 6.7).
    tie_break: zero targets become a fixed per-row jitter, uniform in [0, tie_break) scaled
    units. scikit-learn's absolute-error gradient is -1 when a target equals the prediction, so
    when more than half of the rows are zero days (a mostly intermittent network) every gradient
    is -1 at the starting median of 0, no split gains anything and the model forecasts zero for
    every series; a jitter far below one unit breaks those ties.
    """

    loss: str = "absolute_error"
    max_iter: int = 150
    learning_rate: float = 0.13
    max_leaf_nodes: int = 31
    min_samples_leaf: int = 200
    l2_regularization: float = 1.0
    max_bins: int = 255
    max_features: float = 0.5
    train_origins: int = 56
    max_train_rows: int = 200_000
    weight_power: float = 1.0
    min_history_days: int = 14
    n_models: int = 2
    random_state: int = 0
    n_threads: int | None = None
    outlier_multiple: float = 5.0
    launch_days: int = 14
    launch_first_day_weight: float = 0.5
    train_on_unusual_days: bool = False
    tie_break: float = 1e-3

    def __post_init__(self) -> None:
        if self.outlier_multiple <= 1:
            raise ValueError(f"outlier_multiple must be > 1, got {self.outlier_multiple}")
        if self.launch_days < 1:
            raise ValueError(f"launch_days must be >= 1, got {self.launch_days}")
        if not 0 < self.tie_break < 0.1:
            raise ValueError(f"tie_break must be in (0, 0.1), got {self.tie_break}")
        if not 0 <= self.launch_first_day_weight <= 1:
            raise ValueError(
                f"launch_first_day_weight must be in [0, 1], got {self.launch_first_day_weight}"
            )

    def arrays(self, cache: FeatureCache | None, panel: DemandPanel) -> PanelArrays:
        """The panel's feature arrays under these settings, from the cache where it has them."""
        cache = cache if cache is not None else FeatureCache()
        return cache.arrays_for(panel, self.outlier_multiple, self.launch_days)


# bins of the series level in which the mean calibration's factor is learnt (quantiles of the
# level over the training rows, which are drawn in proportion to it: bins of about equal units)
MEAN_CALIBRATION_BINS = 5


@dataclass(frozen=True)
class MeanCalibration:
    """The model forecasts a daily median (absolute loss); for right-skewed counts the sum of
    daily medians falls below the mean total. factor[b] = sum(target) / sum(fitted value) over
    the model's own training rows whose series level falls in bin b (edges: the level's
    quantiles over those rows), rows weighted so that the ratio is one of units (the rows are
    drawn in proportion to level**weight_power; with 1, unweighted). gradient_boosting_mean is
    the model's forecast times its series' factor: learnt in-sample, no extra fit."""

    edges: np.ndarray
    factors: np.ndarray

    @classmethod
    def learn(
        cls, target: np.ndarray, fitted: np.ndarray, level: np.ndarray, weight_power: float
    ) -> MeanCalibration:
        cuts = np.linspace(0, 1, MEAN_CALIBRATION_BINS + 1)[1:-1]
        edges = np.unique(np.quantile(level, cuts))
        bins = np.searchsorted(edges, level, side="right")
        weight = level ** (1.0 - weight_power)
        actual = np.bincount(bins, weight * target, minlength=len(edges) + 1)
        fitted_sum = np.bincount(bins, weight * fitted, minlength=len(edges) + 1)
        # a band without fitted units (no rows: every level tied at an edge) takes all rows' factor
        overall = actual.sum() / fitted_sum.sum() if fitted_sum.sum() > 0 else 1.0
        factors = np.divide(
            actual, fitted_sum, out=np.full(len(actual), overall), where=fitted_sum > 0
        )
        return cls(edges, factors)

    def factor(self, level: np.ndarray) -> np.ndarray:
        return self.factors[np.searchsorted(self.edges, level, side="right")]


@dataclass
class GradientBoostingModel:
    """The fitted members (same rows, different random feature subsets), averaged; the feature
    names and training row count are kept for reporting, the settings for forecasting, the mean
    calibration for gradient_boosting_mean."""

    members: list[HistGradientBoostingRegressor]
    feature_names: list[str]
    n_train_rows: int
    settings: GradientBoostingSettings
    calibration: MeanCalibration | None = None

    def predict(self, features: np.ndarray, n_threads: int | None = None) -> np.ndarray:
        def member(model: HistGradientBoostingRegressor) -> np.ndarray:
            blocks = range(0, len(features), PREDICT_BLOCK_ROWS)
            if len(blocks) <= 1:
                return model.predict(features)
            return np.concatenate(
                [model.predict(features[i : i + PREDICT_BLOCK_ROWS]) for i in blocks]
            )

        return np.mean(_over_members(member, self.members, n_threads), axis=0)


def series_scale(panel: DemandPanel, origin: int) -> np.ndarray:
    """The series' recent level: mean demand-observed sales over the last 28 days, else its mean
    latent demand then, else over all history; floored so scaled values stay finite."""
    masked = panel.masked_sales
    level = _nanmean_rows(_window(masked, origin, 28))
    for candidate in (
        _nanmean_rows(_window(panel.latent_demand, origin, 28)),
        _nanmean_rows(masked[:, : origin + 1]),
        _nanmean_rows(panel.latent_demand[:, : origin + 1]),
    ):
        level = np.where(np.isfinite(level), level, candidate)
    return np.maximum(np.nan_to_num(level), MIN_SCALE)


def _future_slice(values: np.ndarray, origin: int, horizon: int) -> np.ndarray:
    out = np.full((values.shape[0], horizon), np.nan)
    part = values[:, origin + 1 : origin + 1 + horizon]
    out[:, : part.shape[1]] = part
    return out


def _training_rows(
    arrays: PanelArrays,
    origin: int,
    horizon: int,
    rows_per_origin: int,
    settings: GradientBoostingSettings,
    future_names: tuple[str, ...],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sampled (X, scaled target, step, series) rows of one training origin.

    (series, step) pairs are drawn with probability proportional to the series' level at that
    origin (to the power weight_power): an unweighted fit on the sample minimises, in
    expectation, the level-weighted loss, i.e. the absolute error in units that WAPE sums
    (scikit-learn's weighted-quantile code is an order of magnitude slower). The draw depends on
    the origin and the levels known at it only, before any target is looked at, so which rows
    exist never depends on data after the origin being forecast. Rows whose target day is
    censored or past the panel are dropped afterwards. New series (launches) give no rows, and
    a series' draws come from its own key, so other series' rows do not move when one is added.
    Targets are the outlier-capped demand, zeros jittered (tie_break in the settings).
    """
    panel = arrays.panel
    scale = arrays.scale(origin)
    weight = np.where(arrays.new(origin), 0.0, scale**settings.weight_power)
    established = int(np.count_nonzero(weight))
    if established == 0:
        empty = np.empty((0, 0), dtype=np.float32)
        return empty, np.empty(0), np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    take = min(rows_per_origin, 2 * established * horizon)
    expected = np.repeat(take * weight / (horizon * weight.sum()), horizon)
    whole = np.floor(expected)
    draw = series_uniforms(arrays.key_hash, settings.random_state, origin, horizon).reshape(-1)
    count = (whole + (draw < expected - whole)).astype(np.int64)
    chosen = np.repeat(np.arange(len(expected)), count)
    series_rows, step_index = np.divmod(chosen, horizon)
    target_days = origin + 1 + step_index
    keep = step_index < min(horizon, panel.n_days - 1 - origin)
    keep[keep] = panel.demand_observed[series_rows[keep], target_days[keep]]
    series_rows, step_index, target_days = series_rows[keep], step_index[keep], target_days[keep]
    needed, position = np.unique(series_rows, return_inverse=True)
    future = {
        name: _future_slice(arrays.covariates[name], origin, horizon) for name in future_names
    }
    features, _, _ = origin_features(arrays, origin, horizon, future, rows=needed)
    x = features[position, step_index]
    target = arrays.days["demand"][series_rows, target_days] / scale[series_rows]
    jitter = series_uniforms(arrays.key_hash, settings.random_state + 1, origin, horizon)
    # zero days only (the ties that stall the model) and upwards, as the Poisson loss needs y >= 0
    target += np.where(target == 0, settings.tie_break * jitter[series_rows, step_index], 0.0)
    return x, target, step_index + 1, series_rows


def fit_gradient_boosting(
    panel: DemandPanel,
    origin: int,
    horizon: int,
    settings: GradientBoostingSettings = GradientBoostingSettings(),
    cache: FeatureCache | None = None,
    future_names: tuple[str, ...] = (),
) -> GradientBoostingModel | None:
    """Fit the global model on origins before `origin` whose targets are known by `origin`.

    Training origins run from origin - train_origins to origin - 1 (none with fewer than
    settings.min_history_days days before them); an origin o contributes steps h <= origin - o only.
    future_names: covariates that will be known in advance for the forecast days; training uses
    their realised values on its target days. Returns None when there are too few rows.
    """
    cache = cache if cache is not None else FeatureCache()
    arrays = settings.arrays(cache, panel)
    first = max(settings.min_history_days - 1, origin - settings.train_origins)
    origins = list(range(first, origin))
    if not origins:
        return None
    # fixed per origin (not per len(origins)) so that every forecast origin reuses the rows
    rows_per_origin = max(1, settings.max_train_rows // settings.train_origins)
    # days unusual for their weekday, judged at the origin, give no target unless the holiday
    # flags of the forecast days are given (docs/methodology.md 6.7)
    unusual = None
    if not settings.train_on_unusual_days and "is_holiday" not in future_names:
        unusual = unusual_days(arrays, origin)
    parts = []
    for train_origin in origins:
        key = (train_origin, rows_per_origin, future_names)
        if key not in cache.rows:
            cache.rows[key] = _training_rows(
                arrays, train_origin, horizon, rows_per_origin, settings, future_names
            )
        x, target, step, series = cache.rows[key]
        usable = step <= origin - train_origin
        if unusual is not None:
            usable[usable] = ~unusual[series[usable], train_origin + step[usable]]
        if usable.any():
            level = arrays.scale(train_origin)[series[usable]]
            parts.append((x[usable], target[usable], level))
    if not parts:
        return None
    x = np.concatenate([p[0] for p in parts])
    target = np.concatenate([p[1] for p in parts])
    level = np.concatenate([p[2] for p in parts])
    if len(target) < 50:
        return None
    _, _, names = origin_features(
        arrays,
        origin,
        horizon,
        unknown_future(panel, future_names, horizon),
        rows=np.arange(1),
    )
    categorical = np.array([name in CATEGORICAL_FEATURES for name in names])

    def fit(member: int) -> HistGradientBoostingRegressor:
        model = HistGradientBoostingRegressor(
            loss=settings.loss,
            learning_rate=settings.learning_rate,
            max_iter=settings.max_iter,
            max_leaf_nodes=settings.max_leaf_nodes,
            min_samples_leaf=min(settings.min_samples_leaf, max(5, len(target) // 50)),
            l2_regularization=settings.l2_regularization,
            max_bins=settings.max_bins,
            max_features=settings.max_features,
            categorical_features=categorical if categorical.any() else None,
            early_stopping=False,
            random_state=settings.random_state + member,
        )
        return model.fit(x, target)

    members = _over_members(fit, range(settings.n_models), settings.n_threads)
    model = GradientBoostingModel(members, names, len(target), settings)
    fitted = np.maximum(model.predict(x, settings.n_threads), 0.0)
    model.calibration = MeanCalibration.learn(target, fitted, level, settings.weight_power)
    return model


def gradient_boosting_forecast(
    model: GradientBoostingModel | None,
    panel: DemandPanel,
    origin: int,
    horizon: int,
    future: dict[str, np.ndarray] | None = None,
    n_threads: int | None = 1,
    cache: FeatureCache | None = None,
    rows: np.ndarray | None = None,
) -> np.ndarray | None:
    """Forecasts in units for steps 1..horizon after `origin`; None without a model.

    Series new at the origin (launched fewer than launch_days days before it) get their launch
    profile instead of the model's forecast. future must hold the same covariate names the model
    was fitted with (NaN where unknown). rows: forecast only these series (integer positions; a
    product partition), with the same values as in a forecast of every series: the pooled
    product and store features still come from the whole panel.
    """
    if model is None:
        return None
    settings = model.settings
    arrays = settings.arrays(cache, panel)
    rows = np.arange(panel.n_series) if rows is None else rows
    features, scale, _ = origin_features(arrays, origin, horizon, future, rows=rows)
    flat = features.reshape(-1, features.shape[-1])
    prediction = model.predict(flat, n_threads).reshape(len(rows), horizon)
    forecast = np.maximum(prediction, 0.0) * scale[:, None]
    new = arrays.new(origin)[rows]
    if new.any():
        launch = launch_forecast(
            panel.masked_sales[rows][new],
            arrays.first_sale[rows][new],
            origin,
            horizon,
            settings.launch_first_day_weight,
        )
        forecast[new] = launch
    return forecast


def mean_calibrated(
    model: GradientBoostingModel,
    forecast: np.ndarray,
    panel: DemandPanel,
    origin: int,
    cache: FeatureCache | None = None,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """gradient_boosting_forecast's `forecast` of the series `rows` times each series' mean
    calibration factor (MeanCalibration, by its level at the origin); launches keep their
    launch profile."""
    if model.calibration is None:
        return forecast
    arrays = model.settings.arrays(cache, panel)
    rows = np.arange(panel.n_series) if rows is None else rows
    factor = model.calibration.factor(arrays.scale(origin)[rows])
    return forecast * np.where(arrays.new(origin)[rows], 1.0, factor)[:, None]
