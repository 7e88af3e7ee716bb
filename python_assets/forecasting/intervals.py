"""Prediction intervals calibrated on backtest residuals: quantiles of scaled errors per volume
bin and horizon step, and the std of the H-day total (docs/methodology.md, "Demand forecast")."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class ResidualIntervals:
    """Scaled errors (actual - forecast) / series level of one model, by volume bin and step."""

    bins: list[np.ndarray] = field(default_factory=list)
    steps: list[np.ndarray] = field(default_factory=list)
    errors: list[np.ndarray] = field(default_factory=list)
    total_bins: list[np.ndarray] = field(default_factory=list)
    total_errors: list[np.ndarray] = field(default_factory=list)

    def add(
        self,
        actual: np.ndarray,
        forecast: np.ndarray,
        scored: np.ndarray,
        scale: np.ndarray,
        volume_bin: np.ndarray,
    ) -> None:
        n_series, horizon = forecast.shape
        scaled = (actual - forecast) / scale[:, None]
        step = np.tile(np.arange(horizon), (n_series, 1))
        bins = np.repeat(volume_bin[:, None], horizon, axis=1)
        self.bins.append(bins[scored])
        self.steps.append(step[scored])
        self.errors.append(scaled[scored])
        complete = scored.all(axis=1)
        self.total_bins.append(volume_bin[complete])
        self.total_errors.append(scaled[complete].sum(axis=1))

    @property
    def empty(self) -> bool:
        return not self.errors or sum(len(e) for e in self.errors) == 0

    def intervals(
        self,
        forecast: np.ndarray,
        scale: np.ndarray,
        volume_bin: np.ndarray,
        levels: tuple[float, ...],
        n_bins: int,
        min_count: int,
    ) -> tuple[dict[float, tuple[np.ndarray, np.ndarray]], np.ndarray]:
        """Bounds per level and the std of the H-day total, from the collected errors.

        Quantiles of the scaled error in each (volume bin, step); with fewer than min_count
        errors there, the bin's errors over all steps, then all errors.
        """
        n_series, horizon = forecast.shape
        if self.empty:
            nan = np.full((n_series, horizon), np.nan)
            return {level: (nan, nan) for level in levels}, np.full(n_series, np.nan)
        bins = np.concatenate(self.bins)
        steps = np.concatenate(self.steps)
        errors = np.concatenate(self.errors)
        probabilities = sorted({p for lv in levels for p in ((1 - lv) / 2, (1 + lv) / 2)})
        pooled = np.quantile(errors, probabilities)
        table = np.empty((n_bins, horizon, len(probabilities)))
        variance = np.empty((n_bins, horizon))
        for b in range(n_bins):
            in_bin = bins == b
            bin_errors = errors[in_bin]
            for h in range(horizon):
                cell = bin_errors[steps[in_bin] == h]
                if len(cell) < min_count:
                    cell = bin_errors if len(bin_errors) >= min_count else errors
                table[b, h] = np.quantile(cell, probabilities) if len(cell) else pooled
                variance[b, h] = np.var(cell) if len(cell) else np.var(errors)
        quantiles = table[volume_bin][:, :horizon]  # (n, H, P)
        bounds = {}
        for level in levels:
            low = probabilities.index((1 - level) / 2)
            high = probabilities.index((1 + level) / 2)
            bounds[level] = (
                np.maximum(forecast + quantiles[..., low] * scale[:, None], 0.0),
                np.maximum(forecast + quantiles[..., high] * scale[:, None], 0.0),
            )
        total_bins = np.concatenate(self.total_bins)
        total_errors = np.concatenate(self.total_errors)
        total_std = np.sqrt(variance.sum(axis=1))  # independent steps, if nothing better
        for b in range(n_bins):
            sums = total_errors[total_bins == b]
            if len(sums) >= min_count:
                total_std[b] = np.std(sums)
        return bounds, total_std[volume_bin] * scale


def quantile_bins(values: np.ndarray, n_bins: int) -> np.ndarray:
    """0..n_bins-1 by quantiles of values across series (ties and tiny panels handled)."""
    if n_bins <= 1 or len(values) == 0:
        return np.zeros(len(values), dtype=np.int64)
    ranks = pd.Series(values).rank(method="first").to_numpy()
    return np.minimum(((ranks - 1) * n_bins / len(values)).astype(np.int64), n_bins - 1)
