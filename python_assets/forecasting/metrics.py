"""Accuracy metrics of forecasts against sales: WAPE, WPE, MAPE, MASE, interval coverage, and
FreshRetailNet's per-day convention (docs/methodology.md, "Demand forecast")."""

from __future__ import annotations

import numpy as np


def _safe_ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else float("nan")


def accuracy_metrics(
    actual: np.ndarray,
    forecast: np.ndarray,
    mase_scale: np.ndarray | None = None,
    bounds: dict[float, tuple[np.ndarray, np.ndarray]] | None = None,
) -> dict[str, float]:
    """Pooled accuracy of rows (all 1-d, same length).

    wape = sum|f - a| / sum a; wpe = sum(f - a) / sum a (positive = over-forecast);
    mape = mean |f - a| / a over a > 0 (NaN if none); mase = mean |f - a| / scale over rows
    whose series has a positive in-sample seasonal-naive MAE; coverage_<p> = share of rows inside
    the p% interval. NaN where undefined.
    """
    actual = np.asarray(actual, dtype=np.float64)
    forecast = np.asarray(forecast, dtype=np.float64)
    error = forecast - actual
    total = actual.sum()
    positive = actual > 0
    out = {
        "wape": _safe_ratio(np.abs(error).sum(), total),
        "wpe": _safe_ratio(error.sum(), total),
        "mape": float(np.mean(np.abs(error[positive]) / actual[positive]))
        if positive.any()
        else float("nan"),
        "mase": float("nan"),
        "n_rows": float(len(actual)),
    }
    if mase_scale is not None:
        scale = np.asarray(mase_scale, dtype=np.float64)
        usable = np.isfinite(scale) & (scale > 0)
        if usable.any():
            out["mase"] = float(np.mean(np.abs(error[usable]) / scale[usable]))
    for level, (lower, upper) in (bounds or {}).items():
        inside = (actual >= lower) & (actual <= upper)
        out[f"coverage_{level_label(level)}"] = (
            float(inside.mean()) if len(actual) else float("nan")
        )
    return out


def frn_day_scores(
    actual: np.ndarray, forecast: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(days, WAPE, WPE) of each day with sales, in day order: what FreshRetailNet's convention
    averages. The rows given must already be the scored ones."""
    days, wapes, wpes = [], [], []
    for value in np.unique(day):
        rows = day == value
        total = actual[rows].sum()
        if total > 0:
            days.append(value)
            wapes.append(np.abs(forecast[rows] - actual[rows]).sum() / total)
            wpes.append((forecast[rows] - actual[rows]).sum() / total)
    return np.array(days), np.array(wapes), np.array(wpes)


def frn_daily_metrics(
    actual: np.ndarray, forecast: np.ndarray, day: np.ndarray
) -> dict[str, float]:
    """FreshRetailNet's convention: WAPE and WPE of each day, averaged over the days.

    The rows given must already be the scored ones (no stockout between 06:00 and 22:00).
    """
    _, wapes, wpes = frn_day_scores(actual, forecast, day)
    if not len(wapes):
        return {"wape": float("nan"), "wpe": float("nan")}
    return {"wape": float(np.mean(wapes)), "wpe": float(np.mean(wpes))}


def seasonal_naive_mae(signal: np.ndarray, origin: int, season: int = 7) -> np.ndarray:
    """In-sample MAE of the seasonal naive forecast up to the origin (the MASE denominator),
    over pairs of days where both are known."""
    history = signal[:, : origin + 1]
    if history.shape[1] <= season:
        return np.full(signal.shape[0], np.nan)
    diff = np.abs(history[:, season:] - history[:, :-season])
    count = np.isfinite(diff).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, np.nansum(diff, axis=1) / np.maximum(count, 1), np.nan)


TOTAL_METRICS: tuple[str, ...] = (
    "n_series",
    "actual_units",
    "score_total_wape",
    "wpe_total",
    "wpe_total_se",
    "mae_total",
    "zero_total_share",
    "missed_total_share",
)


def total_metrics(
    actual: np.ndarray,
    forecast: np.ndarray,
    series_key: np.ndarray,
    recent_sale: np.ndarray | None = None,
) -> dict:
    """Scores of the H-day totals: rows summed per series_key (one series in one window, over
    its scored days), then score_total_wape = sum|F - A| / sum A and wpe_total = sum(F - A) / sum A
    over the totals (scale-free, and a zero forecast scores 1.0 and -100%), wpe_total_se = its
    standard error, sqrt(n) x the std of the n totals' errors / sum A (how far an unbiased
    forecast's wpe_total strays on this few series; NaN below two), mae_total = mean
    |F - A| (units; what is left to compare on when nothing sold), actual_units = sum A,
    zero_total_share = share of the totals forecast zero among series with recent_sale (a sale
    shortly before the origin; NaN without the flag or such series), missed_total_share = the
    same among those of them that also sold in the window (a zero that missed real demand; a
    series that stopped selling is right to be forecast zero)."""
    if len(actual) == 0:
        nan = float("nan")
        return dict(zip(TOTAL_METRICS, (0.0, 0.0, nan, nan, nan, nan, nan, nan), strict=True))
    _, first, inverse = np.unique(series_key, return_index=True, return_inverse=True)
    actual_total = np.bincount(inverse, weights=actual)
    forecast_total = np.bincount(inverse, weights=forecast)
    error = forecast_total - actual_total
    units = actual_total.sum()
    selling = np.zeros(len(first), dtype=bool) if recent_sale is None else recent_sale[first]
    went_on = selling & (actual_total > 0)
    return {
        "n_series": float(len(actual_total)),
        "actual_units": float(units),
        "score_total_wape": _safe_ratio(np.abs(error).sum(), units),
        "wpe_total": _safe_ratio(error.sum(), units),
        "wpe_total_se": _safe_ratio(np.sqrt(len(error)) * error.std(ddof=1), units)
        if len(error) > 1
        else float("nan"),
        "mae_total": float(np.abs(error).mean()),
        "zero_total_share": float(np.mean(forecast_total[selling] <= 0))
        if selling.any()
        else float("nan"),
        "missed_total_share": float(np.mean(forecast_total[went_on] <= 0))
        if went_on.any()
        else float("nan"),
    }


def total_coverage(
    actual: np.ndarray, series_key: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> float:
    """Share of H-day totals inside their interval: rows summed per series_key, the bounds (the
    same on every row of a key) taken from its first row. NaN with no rows."""
    if len(actual) == 0:
        return float("nan")
    _, first, inverse = np.unique(series_key, return_index=True, return_inverse=True)
    total = np.bincount(inverse, weights=actual)
    return float(np.mean((total >= lower[first]) & (total <= upper[first])))


def level_label(level: float) -> str:
    """0.8 -> "80": the suffix of interval columns (lower_80, coverage_80)."""
    return f"{round(level * 100):d}"
