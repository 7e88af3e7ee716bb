"""Forecasts of launches: a series of the demand class `new` is forecast from the curve the
network's own past launches followed (docs/methodology.md 6.8).

A launch's first days rarely say what it sells next: shelf filling and launch promotions put a
spike on its first day that fades over the following days, and some launches settle higher
instead. Any model that reads a launch's own few days as a level carries that spike forward.
The launch curve asks the network: over its past launches, at the same age (days since the
first sale), how did demand in the next days compare with the mean since the first sale?
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from python_assets.forecasting.panel import DemandPanel
from python_assets.forecasting.robust import first_sale_day
from python_assets.forecasting.statistical import _nanmean_rows

# a launch may have rows (listed, nothing sold yet) this many days before its first sale
LISTED_DAYS = 7
# the final forecast's model name of a launch the launch curve forecast
LAUNCH_CURVE = "launch_curve"


def visible_launches(panel: DemandPanel) -> tuple[np.ndarray, np.ndarray]:
    """(first sale day, launch the data shows) per series. Not launches: a series whose rows
    start on the panel's first day (listed before the data began or with it, so the data cannot
    show when: a first sale there, or a few days later, may be a slow mover's), a series that
    sold before the panel (panel.sold_before: a slow mover selling again) and one with rows of
    no sale more than LISTED_DAYS days before its first sale (listed long before: a slow
    mover's first sale)."""
    first_sale = first_sale_day(panel.units_sold)
    first_row = np.argmax(panel.observed, axis=1)
    launched = (
        (first_row > 0)
        & (first_sale < panel.n_days)
        & ~panel.sold_before
        & (first_row >= first_sale - LISTED_DAYS)
    )
    return first_sale, launched


def launch_curve(
    demand: np.ndarray,
    first_sale: np.ndarray,
    launched: np.ndarray,
    origin: int,
    horizon: int,
    max_age: int,
    min_launches: int,
) -> np.ndarray:
    """(max_age + 1, horizon) ratios; row `age` (days since the first sale, the first sale's day
    being age 1) holds, per step h, the demand h days after an origin over the mean daily demand
    since the first sale, pooled over every launch whose first age + horizon days are known at
    `origin` as a ratio of sums (so launches weigh by their volume, as WAPE does). NaN where
    fewer than `min_launches` launches give a ratio; row 0 is unused. Unknown (censored) days
    are skipped.
    """
    curve = np.full((max_age + 1, horizon), np.nan)
    steps = np.arange(1, horizon + 1)
    for age in range(1, max_age + 1):
        past = np.flatnonzero(launched & (first_sale + age - 1 + horizon <= origin))
        if len(past) < min_launches:
            continue
        start = first_sale[past]
        base = _nanmean_rows(demand[past[:, None], start[:, None] + np.arange(age)[None, :]])
        after = demand[past[:, None], (start + age - 1)[:, None] + steps[None, :]]
        usable = np.isfinite(base)[:, None] & np.isfinite(after)
        numerator = np.where(usable, after, 0.0).sum(axis=0)
        denominator = np.where(usable, base[:, None], 0.0).sum(axis=0)
        enough = (usable.sum(axis=0) >= min_launches) & (denominator > 0)
        curve[age] = np.where(enough, numerator / np.where(enough, denominator, 1.0), np.nan)
    return curve


def curve_forecast(
    demand: np.ndarray, first_sale: np.ndarray, series: np.ndarray, origin: int, curve: np.ndarray
) -> np.ndarray:
    """(len(series), horizon) forecast of launches at the origin: their mean demand since the
    first sale x the curve's row for their age (which must be a row of the curve); NaN where
    the curve has no ratio or the launch no uncensored day yet."""
    since = np.arange(origin + 1)[None, :] >= first_sale[series][:, None]
    level = _nanmean_rows(np.where(since, demand[series, : origin + 1], np.nan))
    return level[:, None] * curve[origin - first_sale[series] + 1]


@dataclass
class LaunchCurves:
    """The launch-curve forecast at each origin, learned from every series of `panel`, for the
    series `rows` of it (a product partition; None: all), so that a partition gets the values a
    forecast of every series gives it. min_launches None: no launch curve."""

    panel: DemandPanel
    horizon: int
    new_days: int
    min_launches: int | None
    rows: np.ndarray | None = None
    _at: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

    def at(self, origin: int) -> tuple[np.ndarray, np.ndarray]:
        """(rows that are launches younger than new_days at the origin and have a curve value,
        (those rows, horizon) forecasts): the mean demand since the first sale x the curve."""
        if origin not in self._at:
            self._at[origin] = self._forecast(origin)
        return self._at[origin]

    @cached_property
    def _launches(self) -> tuple[np.ndarray, np.ndarray]:
        return visible_launches(self.panel)

    def young(self, origin: int) -> np.ndarray:
        """Per series of `rows`: a launch fewer than new_days days old at the origin (the demand
        class `new`)."""
        first_sale, launched = self._launches
        age = origin - first_sale + 1
        young = launched & (age >= 1) & (age < self.new_days)
        return young if self.rows is None else young[self.rows]

    def apply(self, forecast: np.ndarray, origin: int) -> np.ndarray:
        """`forecast` with the launch-curve forecast in place of the rows it covers."""
        which, values = self.at(origin)
        if not len(which):
            return forecast
        out = forecast.copy()
        out[which] = values
        return out

    def _forecast(self, origin: int) -> tuple[np.ndarray, np.ndarray]:
        nothing = (np.empty(0, dtype=np.int64), np.empty((0, self.horizon)))
        if self.min_launches is None:
            return nothing
        young = self.young(origin)
        if not young.any():
            return nothing
        first_sale, launched = self._launches
        rows = np.arange(self.panel.n_series) if self.rows is None else self.rows
        demand = self.panel.masked_sales
        curve = launch_curve(
            demand, first_sale, launched, origin, self.horizon, self.new_days - 1, self.min_launches
        )
        values = curve_forecast(demand, first_sale, rows[young], origin, curve)
        # a launch with no uncensored day yet, or an age without a ratio: its model's forecast
        known = np.isfinite(values).all(axis=1)
        return np.flatnonzero(young)[known], values[known]
