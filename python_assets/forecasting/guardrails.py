"""The forecast's guardrails: pure functions over the backtest and the forecast whose results the
forecast asset reports as Dagster asset checks (docs/methodology.md, "Demand forecast")."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from python_assets.forecasting.metrics import level_label
from python_assets.forecasting.models import STORE_CLOSED
from python_assets.forecasting.selection import CHOSEN_MODEL, CLASS_SEGMENT
from python_assets.forecasting.settings import ForecastSettings


@dataclass(frozen=True)
class CheckOutcome:
    """One guardrail's verdict: passed, a sentence saying why, and figures for the metadata."""

    name: str
    passed: bool
    description: str
    metadata: dict[str, float | str] = field(default_factory=dict)


def interval_coverage_check(
    backtest: pd.DataFrame, model: str, settings: ForecastSettings
) -> CheckOutcome:
    """Backtest coverage of `model`'s intervals (all windows pooled) within
    settings.coverage_check_bounds, each bound widened by two standard errors of a coverage
    measured on the pooled count of series x windows (the days of one series' window are
    covered or missed together): on a few series no coverage says the intervals are off.

    Both bounds apply to the intervals of H-day totals (what safety stock uses); the intervals
    of days must not fall below the lower one. Days may cover more: whole-unit bounds on the
    days of a slow seller cover more than their level, and rightly."""
    pooled = backtest[
        (backtest["window"] == 0)
        & (backtest["segment_type"] == "all")
        & (backtest["model"] == model)
    ]
    if pooled.empty:
        return CheckOutcome(
            "interval_coverage_calibrated",
            True,
            f"no pooled backtest rows for {model}: nothing to check",
        )
    row = pooled.iloc[0]
    samples = max(float(row["n_series"]), 1.0)
    metadata: dict[str, float | str] = {"series_x_windows": samples}
    failures = []
    for level, low, high in settings.coverage_check_bounds:
        label = level_label(level)
        slack = 2 * math.sqrt(level * (1 - level) / samples)
        for column, upper in ((f"coverage_total_{label}", high), (f"coverage_{label}", 1.0)):
            coverage = float(row.get(column, np.nan))
            if np.isnan(coverage):
                continue
            metadata[column] = coverage
            if not low - slack <= coverage <= upper + slack:
                failures.append(
                    f"{column} = {coverage:.3f} outside [{low}, {upper}] "
                    f"(+-{slack:.3f} for {samples:,.0f} series x windows)"
                )
    description = "; ".join(failures) if failures else f"{model}'s interval coverage is calibrated"
    return CheckOutcome("interval_coverage_calibrated", not failures, description, metadata)


def bias_check(backtest: pd.DataFrame, settings: ForecastSettings) -> CheckOutcome:
    """|WPE| of the chosen forecast's H-day totals (backtest, all windows pooled) within the bias
    bound in every demand class holding at least min_class_share of the units, the bound widened
    by two standard errors of that WPE (wpe_total_se), as the coverage check is widened: on a
    few sparse series an unbiased forecast's WPE strays far from zero, and says little."""
    bound = settings.selection.bias_bound
    pooled = backtest[(backtest["window"] == 0) & (backtest["segment_type"] == CLASS_SEGMENT)]
    composite = pooled[pooled["model"] == CHOSEN_MODEL].set_index("segment_value")
    if composite.empty:
        return CheckOutcome("forecast_bias_within_bound", True, "no backtest: nothing to check")
    chosen = pooled[pooled["is_chosen"].astype(bool) & (pooled["model"] != CHOSEN_MODEL)]
    model_of = dict(zip(chosen["segment_value"], chosen["model"], strict=False))
    share = composite["actual_units"] / max(float(composite["actual_units"].sum()), 1e-12)
    failures, metadata = [], {}
    for value, row in composite.iterrows():
        metadata[f"wpe_total_{value}"] = float(row["wpe_total"])
        slack = 2 * float(np.nan_to_num(row["wpe_total_se"]))
        if (
            share[value] >= settings.guardrails.min_class_share
            and abs(row["wpe_total"]) > bound + slack
        ):
            failures.append(
                f"class {value} ({share[value]:.0%} of units): {model_of.get(value, '?')} has "
                f"WPE {row['wpe_total']:+.1%} on H-day totals, beyond +-{bound:.0%} "
                f"(+-{slack:.1%} for {row['n_series']:,.0f} series x windows)"
            )
    description = (
        "; ".join(failures)
        if failures
        else f"|WPE| of H-day totals within {bound:.0%} (+ two standard errors) in every class"
    )
    return CheckOutcome("forecast_bias_within_bound", not failures, description, metadata)


def zero_forecast_check(
    forecast: pd.DataFrame, demand_classes: pd.DataFrame, settings: ForecastSettings
) -> CheckOutcome:
    """Share of series that sold in the last recent_days days whose chosen forecast is zero over
    the whole horizon, at most max_zero_share. forecast: the chosen rows (store_id, product_id,
    model, forecast_units); demand_classes: classify_demand's table (days_since_last_sale). The
    series of closed stores (model STORE_CLOSED) are left out: zero is their forecast by rule,
    and a warning of their own names the stores."""
    keys = ["store_id", "product_id"]
    closed = forecast["model"] == STORE_CLOSED
    totals = forecast[~closed].groupby(keys, observed=True)["forecast_units"].sum()
    recent = demand_classes[
        demand_classes["days_since_last_sale"] < settings.guardrails.recent_days
    ].set_index(keys)
    recent = recent[~recent.index.isin(pd.MultiIndex.from_frame(forecast.loc[closed, keys]))]
    selling = totals.reindex(recent.index).fillna(0.0)
    zero = selling <= 0
    share = float(zero.mean()) if len(selling) else 0.0
    limit = settings.guardrails.max_zero_share
    passed = share <= limit
    example = "" if passed else f" (e.g. {' / '.join(map(str, zero[zero].index[0]))})"
    description = (
        f"{int(zero.sum())} of {len(selling)} series that sold in the last "
        f"{settings.guardrails.recent_days} days ({share:.1%}) are forecast zero over the "
        f"horizon; limit {limit:.0%}{example}"
    )
    return CheckOutcome(
        "no_zero_forecast_for_selling_series",
        passed,
        description,
        {"zero_share": share, "series_selling": float(len(selling))},
    )
