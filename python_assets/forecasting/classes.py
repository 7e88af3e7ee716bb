"""Demand classes of every series at an origin: Syntetos-Boylan (smooth, erratic, intermittent,
lumpy) from ADI and CV^2 of non-zero demand, plus `new` (launches) and `inactive`, and the volume
band (docs/methodology.md, "Demand classes").

Only days up to the origin are read, so the backtest can classify at each of its origins exactly
as the final forecast does at the last day. Stockout-censored days are left out of ADI and CV^2:
a day without sales because the shelf was empty says nothing about demand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from python_assets.forecasting.gbm import series_scale
from python_assets.forecasting.launches import visible_launches
from python_assets.forecasting.panel import DemandPanel
from python_assets.forecasting.settings import VOLUME_BAND_NAMES, DemandClassSettings

# order matters: the index is the class code of DemandClasses.code
DEMAND_CLASSES: tuple[str, ...] = ("smooth", "erratic", "intermittent", "lumpy", "new", "inactive")


@dataclass(frozen=True)
class DemandClasses:
    """Per series (same order as the panel): class name and the figures it was decided on."""

    demand_class: np.ndarray
    adi: np.ndarray
    cv2: np.ndarray
    demand_days: np.ndarray
    nonzero_days: np.ndarray
    days_since_first_sale: np.ndarray
    days_since_last_sale: np.ndarray
    volume_band: np.ndarray
    level: np.ndarray


def volume_bands(values: np.ndarray, quantiles: tuple[float, ...]) -> np.ndarray:
    """Band names by quantiles of `values` across series (low, medium, high for two cuts)."""
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


def _days_since(flags: np.ndarray, origin: int, last: bool) -> np.ndarray:
    """Days from the last (or first) True column up to the origin; NaN where none."""
    n_days = flags.shape[1]
    index = n_days - 1 - np.argmax(flags[:, ::-1], axis=1) if last else np.argmax(flags, axis=1)
    return np.where(flags.any(axis=1), origin - index, np.nan)


def sb_class(adi: np.ndarray, cv2: np.ndarray, settings: DemandClassSettings) -> np.ndarray:
    """Syntetos-Boylan class from ADI and CV^2 (cut-offs from the settings)."""
    frequent = adi < settings.adi_cutoff
    steady = cv2 < settings.cv2_cutoff
    return np.select(
        [frequent & steady, frequent & ~steady, ~frequent & steady],
        ["smooth", "erratic", "intermittent"],
        "lumpy",
    ).astype(object)


def demand_classes_at(
    panel: DemandPanel,
    origin: int,
    settings: DemandClassSettings,
    volume_band_quantiles: tuple[float, ...],
) -> DemandClasses:
    """Classes of every series from the days up to `origin` (a column index)."""
    history = panel.units_sold[:, : origin + 1]
    sold = np.nan_to_num(history) > 0  # a sale on a censored day is still a sale
    start = max(0, origin + 1 - settings.window_days)
    usable = panel.demand_observed[:, start : origin + 1]
    window = np.where(usable, panel.units_sold[:, start : origin + 1], np.nan)
    demand_days = usable.sum(axis=1)
    nonzero = np.where(usable & (window > 0), window, np.nan)
    nonzero_days = np.isfinite(nonzero).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        adi = np.where(nonzero_days > 0, demand_days / np.maximum(nonzero_days, 1), np.inf)
        mean = np.nanmean(np.where(nonzero_days[:, None] > 0, nonzero, 0.0), axis=1)
        variance = np.nanvar(np.where(nonzero_days[:, None] > 0, nonzero, 0.0), axis=1)
        cv2 = np.where(nonzero_days > 1, variance / np.maximum(mean, 1e-12) ** 2, 0.0)
    since_first = _days_since(sold, origin, last=False)
    since_last = _days_since(sold, origin, last=True)
    is_new = visible_launches(panel)[1] & (since_first < settings.new_days)
    is_inactive = ~(since_last < settings.inactive_days)  # NaN (never sold) -> inactive
    names = sb_class(adi, cv2, settings)
    names = np.where(is_new, "new", names)
    names = np.where(is_inactive, "inactive", names).astype(object)
    level = series_scale(panel, origin)
    return DemandClasses(
        demand_class=names,
        adi=adi,
        cv2=cv2,
        demand_days=demand_days,
        nonzero_days=nonzero_days,
        days_since_first_sale=since_first,
        days_since_last_sale=since_last,
        volume_band=volume_bands(level, volume_band_quantiles),
        level=level,
    )


def classify_demand(
    panel: DemandPanel,
    origin: int,
    settings: DemandClassSettings,
    volume_band_quantiles: tuple[float, ...] = (0.5, 0.8),
) -> pd.DataFrame:
    """demand_classes_at as a table: one row per store x product at the origin (the rows of
    forecasting.demand_classes)."""
    classes = demand_classes_at(panel, origin, settings, volume_band_quantiles)
    return pd.DataFrame(
        {
            "store_id": panel.store_id,
            "product_id": panel.product_id,
            "origin_date": panel.dates[origin],
            "demand_class": classes.demand_class,
            "volume_band": classes.volume_band,
            "adi": np.where(np.isfinite(classes.adi), classes.adi, np.nan),
            "cv2": classes.cv2,
            "demand_days": classes.demand_days,
            "nonzero_days": classes.nonzero_days,
            "days_since_first_sale": classes.days_since_first_sale,
            "days_since_last_sale": classes.days_since_last_sale,
            "recent_daily_demand": classes.level,
            "window_days": settings.window_days,
        }
    )
