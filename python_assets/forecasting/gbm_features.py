"""Features of the global gradient-boosting model: per-panel day arrays with running sums, and
the feature matrix of every series and horizon step at an origin, from data up to the origin.

Levels are divided by the series' robust recent level (outlier-capped days, see robust.py), so
one model fits slow and fast sellers; series launched too recently to have a level are left out
of the pooled product and store features.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from python_assets.forecasting.panel import DemandPanel
from python_assets.forecasting.robust import (
    first_sale_day,
    is_new,
    outlier_caps,
    series_keys_hash,
)
from python_assets.forecasting.statistical import SEASON, _nanmean_rows, _window

MIN_SCALE = 1e-3
MAX_CATEGORIES = 250  # HistGradientBoosting handles at most 255 bins per categorical feature
TRADING_HOURS = 16.0  # 06:00-22:00, the hours stockout_hours_6_22 counts


class PanelArrays:
    """What every origin's features are built from, computed once per panel: the day arrays
    (NaN where unknown) and their running sums, so that a window mean at any origin is one
    subtraction. Running sums up to day t only ever hold days <= t.

    Sales, demand, adjusted and latent demand are capped at outlier_multiple times the series'
    typical selling day before them (robust.outlier_caps); the caps bind on spikes only.
    launch_days: series that first sold fewer days than this before an origin are new there.
    """

    WINDOWED = (
        "sales",
        "demand",
        "demand_sq",
        "adjusted",
        "latent",
        "censored",
        "business_hours",
        "night_hours",
        "zero",
    )

    def __init__(self, panel: DemandPanel, outlier_multiple: float, launch_days: int) -> None:
        self.panel = panel
        self.outlier_multiple = outlier_multiple
        self.launch_days = launch_days
        observed = panel.observed
        self.caps = outlier_caps(panel.masked_sales, outlier_multiple)
        sales = np.minimum(np.where(observed, panel.units_sold, np.nan), self.caps)
        demand = np.minimum(panel.masked_sales, self.caps)
        business = np.where(observed, panel.business_stockout_hours, np.nan)
        self.days: dict[str, np.ndarray] = {
            "sales": sales,
            "demand": demand,
            "demand_sq": demand**2,
            # sales over the in-stock share of the trading day (at least a quarter of it)
            "adjusted": sales / np.maximum(1 - np.nan_to_num(business) / TRADING_HOURS, 0.25),
            "latent": np.minimum(np.where(observed, panel.latent_demand, np.nan), self.caps),
            "censored": np.where(observed, panel.censored.astype(np.float64), np.nan),
            "business_hours": business,
            "night_hours": np.where(observed, panel.stockout_hours, np.nan) - business,
            "zero": np.where(observed, (panel.units_sold == 0).astype(np.float64), np.nan),
        }
        self.covariates = {
            name: np.where(observed, values, np.nan) for name, values in panel.covariates.items()
        }
        self._sums: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        windowed = {name: self.days[name] for name in self.WINDOWED}
        windowed.update({f"covariate:{n}": values for n, values in self.covariates.items()})
        for name, values in windowed.items():
            known = np.isfinite(values)
            total = np.zeros((values.shape[0], values.shape[1] + 1))
            count = np.zeros((values.shape[0], values.shape[1] + 1), dtype=np.float32)
            np.cumsum(np.where(known, values, 0.0), axis=1, out=total[:, 1:])
            np.cumsum(known, axis=1, out=count[:, 1:], dtype=np.float32)
            self._sums[name] = (total, count)

        def codes(values: np.ndarray) -> np.ndarray:
            code = pd.factorize(values, sort=True)[0].astype(np.float64)
            return np.where(code < MAX_CATEGORIES, code, MAX_CATEGORIES)

        self.product = pd.factorize(panel.product_id)[0]
        self.store = pd.factorize(panel.store_id)[0]
        self.category = codes(panel.category)
        self.subcategory = codes(panel.subcategory)
        self.weekday = np.asarray(panel.dates.day_of_week, dtype=np.int64)
        self.first_sale = first_sale_day(panel.units_sold)
        self.key_hash = series_keys_hash(panel.store_id, panel.product_id)

    def new(self, origin: int) -> np.ndarray:
        """Series launched too recently (or never sold) to have a level at the origin."""
        return is_new(self.first_sale, origin, self.launch_days)

    def mean(self, name: str, origin: int, days: int) -> np.ndarray:
        """Mean of the known values over the `days` days ending at the origin (NaN if none)."""
        total, count = self._sums[name]
        start = max(0, origin + 1 - days)
        n = count[:, origin + 1] - count[:, start]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, (total[:, origin + 1] - total[:, start]) / n, np.nan)

    def known_days(self, name: str, origin: int) -> np.ndarray:
        """How many days up to the origin have a known value."""
        return self._sums[name][1][:, origin + 1].astype(np.float64)

    def scale(self, origin: int) -> np.ndarray:
        """The series level: mean capped demand over the last 28 days, else mean capped latent
        demand then, else over all history; floored so scaled values stay finite."""
        level = self.mean("demand", origin, 28)
        for candidate in (
            self.mean("latent", origin, 28),
            self.mean("demand", origin, origin + 1),
            self.mean("latent", origin, origin + 1),
        ):
            level = np.where(np.isfinite(level), level, candidate)
        return np.maximum(np.nan_to_num(level), MIN_SCALE)


@dataclass
class FeatureCache:
    """Per-panel arrays and the training rows already built for each origin (features depend on
    data up to their origin only, so every later forecast origin reuses them)."""

    arrays: PanelArrays | None = None
    rows: dict[
        tuple[int, int, tuple[str, ...]], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    ] = field(default_factory=dict)

    def arrays_for(
        self, panel: DemandPanel, outlier_multiple: float, launch_days: int
    ) -> PanelArrays:
        arrays = self.arrays
        if (
            arrays is None
            or arrays.panel is not panel
            or (arrays.outlier_multiple, arrays.launch_days) != (outlier_multiple, launch_days)
        ):
            self.arrays = PanelArrays(panel, outlier_multiple, launch_days)
            self.rows.clear()
        return self.arrays


def _group_mean(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Mean of the finite values of each group, broadcast back to the rows."""
    known = np.isfinite(values)
    total = np.bincount(groups, weights=np.where(known, values, 0.0))
    count = np.bincount(groups, weights=known.astype(np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return mean[groups]


def unknown_future(panel: DemandPanel, names: tuple[str, ...], horizon: int) -> dict:
    """All-NaN future covariates: the model was trained with them but they are not given."""
    return {name: np.full((panel.n_series, horizon), np.nan) for name in names}


def _weekday_means(values: np.ndarray, weekdays: np.ndarray, origin: int, days: int) -> np.ndarray:
    """(n, 7) mean of the known values of each weekday over the last `days` days."""
    window = _window(values, origin, days)
    window_weekdays = weekdays[max(0, origin - days + 1) : origin + 1]
    out = np.full((values.shape[0], SEASON), np.nan)
    for weekday in range(SEASON):
        columns = window[:, window_weekdays == weekday]
        if columns.shape[1]:
            out[:, weekday] = _nanmean_rows(columns)
    return out


def _profile(weekday_level: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return weekday_level / _nanmean_rows(weekday_level)[:, None]


def _first_known(columns: np.ndarray) -> np.ndarray:
    """Per row, the first finite value from the left (NaN if none)."""
    known = np.isfinite(columns)
    first = np.argmax(known, axis=1)
    value = columns[np.arange(columns.shape[0]), first]
    return np.where(known.any(axis=1), value, np.nan)


def _run_length(values: np.ndarray, origin: int, longest: int = 28) -> np.ndarray:
    """Days the value at the origin has held unchanged before it (capped at `longest`)."""
    current = values[:, origin]
    run = np.zeros(values.shape[0])
    same = np.isfinite(current)
    for back in range(1, min(longest, origin) + 1):
        same &= values[:, origin - back] == current
        run += same
    return np.where(np.isfinite(current), run, np.nan)


def unusual_days(arrays: PanelArrays, origin: int) -> np.ndarray:
    """(n, days up to origin) True where is_holiday differs from what is usual for the weekday
    (judged over all series up to the origin): a weekday public holiday, a working weekend."""
    holiday = arrays.covariates.get("is_holiday")
    weekdays = arrays.weekday[: origin + 1]
    if holiday is None:
        return np.zeros((arrays.panel.n_series, origin + 1), dtype=bool)
    known = holiday[:, : origin + 1]
    usual = np.zeros(SEASON, dtype=bool)
    for weekday in range(SEASON):
        columns = known[:, weekdays == weekday]
        if columns.size and np.isfinite(columns).any():
            usual[weekday] = np.nanmean(columns) >= 0.5
    return np.isfinite(known) & ((known >= 0.5) != usual[weekdays][None, :])


def _day_ratio(level: np.ndarray, start: int, lags: list[int]) -> float:
    """The level on the first lag day (index into `level` + start) over its mean on all the lag
    days known; NaN when the first is unknown."""
    values = np.array([level[lag - start] if lag >= start else np.nan for lag in lags])
    known = np.isfinite(values)
    return float(values[0] / values[known].mean()) if known[0] else np.nan


def origin_features(
    arrays: PanelArrays,
    origin: int,
    horizon: int,
    future: dict[str, np.ndarray] | None = None,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Features for steps 1..horizon after `origin`, from data up to the origin.

    Levels are divided by the series scale. Series features: recent means of sales, of demand
    (uncensored days only), of sales adjusted for the in-stock share of the trading day and of
    the warehouse's latent demand; censoring and stockout-hour history; variability; product and
    store pooled trends and weekday profiles; category codes; price, promotion, holiday and
    weather up to the origin, how long the price and promotion have run. Step features: step,
    target weekday, weekday profiles, the same weekday in past weeks (also skipping unusual
    holiday days), its censoring rate and how the whole network sold on it against the same
    weekday before. future: covariates known in advance for the target days
    ((n, horizon) arrays by name, sorted into the features). rows: compute only these series
    (pooled product / store features still use all). Returns X (rows, horizon, F) float32, the
    scale of those series and the feature names.
    """
    everyone = np.arange(arrays.panel.n_series)
    rows = everyone if rows is None else rows
    n = len(rows)
    days = arrays.days
    full_scale = arrays.scale(origin)
    scale = full_scale[rows]
    nothing = np.full(n, np.nan)

    def mean(name: str, window: int) -> np.ndarray:
        return arrays.mean(name, origin, window)[rows]

    def at(values: np.ndarray, day: int) -> np.ndarray:
        return values[rows, day] if day >= 0 else nothing

    # pooled over all series of a product / store: computed on everyone, then picked; series
    # too new to have a level are left out, so a launch cannot move its product's or store's
    pool_scale = np.where(arrays.new(origin), np.nan, full_scale)
    demand7_all = arrays.mean("demand", origin, 7) / pool_scale
    profile8_all = _profile(_weekday_means(days["demand"], arrays.weekday, origin, 56))
    pool_profile = np.where(np.isfinite(pool_scale)[:, None], profile8_all, np.nan)
    pooled = {
        "product_trend7": _group_mean(demand7_all, arrays.product),
        "product_trend14": _group_mean(
            arrays.mean("demand", origin, 14) / pool_scale, arrays.product
        ),
        "product_adjusted7": _group_mean(
            arrays.mean("adjusted", origin, 7) / pool_scale, arrays.product
        ),
        "store_trend7": _group_mean(demand7_all, arrays.store),
        "product_log_scale": _group_mean(np.log(pool_scale), arrays.product),
        "product_censored7": _group_mean(
            np.where(np.isfinite(pool_scale), arrays.mean("censored", origin, 7), np.nan),
            arrays.product,
        ),
    }
    # the network's scaled demand on each of the last 28 days (mean over series), which hold the
    # four same-weekday lags of every step: a lag is read against how the whole network sold
    # that day (a holiday, a storm)
    day_start = max(0, origin + 1 - 4 * SEASON)
    network_day = _nanmean_rows((days["demand"][:, day_start : origin + 1] / pool_scale[:, None]).T)
    product_profile = np.column_stack(
        [_group_mean(pool_profile[:, d], arrays.product) for d in range(SEASON)]
    )[rows]
    store_profile = np.column_stack(
        [_group_mean(pool_profile[:, d], arrays.store) for d in range(SEASON)]
    )[rows]

    demand_mean28 = mean("demand", 28)
    series: dict[str, np.ndarray] = {
        "log_scale": np.log(scale),
        "sales_ma7": mean("sales", 7) / scale,
        "sales_ma28": mean("sales", 28) / scale,
        "demand_ma3": mean("demand", 3) / scale,
        "demand_ma7": mean("demand", 7) / scale,
        "demand_ma14": mean("demand", 14) / scale,
        "demand_ma56": mean("demand", 56) / scale,
        "adjusted_ma7": mean("adjusted", 7) / scale,
        "adjusted_ma28": mean("adjusted", 28) / scale,
        "latent_ma7": mean("latent", 7) / scale,
        "sales_last": at(days["sales"], origin) / scale,
        "sales_prev": at(days["sales"], origin - 1) / scale,
        "adjusted_last": at(days["adjusted"], origin) / scale,
        "censored_last": at(days["censored"], origin),
        "censored_share7": mean("censored", 7),
        "censored_share28": mean("censored", 28),
        "stockout_hours_last": at(days["business_hours"], origin),
        "stockout_hours7": mean("business_hours", 7),
        "night_stockout_last": at(days["night_hours"], origin),
        "night_stockout7": mean("night_hours", 7),
        "zero_share28": mean("zero", 28),
        "demand_cv28": np.sqrt(np.maximum(mean("demand_sq", 28) - demand_mean28**2, 0.0)) / scale,
        "observed_days": arrays.known_days("sales", origin)[rows],
        "category": arrays.category[rows],
        "subcategory": arrays.subcategory[rows],
        **{name: values[rows] for name, values in pooled.items()},
    }
    for name, values in arrays.covariates.items():
        series[f"{name}_last"] = at(values, origin)
        series[f"{name}_ma7"] = mean(f"covariate:{name}", 7)
        if name in ("price_ratio", "is_promo"):
            series[f"{name}_run_days"] = _run_length(values[rows], origin)
        if name == "price_ratio":
            series["price_ratio_vs_28"] = at(values, origin) - mean(f"covariate:{name}", 28)

    sub_days = {
        name: days[name][rows, : origin + 1] for name in ("demand", "sales", "adjusted", "censored")
    }
    profile4 = _profile(_weekday_means(sub_days["demand"], arrays.weekday, origin, 28))
    weekday_censoring = _weekday_means(sub_days["censored"], arrays.weekday, origin, 28)
    # Days whose holiday flag is unusual for their weekday: without a holiday calendar the
    # target day is assumed usual, so a lag that skips unusual days is kept beside the plain one.
    unusual = unusual_days(arrays, origin)[rows]
    usual_demand = np.where(unusual, np.nan, sub_days["demand"])

    future = future or {}
    steps: list[dict[str, np.ndarray]] = []
    for step in range(1, horizon + 1):
        target = origin + step
        if target < len(arrays.weekday):
            weekday = int(arrays.weekday[target])
        else:
            weekday = int((arrays.weekday[origin] + step) % SEASON)
        first_lag = -(-step // SEASON)
        lags = [target - SEASON * (first_lag + k) for k in range(4)]

        def lagged(values: np.ndarray, lag: int) -> np.ndarray:
            return values[:, lag] if lag >= 0 else nothing

        per_step: dict[str, np.ndarray] = {
            "step": np.full(n, float(step)),
            "weekday": np.full(n, float(weekday)),
            "weekday_profile4": profile4[:, weekday],
            "weekday_profile8": profile8_all[rows, weekday],
            "product_weekday_profile": product_profile[:, weekday],
            "store_weekday_profile": store_profile[:, weekday],
            "weekday_censored_share": weekday_censoring[:, weekday],
            "same_weekday_sales": lagged(sub_days["sales"], lags[0]) / scale,
            "same_weekday_adjusted": lagged(sub_days["adjusted"], lags[0]) / scale,
            "same_weekday_demand": lagged(sub_days["demand"], lags[0]) / scale,
            "same_weekday_censored": lagged(sub_days["censored"], lags[0]),
            "same_weekday_demand2": lagged(sub_days["demand"], lags[1]) / scale,
            "same_weekday_demand_mean4": _nanmean_rows(
                np.column_stack([lagged(sub_days["demand"], lag) for lag in lags])
            )
            / scale,
            "same_weekday_usual_demand": _first_known(
                np.column_stack([lagged(usual_demand, lag) for lag in lags])
            )
            / scale,
            "same_weekday_unusual": lagged(unusual.astype(np.float64), lags[0]),
            "same_weekday_network_ratio": np.full(n, _day_ratio(network_day, day_start, lags)),
        }
        for name in ("is_holiday", "price_ratio", "is_promo"):
            if name in arrays.covariates:
                per_step[f"same_weekday_{name}"] = at(arrays.covariates[name], lags[0])
        for name in sorted(future):
            per_step[f"{name}_target"] = future[name][rows, step - 1]
        steps.append(per_step)
    names = list(series) + list(steps[0])
    features = np.empty((n, horizon, len(names)), dtype=np.float32)
    for column, values in enumerate(series.values()):
        features[:, :, column] = values[:, None]
    for step, per_step in enumerate(steps):
        for column, values in enumerate(per_step.values(), start=len(series)):
            features[:, step, column] = values
    return features, scale, names
