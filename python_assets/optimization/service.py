"""The plan's expected fill rate under the forecast's distribution, not under its point forecast.

Against its own point forecast a plan that covers every forecast unit reports 100% fill by
construction. Demand is uncertain: with demand D ~ Normal(mean = forecast, std = the forecast's
std over the horizon) and x units available after the plan's moves, the expected lost units are
the normal loss function E[(D - x)+] = std x (pdf(z) - z x (1 - cdf(z))), z = (x - mean) / std.
See docs/methodology.md, "Policy replay".
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def expected_lost_units(available, mean, std) -> np.ndarray:
    """E[(D - available)+] for D ~ Normal(mean, std); with std 0 (or missing), max(0, mean -
    available)."""
    x = np.asarray(available, dtype=np.float64)
    mu = np.asarray(mean, dtype=np.float64)
    sigma = np.nan_to_num(np.asarray(std, dtype=np.float64), nan=0.0)
    certain = np.maximum(0.0, mu - x)
    safe = np.where(sigma > 0, sigma, 1.0)
    z = (x - mu) / safe
    loss = safe * (stats.norm.pdf(z) - z * stats.norm.sf(z))
    return np.where(sigma > 0, np.maximum(loss, certain), certain)


def expected_fill_rate(available, mean, std) -> float:
    """1 - expected lost units / expected demand, pooled over the rows (1 with no demand)."""
    demand = float(np.sum(mean))
    if demand <= 0:
        return 1.0
    return 1.0 - float(np.sum(expected_lost_units(available, mean, std))) / demand
