"""Would a weighted average of gradient boosting and a simpler model forecast FreshRetailNet better
than gradient boosting alone? Per backtest window, the improvement of WAPE over the 7-day moving
average (FreshRetailNet's convention) of gradient boosting, of each simpler model and of each
average `(1 - w) * gradient_boosting + w * other`, from one backtest run's daily forecasts. The
windows before the last are the ones a choice may be made on; the last one is judged.

    python -m benchmarks.forecast_combinations [--backtest-windows 8] [--weights 0.1 0.2 0.3]
        [--others ets moving_average_28 tsb] [--series N] [--frn-path P]
        -> benchmarks/results/forecast_combinations.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd

from benchmarks.bench_forecast import BASELINE, DEFAULT_FRN_PATH, machine_info
from benchmarks.forecast_seeds import MODEL, load_frn_panel, scored_days
from python_assets.forecasting import ForecastSettings, forecast_panel

RESULTS = Path(__file__).resolve().parent / "results" / "forecast_combinations.json"


def combination_scores(
    predictions: pd.DataFrame, others: list[str], weights: list[float]
) -> pd.DataFrame:
    """Improvement over the 7-day moving average in % per window (rows) and forecast (columns):
    gradient boosting, each other model, and each weighted average of the two. FreshRetailNet's
    WAPE of a window is the mean of its days' WAPEs (scored_days)."""
    scored = predictions[predictions["is_scored"] & (predictions["window"] > 0)]
    key = ["window", "store_id", "product_id", "forecast_date"]
    wide = scored.pivot_table(
        index=key, columns="model", values=["forecast", "actual"], observed=True
    )
    rows = wide.index.to_frame(index=False).assign(
        actual=wide[("actual", MODEL)].to_numpy(), is_scored=True
    )
    forecast = {m: wide[("forecast", m)].to_numpy() for m in [MODEL, BASELINE, *others]}
    named = dict(forecast)
    for other in others:
        for w in weights:
            named[f"{1 - w:.1f} {MODEL} + {w:.1f} {other}"] = (1 - w) * forecast[
                MODEL
            ] + w * forecast[other]
    long = pd.concat(
        [rows.assign(model=name, forecast=values) for name, values in named.items()],
        ignore_index=True,
    )
    days = pd.DataFrame(scored_days(long))
    wapes = days.pivot_table(index="window", columns="model", values="wape", aggfunc="mean")
    return 100 * (1 - wapes.div(wapes[BASELINE], axis=0))[list(named)]


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frn-path", default=os.environ.get("FRN_PATH") or str(DEFAULT_FRN_PATH))
    parser.add_argument("--backtest-windows", type=int, default=8)
    parser.add_argument("--weights", type=float, nargs="+", default=[0.1, 0.2, 0.3])
    parser.add_argument("--others", nargs="+", default=["ets", "moving_average_28", "tsb"])
    parser.add_argument("--series", type=int, default=None, help="sample this many series")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)
    panel = load_frn_panel(args.frn_path, args.series)
    settings = replace(
        ForecastSettings(),
        models=tuple(dict.fromkeys([BASELINE, MODEL, *args.others])),
        backtest_windows=args.backtest_windows,
        backtest_prediction_series=None,
    )
    predictions = forecast_panel(panel, settings).backtest_predictions
    improvement = combination_scores(predictions, args.others, args.weights)
    before_last = improvement.iloc[:-1].mean()
    print(improvement.round(2).T.to_string())
    print("mean over the windows before the last:")
    print(before_last.round(2).to_string())
    report = {
        "command": "python -m benchmarks.forecast_combinations " + " ".join(argv or sys.argv[1:]),
        "series": panel.n_series,
        "improvement_pct_per_window": {
            name: {str(w): float(v) for w, v in column.items()}
            for name, column in improvement.items()
        },
        "mean_before_last_window": {name: float(v) for name, v in before_last.items()},
        "machine": machine_info(),
    }
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {args.output}")
    return report


if __name__ == "__main__":
    main()
