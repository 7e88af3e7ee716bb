"""The forecast's guardrails: pure functions over the backtest and the forecast whose results the
forecast asset reports as Dagster asset checks (docs/methodology.md, "Demand forecast")."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from python_assets.forecasting.metrics import level_label
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
    settings.coverage_check_bounds of nominal."""
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
    metadata: dict[str, float | str] = {}
    failures = []
    for level, low, high in settings.coverage_check_bounds:
        column = f"coverage_{level_label(level)}"
        if column not in row:
            continue
        coverage = float(row[column])
        metadata[column] = coverage
        if not low <= coverage <= high:
            failures.append(f"{column} = {coverage:.3f} outside [{low}, {high}]")
    description = "; ".join(failures) if failures else f"{model}'s interval coverage is calibrated"
    return CheckOutcome("interval_coverage_calibrated", not failures, description, metadata)
