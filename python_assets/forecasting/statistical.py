"""Per-series forecasting models on dense (n_series, n_days) arrays: seasonal naive, moving
average, the moving average shrunk towards its product's (credibility) and additive Holt-Winters
(ETS), all vectorised over the series.

Every function takes an `origin` (column index of the last day known) and returns an
(n_series, horizon) array for the days origin+1 .. origin+horizon; nothing after the origin is
read. `signal` is the demand signal with NaN where it is unknown (censored or unobserved days);
`fallback` (the warehouse's latent demand) fills in where the signal has nothing to say.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

SEASON = 7


def _nanmean_rows(values: np.ndarray) -> np.ndarray:
    count = np.isfinite(values).sum(axis=1)
    total = np.nansum(values, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _window(values: np.ndarray, origin: int, length: int) -> np.ndarray:
    return values[:, max(0, origin - length + 1) : origin + 1]


def _first_finite(*candidates: np.ndarray) -> np.ndarray:
    out = np.full(candidates[0].shape, np.nan)
    for candidate in candidates:
        out = np.where(np.isfinite(out), out, candidate)
    return out


def level_fallback(signal: np.ndarray, fallback: np.ndarray, origin: int) -> np.ndarray:
    """A last-resort level per series: recent signal, else recent fallback, else all history, else 0."""
    return np.nan_to_num(
        _first_finite(
            _nanmean_rows(_window(signal, origin, 28)),
            _nanmean_rows(_window(fallback, origin, 28)),
            _nanmean_rows(signal[:, : origin + 1]),
            _nanmean_rows(fallback[:, : origin + 1]),
        )
    )


def seasonal_naive_forecast(
    signal: np.ndarray,
    fallback: np.ndarray,
    origin: int,
    horizon: int,
    season: int = SEASON,
    seasons_back: int = 4,
) -> np.ndarray:
    """Same weekday last week; if that day is unknown, the same weekday one to `seasons_back`
    weeks earlier, then the fallback's value on last week's day, then the recent level."""
    n_series = signal.shape[0]
    forecast = np.full((n_series, horizon), np.nan)
    level = level_fallback(signal, fallback, origin)
    for step in range(1, horizon + 1):
        target = origin + step
        first_lag = -(-step // season)  # ceil: the most recent same weekday at or before origin
        lags = [target - season * k for k in range(first_lag, first_lag + seasons_back)]
        candidates = [signal[:, lag] for lag in lags if lag >= 0]
        recent = target - season * first_lag
        if recent >= 0:
            candidates.append(fallback[:, recent])
        candidates.append(level)
        forecast[:, step - 1] = _first_finite(*candidates)
    return np.maximum(forecast, 0.0)


def moving_average_forecast(
    signal: np.ndarray,
    fallback: np.ndarray,
    origin: int,
    horizon: int,
    window: int = 7,
) -> np.ndarray:
    """Flat forecast: the mean of the known signal over the last `window` days (censored days
    skipped), else of the fallback over those days, else the recent level."""
    mean = _first_finite(
        _nanmean_rows(_window(signal, origin, window)),
        _nanmean_rows(_window(fallback, origin, window)),
        level_fallback(signal, fallback, origin),
    )
    return np.repeat(np.maximum(mean, 0.0)[:, None], horizon, axis=1)


def shrunk_mean_forecast(
    signal: np.ndarray,
    fallback: np.ndarray,
    groups: np.ndarray,
    origin: int,
    horizon: int,
    window: int = 112,
    launches: np.ndarray | None = None,
) -> np.ndarray:
    """Flat forecast: each series' mean over the last `window` days, shrunk towards the mean of
    its group (the product, over its stores) by Buhlmann-Straub credibility
    (docs/methodology.md, "Shrunk mean").

    launches: series (boolean mask) that give the group's statistics nothing, so that a launch's
    first-day spike moves no other series: each is shrunk towards the rest of its group, or keeps
    its own mean where the group has no other series.

    With n known days, a sum s and a daily mean r = s / n, the forecast is (s + K m) / (n + K):
    m is the group's pooled daily mean, K = EPV / VHM the ratio of the expected day-to-day
    variance within a series to the variance of the series' true means across the group (the
    nonparametric estimators, no distribution assumed). Where the series' means differ by no
    more than their noise (VHM <= 0), every series gets m; a group of one series keeps its own
    mean. A series' recent mean read alone is biased in exactly the way a class of series
    defined by its recent sales selects: series that happened to sell lately look faster than
    they are, those that did not look dead. Shrinking undoes that. Censored days are skipped; a
    group with no known day falls back as the moving average does.
    """
    known = _window(signal, origin, window)
    n = np.isfinite(known).sum(axis=1).astype(np.float64)
    total = np.nansum(known, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / np.maximum(n, 1.0), 0.0)
        square = np.nansum(known**2, axis=1)
        within = np.where(n > 1, (square - n * mean**2) / np.maximum(n - 1.0, 1.0), 0.0)
    _, group = np.unique(np.asarray(groups).astype(str), return_inverse=True)
    pooling = np.ones(len(n)) if launches is None else (~np.asarray(launches)).astype(np.float64)

    def by_group(values: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=values * pooling)

    group_n = by_group(n)
    pooled = by_group(total) / np.maximum(group_n, 1.0)
    members = by_group((n > 0).astype(np.float64))
    # expected process variance: the series' within variances, weighted by their degrees of freedom
    epv = by_group(np.maximum(n - 1.0, 0.0) * within) / np.maximum(
        by_group(np.maximum(n - 1.0, 0.0)), 1.0
    )
    spread = by_group(n * (mean - pooled[group]) ** 2)
    denominator = group_n - by_group(n**2) / np.maximum(group_n, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        vhm = (spread - (members - 1.0) * epv) / denominator
        k = np.where(vhm > 0, epv / vhm, np.inf)
    k = np.where(members > 1, k, 0.0)[group]  # a group of one series: its own mean
    if launches is not None:  # a launch in a group with no other series: its own mean
        k = np.where(launches & (group_n[group] == 0), 0.0, k)
    with np.errstate(invalid="ignore"):
        own = (total + k * pooled[group]) / (n + k)
    # a series with no known day in the window: its group's mean
    shrunk = np.where(np.isinf(k) | (n == 0), pooled[group], own)
    has_group_data = (group_n[group] > 0) | (n > 0)
    level = np.where(has_group_data, shrunk, level_fallback(signal, fallback, origin))
    return np.repeat(np.maximum(np.nan_to_num(level), 0.0)[:, None], horizon, axis=1)


@dataclass(frozen=True)
class EtsGrid:
    """Smoothing parameters tried for every series; each series keeps the combination with the
    lowest one-step-ahead squared error on its known days up to the origin.

    Additive error, additive weekly seasonality, optional damped additive trend (beta > 0).
    A grid rather than a numerical optimiser: it runs all series at once in numpy, and on short,
    noisy daily series the optimiser's extra precision does not buy accuracy (the benchmark
    compares both on a sample).
    """

    alphas: tuple[float, ...] = (0.05, 0.1, 0.2, 0.35)
    gammas: tuple[float, ...] = (0.05, 0.15, 0.3)
    trends: tuple[tuple[float, float], ...] = ((0.0, 1.0), (0.02, 0.9))  # (beta, phi)
    warmup_days: int = 14


def holt_winters_snapshots(
    signal: np.ndarray,
    origins: list[int],
    alpha: np.ndarray,
    beta: np.ndarray,
    gamma: np.ndarray,
    phi: np.ndarray,
    initial_level: np.ndarray,
    initial_seasonal: np.ndarray,
    season: int = SEASON,
    warmup_days: int = 0,
) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Run additive Holt-Winters over the days up to the last origin for every row at once, taking
    the states at each origin in the same pass.

    Rows are independent (series, or series x parameter combinations). Parameters and the
    initial level are (rows,), the initial seasonal (rows, season) with index 0 = the season
    slot of day 0. A NaN observation does not update the states (the one-step forecast carries
    forward), which is how censored days are masked. Returns, per origin, level, trend, the
    seasonal ring (slot of day t at t % season) after it, and the mean squared one-step error
    after `warmup_days`: they have seen the days up to that origin only. Same recursions as
    statsmodels' ExponentialSmoothing (checked in the tests).
    """
    wanted = set(origins)
    level = initial_level.astype(np.float64).copy()
    trend = np.zeros_like(level)
    seasonal = initial_seasonal.astype(np.float64).copy()
    sse = np.zeros_like(level)
    count = np.zeros_like(level)
    out: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = {}
    for t in range(max(origins) + 1):
        y = signal[:, t]
        slot = t % season
        s_old = seasonal[:, slot]
        known = np.isfinite(y)
        start = known & ~np.isfinite(level)
        update = known & ~start
        # a series starting late begins its level at its first observation
        level = np.where(start, y - s_old, level)
        damped_trend = phi * trend
        error = np.where(update, y - (level + damped_trend + s_old), 0.0)
        if t >= warmup_days:
            sse += error**2
            count += update
        new_level = level + damped_trend + np.where(update, alpha * error, 0.0)
        trend = np.where(
            update, beta * (new_level - level) + (1 - beta) * damped_trend, damped_trend
        )
        trend = np.where(start, 0.0, trend)
        new_level = np.where(start, level, new_level)
        seasonal[:, slot] = np.where(update, s_old + gamma * error, s_old)
        level = new_level
        if t in wanted:
            with np.errstate(invalid="ignore", divide="ignore"):
                mse = np.where(count > 0, sse / np.maximum(count, 1), np.inf)
            out[t] = (level.copy(), trend.copy(), seasonal.copy(), mse)
    return out


def holt_winters_forecast(
    level: np.ndarray,
    trend: np.ndarray,
    seasonal: np.ndarray,
    phi: np.ndarray,
    origin: int,
    horizon: int,
    season: int = SEASON,
) -> np.ndarray:
    """h-step forecasts from the states after the origin: level + (phi + .. + phi^h) trend + season."""
    steps = np.arange(1, horizon + 1)
    damped = np.cumsum(np.asarray(phi, dtype=np.float64)[:, None] ** steps[None, :], axis=1)
    slots = (origin + steps) % season
    return level[:, None] + damped * trend[:, None] + seasonal[:, slots]


def _initial_states(signal: np.ndarray, season: int) -> tuple[np.ndarray, np.ndarray]:
    """From the first two weeks of the panel only (so every origin from day 13 on starts from
    the same states): level = their mean, seasonal = weekday values minus that mean (0 where a
    weekday was unknown). A series starting later starts its level at its first observation."""
    head = signal[:, : 2 * season]
    level = _nanmean_rows(head)
    by_slot = np.full((signal.shape[0], season), np.nan)
    for slot in range(season):
        columns = head[:, slot::season]
        if columns.shape[1]:
            by_slot[:, slot] = _nanmean_rows(columns)
    centre = _nanmean_rows(by_slot)
    seasonal = np.nan_to_num(by_slot - centre[:, None])
    return level, seasonal


def ets_forecasts(
    signal: np.ndarray,
    fallback: np.ndarray,
    origins: list[int],
    horizon: int,
    grid: EtsGrid = EtsGrid(),
    min_observations: int = 21,
    season: int = SEASON,
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Additive Holt-Winters per series at each origin, smoothing parameters chosen per series
    and origin from `grid` on the one-step errors up to that origin.

    One pass over the days per parameter combination serves every origin (each origin's states
    and errors only ever see the days up to it). Series with fewer than `min_observations` known
    days up to an origin are not fitted there: they get the 7-day moving average. Returns
    {origin: (forecast, fitted)}, fitted flagging the series that had enough history.
    """
    n_series = signal.shape[0]
    level0, seasonal0 = _initial_states(signal, season)
    best_mse = {o: np.full(n_series, np.inf) for o in origins}
    best = {o: np.full((n_series, horizon), np.nan) for o in origins}
    ones = np.ones(n_series)
    # one combination at a time: memory stays O(series), and each pass is vectorised
    for alpha in grid.alphas:
        for gamma in grid.gammas:
            for beta, phi in grid.trends:
                snapshots = holt_winters_snapshots(
                    signal,
                    origins,
                    alpha * ones,
                    beta * ones,
                    gamma * ones,
                    phi * ones,
                    level0,
                    seasonal0,
                    season=season,
                    warmup_days=grid.warmup_days,
                )
                for origin, (level, trend, seasonal, mse) in snapshots.items():
                    better = mse < best_mse[origin]
                    candidate = holt_winters_forecast(
                        level, trend, seasonal, phi * ones, origin, horizon, season
                    )
                    best[origin][better] = candidate[better]
                    best_mse[origin] = np.where(better, mse, best_mse[origin])
    out = {}
    for origin in origins:
        n_known = np.isfinite(signal[:, : origin + 1]).sum(axis=1)
        fitted = (
            (n_known >= min_observations)
            & (origin >= 2 * season - 1)
            & np.isfinite(best[origin]).all(axis=1)
        )
        baseline = moving_average_forecast(signal, fallback, origin, horizon)
        forecast = np.where(fitted[:, None], best[origin], baseline)
        out[origin] = (np.maximum(forecast, 0.0), fitted)
    return out


def ets_forecast(
    signal: np.ndarray,
    fallback: np.ndarray,
    origin: int,
    horizon: int,
    grid: EtsGrid = EtsGrid(),
    min_observations: int = 21,
    season: int = SEASON,
) -> tuple[np.ndarray, np.ndarray]:
    """ets_forecasts at one origin: (forecast, fitted)."""
    return ets_forecasts(signal, fallback, [origin], horizon, grid, min_observations, season)[
        origin
    ]


def statsmodels_ets_forecast(
    signal: np.ndarray,
    fallback: np.ndarray,
    origin: int,
    horizon: int,
    min_observations: int = 21,
    season: int = SEASON,
) -> tuple[np.ndarray, np.ndarray]:
    """Reference engine: statsmodels ExponentialSmoothing (additive seasonal, damped trend,
    parameters by maximum likelihood), one Python fit per series.

    About 0.1 s a series on this machine, i.e. hours for 50,000 series x six origins: used on
    small panels (ets_engine='statsmodels') and on a sample in the benchmark, to check the
    vectorised grid against it.
    """
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    n_series = signal.shape[0]
    forecast = moving_average_forecast(signal, fallback, origin, horizon)
    fitted = np.zeros(n_series, dtype=bool)
    history = signal[:, : origin + 1]
    # statsmodels' recursions take no gaps: unknown days are interpolated between the known
    # days around them (the grid engine skips them instead); the fallback only covers series
    # edges, so the comparison with the grid is not a comparison of censoring treatments
    interpolated = (
        pd.DataFrame(history).interpolate(axis=1, limit_area="inside").to_numpy(dtype=np.float64)
    )
    filled = np.where(np.isfinite(interpolated), interpolated, fallback[:, : origin + 1])
    for row in range(n_series):
        values = filled[row]
        known = np.isfinite(values)
        if np.isfinite(history[row]).sum() < min_observations:
            continue
        values = values[np.argmax(known) :]
        values = np.where(np.isfinite(values), values, np.nanmean(values))
        if values.size < 2 * season + 2:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            try:
                model = ExponentialSmoothing(
                    values,
                    trend="add",
                    damped_trend=True,
                    seasonal="add",
                    seasonal_periods=season,
                    initialization_method="estimated",
                ).fit()
            except (ValueError, np.linalg.LinAlgError):
                continue
        prediction = np.asarray(model.forecast(horizon), dtype=np.float64)
        if np.isfinite(prediction).all():
            forecast[row] = prediction
            fitted[row] = True
    return np.maximum(forecast, 0.0), fitted
