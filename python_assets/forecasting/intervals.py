"""Prediction intervals calibrated on the backtest's errors, of each day and of the H-day total,
and the total's std (docs/methodology.md, "Intervals"): negative-binomial around the point
forecast with a dispersion per demand class (CountIntervals, the default), or empirical quantiles
of scaled residuals per demand class, volume bin and step (ResidualIntervals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

if TYPE_CHECKING:  # settings imports the models, which need this module
    from python_assets.forecasting.settings import ForecastSettings


@dataclass(frozen=True)
class IntervalForecast:
    """Intervals of one model's forecast at an origin.

    bounds: level -> (lower, upper), each (n_series, horizon), of daily demand.
    total_bounds: level -> (lower, upper), each (n_series,), of the H-day total.
    total_std: std of the H-day total (the LP's safety-stock input, demand_std_horizon).
    """

    bounds: dict[float, tuple[np.ndarray, np.ndarray]]
    total_bounds: dict[float, tuple[np.ndarray, np.ndarray]]
    total_std: np.ndarray


@dataclass(frozen=True)
class SeriesGroups:
    """What interval methods group series by at an origin: recent level (and its quantile bin)
    and demand class."""

    scale: np.ndarray
    volume_bin: np.ndarray
    demand_class: np.ndarray


@dataclass
class ResidualIntervals:
    """Scaled errors (actual - forecast) / series level of one model, with each series' demand
    class (as a code of class_codes) and volume bin, of days and of H-day totals."""

    class_codes: dict[str, int] = field(default_factory=dict)
    classes: list[np.ndarray] = field(default_factory=list)
    bins: list[np.ndarray] = field(default_factory=list)
    steps: list[np.ndarray] = field(default_factory=list)
    errors: list[np.ndarray] = field(default_factory=list)
    total_classes: list[np.ndarray] = field(default_factory=list)
    total_bins: list[np.ndarray] = field(default_factory=list)
    total_errors: list[np.ndarray] = field(default_factory=list)

    def add_groups(
        self, actual: np.ndarray, forecast: np.ndarray, scored: np.ndarray, groups: SeriesGroups
    ) -> None:
        n_series, horizon = forecast.shape
        scaled = (actual - forecast) / groups.scale[:, None]
        code = self._code(groups.demand_class)
        self.classes.append(np.repeat(code[:, None], horizon, axis=1)[scored])
        self.bins.append(np.repeat(groups.volume_bin[:, None], horizon, axis=1)[scored])
        self.steps.append(np.tile(np.arange(horizon), (n_series, 1))[scored])
        self.errors.append(scaled[scored])
        complete = scored.all(axis=1)
        self.total_classes.append(code[complete])
        self.total_bins.append(groups.volume_bin[complete])
        self.total_errors.append(scaled[complete].sum(axis=1))

    def forecast_intervals(
        self, forecast: np.ndarray, groups: SeriesGroups, settings: ForecastSettings
    ) -> IntervalForecast:
        return self.intervals(
            forecast, groups, tuple(settings.interval_levels), settings.interval_min_residuals
        )

    def _code(self, demand_class: np.ndarray) -> np.ndarray:
        names, inverse = np.unique(demand_class, return_inverse=True)
        codes = [self.class_codes.setdefault(name, len(self.class_codes)) for name in names]
        return np.asarray(codes, dtype=np.int64)[inverse]

    @property
    def empty(self) -> bool:
        return not self.errors or sum(len(e) for e in self.errors) == 0

    def intervals(
        self,
        forecast: np.ndarray,
        groups: SeriesGroups,
        levels: tuple[float, ...],
        min_count: int,
    ) -> IntervalForecast:
        """Bounds per level of days and of H-day totals, and the std of the total, from the
        collected errors.

        Days: quantiles of the scaled errors of the series' (demand class, volume bin, step);
        with fewer than min_count errors there, of its (class, bin), (bin, step), bin, then all
        errors. Totals: quantiles of the scaled total errors of its (class, bin), then bin (their
        tails are heavier than a normal's, whose central interval from their std covers more than
        it says); with fewer than min_count there, a normal with the days' variances summed.
        """
        n_series, horizon = forecast.shape
        total = forecast.sum(axis=1)
        if self.empty:
            nan, nan_total = np.full((n_series, horizon), np.nan), np.full(n_series, np.nan)
            return IntervalForecast(
                {level: (nan, nan) for level in levels},
                {level: (nan_total, nan_total) for level in levels},
                nan_total,
            )
        probabilities = sorted({p for lv in levels for p in ((1 - lv) / 2, (1 + lv) / 2)})
        code = self._code(groups.demand_class)
        n_bins = 1 + int(max(np.concatenate([*self.bins, groups.volume_bin]).max(), 0))

        def cell(class_code: np.ndarray, volume_bin: np.ndarray) -> np.ndarray:
            return class_code * n_bins + volume_bin

        # days: the finest cell with enough errors first
        steps = np.concatenate(self.steps)
        day_bins = np.concatenate(self.bins)
        day_cell = cell(np.concatenate(self.classes), day_bins)
        query_cell = np.repeat(cell(code, groups.volume_bin)[:, None], horizon, axis=1)
        query_bin = np.repeat(groups.volume_bin[:, None], horizon, axis=1)
        query_step = np.tile(np.arange(horizon), (n_series, 1))
        errors = np.concatenate(self.errors)
        day_quantiles, day_variance, found = _cell_statistics(
            errors,
            [day_cell * horizon + steps, day_cell, day_bins * horizon + steps, day_bins],
            [
                (query_cell * horizon + query_step).ravel(),
                query_cell.ravel(),
                (query_bin * horizon + query_step).ravel(),
                query_bin.ravel(),
            ],
            probabilities,
            min_count,
        )
        day_quantiles[~found] = np.quantile(errors, probabilities)
        day_variance[~found] = np.var(errors)
        quantiles = day_quantiles.reshape(n_series, horizon, -1) * groups.scale[:, None, None]
        # totals: the same cells without the step; a normal where none has enough
        total_errors = np.concatenate(self.total_errors)
        total_bins = np.concatenate(self.total_bins)
        std = np.sqrt(day_variance.reshape(n_series, horizon).sum(axis=1))
        total_quantiles, total_variance, found = _cell_statistics(
            total_errors,
            [cell(np.concatenate(self.total_classes), total_bins), total_bins],
            [cell(code, groups.volume_bin), groups.volume_bin],
            probabilities,
            min_count,
        )
        std[found] = np.sqrt(total_variance[found])
        total_quantiles[~found] = std[~found, None] * stats.norm.ppf(probabilities)[None, :]
        total_quantiles *= groups.scale[:, None]
        bounds, total_bounds = {}, {}
        for level in levels:
            low = probabilities.index((1 - level) / 2)
            high = probabilities.index((1 + level) / 2)
            bounds[level] = _bounds_around(forecast, quantiles[..., low], quantiles[..., high])
            total_bounds[level] = _bounds_around(
                total, total_quantiles[:, low], total_quantiles[:, high]
            )
        return IntervalForecast(bounds, total_bounds, std * groups.scale)


def _cell_statistics(
    values: np.ndarray,
    keys: list[np.ndarray],
    queries: list[np.ndarray],
    probabilities: list[float],
    min_count: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Quantiles (np.quantile's linear ones) and variance of `values` per cell, for each query
    row from the first of the key levels (finest first; keys[i] labels values, queries[i] the
    rows) whose cell holds at least min_count values: (quantiles (rows, P), variance, found),
    NaN where no level's cell was large enough."""
    rows = len(queries[0])
    quantiles = np.full((rows, len(probabilities)), np.nan)
    variance = np.full(rows, np.nan)
    found = np.zeros(rows, dtype=bool)
    for key, query in zip(keys, queries, strict=True):
        grouped = pd.Series(values).groupby(key)
        count = grouped.size()
        cells = count.index[count.to_numpy() >= min_count]
        position = cells.get_indexer(query)
        hit = ~found & (position >= 0)
        if not hit.any():
            continue
        table = grouped.quantile(probabilities).unstack().loc[cells].to_numpy()
        quantiles[hit] = table[position[hit]]
        variance[hit] = grouped.var(ddof=0).loc[cells].to_numpy()[position[hit]]
        found |= hit
    return quantiles, variance, found


def _bounds_around(
    point: np.ndarray, low_error: np.ndarray, high_error: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """point + the error quantiles, at least zero, and holding the point forecast even where
    the model erred one way only on past windows (a flat forecast on a day the stores are
    closed: every error negative)."""
    return np.clip(point + low_error, 0.0, point), np.maximum(point + high_error, point)


def quantile_bins(values: np.ndarray, n_bins: int) -> np.ndarray:
    """0..n_bins-1 by quantiles of values across series (ties and tiny panels handled)."""
    if n_bins <= 1 or len(values) == 0:
        return np.zeros(len(values), dtype=np.int64)
    ranks = pd.Series(values).rank(method="first").to_numpy()
    return np.minimum(((ranks - 1) * n_bins / len(values)).astype(np.int64), n_bins - 1)


def _dispersion(actual: np.ndarray, mean: np.ndarray) -> float:
    """Method-of-moments negative-binomial dispersion phi (Var = mu + phi mu^2) of actuals around
    their forecast means; 0 (Poisson) when they are not over-dispersed."""
    usable = mean > 0
    if not usable.any():
        return 0.0
    excess = ((actual[usable] - mean[usable]) ** 2 - mean[usable]).sum()
    return float(max(0.0, excess / (mean[usable] ** 2).sum()))


def _calibrated_dispersion(
    actual: np.ndarray, mean: np.ndarray, level: float, max_rows: int = 5_000
) -> float:
    """The smallest dispersion (to a bisection's precision) whose central `level` interval covers
    at least `level` of the actuals, searched around the moments estimate; on at most max_rows
    evenly spaced rows.

    The moments estimate alone is off for H-day totals: their errors mix count noise with the
    model's error in the level, which is not negative binomial; it under-covers smooth series
    and over-covers intermittent ones."""
    if len(actual) > max_rows:
        rows = np.linspace(0, len(actual) - 1, max_rows).astype(np.int64)
        actual, mean = actual[rows], mean[rows]
    low, high = (1 - level) / 2, (1 + level) / 2

    def covers(phi: float) -> bool:
        phis = np.full(len(mean), phi)
        lower = np.minimum(count_quantiles(mean, phis, low), mean)
        upper = np.maximum(count_quantiles(mean, phis, high), mean)
        return bool(np.mean((actual >= lower) & (actual <= upper)) >= level)

    start = _dispersion(actual, mean)
    if covers(start):
        if covers(0.0):
            return 0.0
        lo, hi = 0.0, start
    else:
        lo, hi = start, start + 8.0
        if not covers(hi):
            return hi
    for _ in range(8):
        middle = (lo + hi) / 2
        lo, hi = (lo, middle) if covers(middle) else (middle, hi)
    return hi


def count_quantiles(mean: np.ndarray, phi: np.ndarray, probability: float) -> np.ndarray:
    """Quantile of a negative binomial with this mean and dispersion (Poisson where phi = 0)."""
    mean = np.maximum(np.asarray(mean, dtype=np.float64), 0.0)
    phi = np.broadcast_to(np.asarray(phi, dtype=np.float64), mean.shape)
    out = np.zeros(mean.shape)
    poisson = (phi <= 1e-9) & (mean > 0)
    negative_binomial = (phi > 1e-9) & (mean > 0)
    out[poisson] = stats.poisson.ppf(probability, mean[poisson])
    size = 1.0 / phi[negative_binomial]
    out[negative_binomial] = stats.nbinom.ppf(
        probability, size, size / (size + mean[negative_binomial])
    )
    return out


@dataclass
class CountIntervals:
    """Negative-binomial intervals around the point forecast, with the dispersion of days and of
    H-day totals fitted per demand class on the backtest's errors (pooled when a class has fewer
    than min_count of them). Count data stays count data: a forecast of 2.3 units a day gets
    bounds in whole units, and a series forecast at zero gets [0, 0]."""

    classes: list[np.ndarray] = field(default_factory=list)
    actual: list[np.ndarray] = field(default_factory=list)
    forecast: list[np.ndarray] = field(default_factory=list)
    total_classes: list[np.ndarray] = field(default_factory=list)
    total_actual: list[np.ndarray] = field(default_factory=list)
    total_forecast: list[np.ndarray] = field(default_factory=list)

    def add_groups(
        self, actual: np.ndarray, forecast: np.ndarray, scored: np.ndarray, groups: SeriesGroups
    ) -> None:
        self.add(actual, forecast, scored, groups.demand_class)

    def forecast_intervals(
        self, forecast: np.ndarray, groups: SeriesGroups, settings: ForecastSettings
    ) -> IntervalForecast:
        """intervals() per demand class (classes, not volume bins, group the dispersion)."""
        return self.intervals(
            forecast,
            groups.demand_class,
            tuple(settings.interval_levels),
            settings.interval_min_residuals,
        )

    def add(
        self, actual: np.ndarray, forecast: np.ndarray, scored: np.ndarray, groups: np.ndarray
    ) -> None:
        horizon = forecast.shape[1]
        self.classes.append(np.repeat(groups[:, None], horizon, axis=1)[scored])
        self.actual.append(actual[scored])
        self.forecast.append(forecast[scored])
        complete = scored.all(axis=1)
        self.total_classes.append(groups[complete])
        self.total_actual.append(actual[complete].sum(axis=1))
        self.total_forecast.append(forecast[complete].sum(axis=1))

    def _phi(self, groups: np.ndarray, total: bool, min_count: int, level: float) -> np.ndarray:
        prefix = "total_" if total else ""
        if not getattr(self, prefix + "actual"):
            return np.zeros(len(groups))
        classes = np.concatenate(getattr(self, prefix + "classes"))
        actual = np.concatenate(getattr(self, prefix + "actual"))
        forecast = np.concatenate(getattr(self, prefix + "forecast"))

        def fit(a: np.ndarray, f: np.ndarray) -> float:
            return _calibrated_dispersion(a, f, level) if total else _dispersion(a, f)

        phi = np.full(len(groups), fit(actual, forecast))
        for value in np.unique(groups):
            rows = classes == value
            if rows.sum() >= min_count:
                phi[groups == value] = fit(actual[rows], forecast[rows])
        return phi

    def intervals(
        self, forecast: np.ndarray, groups: np.ndarray, levels: tuple[float, ...], min_count: int
    ) -> IntervalForecast:
        phi_day = self._phi(groups, False, min_count, levels[0])[:, None]
        # totals: calibrated per level so that each interval covers what it says on past windows
        phi_totals = {level: self._phi(groups, True, min_count, level) for level in levels}
        total = forecast.sum(axis=1)
        bounds, total_bounds = {}, {}
        for level in levels:
            low, high = (1 - level) / 2, (1 + level) / 2
            bounds[level] = (
                np.minimum(count_quantiles(forecast, phi_day, low), forecast),
                np.maximum(count_quantiles(forecast, phi_day, high), forecast),
            )
            total_bounds[level] = (
                np.minimum(count_quantiles(total, phi_totals[level], low), total),
                np.maximum(count_quantiles(total, phi_totals[level], high), total),
            )
        phi_total = phi_totals[levels[0]]
        return IntervalForecast(bounds, total_bounds, np.sqrt(total + phi_total * total**2))


def resolved_interval_method(method: str, units_sold: np.ndarray) -> str:
    """'auto' -> 'negative_binomial' when every unit sold is a whole number (count data), else
    'residual' (a count distribution would be far too wide on fractional, e.g. normalised,
    units); other methods unchanged."""
    if method != "auto":
        return method
    sold = units_sold[np.isfinite(units_sold)]
    return "negative_binomial" if np.array_equal(sold, np.round(sold)) else "residual"


def interval_store(method: str) -> ResidualIntervals | CountIntervals:
    """An empty error store of the interval method ('negative_binomial' or 'residual')."""
    return CountIntervals() if method == "negative_binomial" else ResidualIntervals()
