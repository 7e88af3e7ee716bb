"""Keeping one series from steering the global gradient-boosting model: outlier caps, launch
detection with a launch-profile forecast, and training-row draws that are fixed per series.

A global model pools every series, so a single extreme series can move the forecasts of all the
others: through its share of the training rows (rows are drawn in proportion to the series
level), through its targets, and through the product and store features it is pooled into. The
pieces here cut each path (see docs/methodology.md, "Demand forecast"):

- outlier caps: each day's demand is capped at a multiple of the series' typical selling day
  before it, so a spike neither inflates the level that scales a series nor becomes a target;
- launches: a series that first sold fewer than `launch_days` days before an origin has no
  level to scale by yet; it gives no training rows, is left out of pooled features and is
  forecast by its own launch profile instead of by the model;
- draws: whether a (series, origin, step) row is sampled depends on that series' key and level
  only, so adding or removing another series leaves every other series' rows as they were.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# the running window of selling days that defines a series' typical selling day for its cap
CAP_WINDOW = 28
_MIX = (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB)


def outlier_caps(demand: np.ndarray, multiple: float, floor: float = 1.0) -> np.ndarray:
    """(n, days) cap on each day's demand: `multiple` times the mean of the series' capped
    selling days (demand > 0) in the CAP_WINDOW days before it, at least `multiple * floor`;
    +inf while a series has no selling day before (nothing to judge a spike by).

    Causal: the cap of day t uses days before t only, so capped values at an origin never
    depend on later data. The window holds capped values, so one spike does not lift the caps
    of the days after it. A loop over days (each step vectorised over all series).
    """
    n_series, n_days = demand.shape
    caps = np.full((n_series, n_days), np.inf)
    capped = np.full((n_series, n_days), np.nan)
    total = np.zeros(n_series)
    selling = np.zeros(n_series)
    for day in range(n_days):
        leaving = day - CAP_WINDOW
        if leaving >= 0:
            old = capped[:, leaving]
            sold = np.isfinite(old) & (old > 0)
            total -= np.where(sold, old, 0.0)
            selling -= sold
        with np.errstate(invalid="ignore", divide="ignore"):
            typical = np.where(selling > 0, total / np.maximum(selling, 1), np.nan)
        caps[:, day] = np.where(np.isfinite(typical), multiple * np.maximum(typical, floor), np.inf)
        value = np.minimum(demand[:, day], caps[:, day])
        capped[:, day] = value
        sold = np.isfinite(value) & (value > 0)
        total += np.where(sold, value, 0.0)
        selling += sold
    return caps


def first_sale_day(units_sold: np.ndarray) -> np.ndarray:
    """Per series, the first day with a sale (n_days if it never sold)."""
    sold = np.nan_to_num(units_sold) > 0
    return np.where(sold.any(axis=1), np.argmax(sold, axis=1), units_sold.shape[1])


def is_new(first_sale: np.ndarray, origin: int, launch_days: int) -> np.ndarray:
    """Series that first sold fewer than `launch_days` days up to the origin (or never)."""
    return origin - first_sale + 1 < launch_days


def launch_forecast(
    demand: np.ndarray, first_sale: np.ndarray, origin: int, horizon: int, first_day_weight: float
) -> np.ndarray:
    """(n, horizon) flat forecast from the days since a series' first sale up to the origin.

    The first selling day is dropped once later days are known: it usually carries the launch
    itself (shelf filling, a launch promotion), not the demand that follows. With the first day
    alone, it counts at `first_day_weight`. The median of the days kept, so one more unusual
    day does not set the level either. No known day gives 0.
    """
    n_series = demand.shape[0]
    days = np.arange(origin + 1)
    since = demand[:, : origin + 1]
    since = np.where(days[None, :] >= first_sale[:, None], since, np.nan)
    known = np.isfinite(since)
    first_known = np.where(known.any(axis=1), np.argmax(known, axis=1), -1)
    later = np.where(days[None, :] > first_known[:, None], since, np.nan)
    has_later = np.isfinite(later).any(axis=1)
    with np.errstate(invalid="ignore"):
        later_median = _nanmedian_rows(later)
    first_value = np.where(
        first_known >= 0, since[np.arange(n_series), np.maximum(first_known, 0)], np.nan
    )
    level = np.where(has_later, later_median, first_day_weight * first_value)
    return np.repeat(np.nan_to_num(level)[:, None], horizon, axis=1)


def _nanmedian_rows(values: np.ndarray) -> np.ndarray:
    """Row medians ignoring NaN, by one sort (NaN sorts last); NaN for an all-NaN row."""
    ordered = np.sort(values, axis=1)
    count = np.isfinite(values).sum(axis=1)
    rows = np.arange(values.shape[0])
    low = ordered[rows, np.maximum((count - 1) // 2, 0)]
    high = ordered[rows, np.maximum(count // 2, 0)]
    return np.where(count > 0, (low + high) / 2, np.nan)


def series_keys_hash(store_id: np.ndarray, product_id: np.ndarray) -> np.ndarray:
    """A uint64 per series from its store and product ids (not from its row position)."""
    keys = pd.Series(store_id).astype(str) + "\x1f" + pd.Series(product_id).astype(str)
    return pd.util.hash_array(keys.to_numpy(dtype=object))


def _splitmix(values: np.ndarray) -> np.ndarray:
    z = values + np.uint64(_MIX[0])
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_MIX[1])
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_MIX[2])
    return z ^ (z >> np.uint64(31))


def series_uniforms(key_hash: np.ndarray, seed: int, origin: int, horizon: int) -> np.ndarray:
    """(n, horizon) uniforms in [0, 1), a fixed function of (series key, seed, origin, step)."""
    salt = _splitmix(np.array([seed * 1_000_003 + origin], dtype=np.uint64))
    steps = np.arange(horizon, dtype=np.uint64)
    with np.errstate(over="ignore"):
        mixed = _splitmix(_splitmix(key_hash ^ salt)[:, None] + steps[None, :])
    return (mixed >> np.uint64(11)).astype(np.float64) / float(2**53)
