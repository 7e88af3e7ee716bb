"""Intermittent-demand models on dense (n_series, n_days) arrays: Croston with the Syntetos-Boylan
correction (SBA) and Teunter-Syntetos-Babai (TSB), vectorised over the series with one loop over
the days (docs/methodology.md, "Demand forecast").

Both forecast a flat rate: SBA = (1 - alpha / 2) * size / interval, smoothed at demand days only;
TSB = probability * size, where the probability of a demand day decays on every day without one,
so an item that is dying out is followed down. Unknown days (NaN: censored or not observed) are
skipped: they neither count as a zero nor as a demand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from python_assets.forecasting.statistical import level_fallback


@dataclass(frozen=True)
class IntermittentSettings:
    """Smoothing constants. sba_alpha smooths both the demand size and the interval (and sets the
    bias correction 1 - alpha / 2); tsb_alpha_size and tsb_alpha_probability smooth TSB's size and
    demand probability."""

    sba_alpha: float = 0.1
    tsb_alpha_size: float = 0.1
    tsb_alpha_probability: float = 0.1

    def __post_init__(self) -> None:
        for value in (self.sba_alpha, self.tsb_alpha_size, self.tsb_alpha_probability):
            if not 0 < value <= 1:
                raise ValueError(f"smoothing constants must be in (0, 1], got {value}")


def _flat(rate: np.ndarray, horizon: int) -> np.ndarray:
    return np.repeat(np.maximum(rate, 0.0)[:, None], horizon, axis=1)


def croston_rate(signal: np.ndarray, origin: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """(size / interval, has_demand) at the origin. Initialised at the first demand day: size =
    that demand, interval = known days up to and including it; then at each demand day
    size += alpha (demand - size), interval += alpha (known days since the last demand - interval).
    """
    n_series = signal.shape[0]
    size = np.zeros(n_series)
    interval = np.ones(n_series)
    since = np.zeros(n_series)
    started = np.zeros(n_series, dtype=bool)
    for day in range(origin + 1):
        value = signal[:, day]
        known = np.isfinite(value)
        since = since + known
        demand = known & (value > 0)
        first = demand & ~started
        later = demand & started
        size = np.where(first, value, np.where(later, size + alpha * (value - size), size))
        interval = np.where(
            first, since, np.where(later, interval + alpha * (since - interval), interval)
        )
        started |= demand
        since = np.where(demand, 0.0, since)
    return np.where(started, size / interval, 0.0), started


def sba_forecast(
    signal: np.ndarray, fallback: np.ndarray, origin: int, horizon: int, alpha: float = 0.1
) -> np.ndarray:
    """Croston with the Syntetos-Boylan correction: (1 - alpha / 2) * size / interval. Series with
    no known day at all get the fallback level; known days but no demand, zero."""
    rate, _ = croston_rate(signal, origin, alpha)
    rate = (1 - alpha / 2) * rate
    any_known = np.isfinite(signal[:, : origin + 1]).any(axis=1)
    return _flat(np.where(any_known, rate, level_fallback(signal, fallback, origin)), horizon)


def tsb_forecast(
    signal: np.ndarray,
    fallback: np.ndarray,
    origin: int,
    horizon: int,
    alpha_size: float = 0.1,
    alpha_probability: float = 0.1,
) -> np.ndarray:
    """TSB: probability * size. Initialised at the first known day with the share of demand days
    and the mean non-zero demand over the known days up to the origin; then every known day
    probability += alpha_p (demand day ? 1 : 0 - probability), and every demand day
    size += alpha_s (demand - size)."""
    history = signal[:, : origin + 1]
    known = np.isfinite(history)
    demand = known & (np.nan_to_num(history) > 0)
    n_known = known.sum(axis=1)
    n_demand = demand.sum(axis=1)
    probability = np.where(n_known > 0, n_demand / np.maximum(n_known, 1), 0.0)
    size = np.where(
        n_demand > 0, np.where(demand, history, 0.0).sum(axis=1) / np.maximum(n_demand, 1), 0.0
    )
    for day in range(origin + 1):
        probability = np.where(
            known[:, day],
            probability + alpha_probability * (demand[:, day] - probability),
            probability,
        )
        size = np.where(demand[:, day], size + alpha_size * (history[:, day] - size), size)
    rate = np.where(n_known > 0, probability * size, level_fallback(signal, fallback, origin))
    return _flat(rate, horizon)
