"""The forecast on a synthetic long-tail panel (benchmark_data.intermittent_history): scores of
every model per demand class, the chosen model per class, coverage, and the zero-forecast share.

    python -m benchmarks.forecast_intermittent --series 400 [--with-gbm]
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from python_assets.forecasting import ForecastSettings, forecast_demand
from python_assets.forecasting.benchmark_data import intermittent_history
from python_assets.forecasting.guardrails import bias_check, zero_forecast_check
from python_assets.forecasting.selection import choice_table

COLUMNS = [
    "model",
    "actual_units",
    "score_total_wape",
    "wpe_total",
    "zero_total_share",
    "wape",
    "coverage_80",
    "coverage_sale_80",
    "coverage_total_80",
    "coverage_total_95",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--with-gbm", action="store_true", help="also the gradient boosting")
    args = parser.parse_args()
    history, products = intermittent_history(n_series=args.series, n_days=120, seed=args.seed)
    models = ForecastSettings().models
    if not args.with_gbm:
        models = tuple(m for m in models if m != "gradient_boosting")
    settings = ForecastSettings(models=models)
    started = time.perf_counter()
    result = forecast_demand(history, products, settings)
    elapsed = time.perf_counter() - started
    backtest = result.backtest
    pd.set_option("display.width", 250)
    print(f"{args.series} series, {elapsed:.0f} s; model per class: {result.model_per_class}")
    pooled = backtest[(backtest["window"] == 0) & (backtest["segment_type"] == "all")]
    print(pooled[COLUMNS].round(3).to_string(index=False))
    print(choice_table(backtest).to_string(index=False))
    print(result.demand_classes["demand_class"].value_counts().to_dict())
    chosen = result.forecast[result.forecast["is_chosen"]]
    for outcome in (
        bias_check(backtest, settings),
        zero_forecast_check(chosen, result.demand_classes, settings),
    ):
        print(f"{outcome.name}: {'pass' if outcome.passed else 'FAIL'} - {outcome.description}")


if __name__ == "__main__":
    main()
