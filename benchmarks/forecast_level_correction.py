"""Would a level correction learnt on past backtest windows remove the gradient-boosting model's
bias? The model forecasts a median (absolute-error loss), which is below the mean of skewed
counts. Each window's forecast is multiplied, per demand class, by the ratio of actual to
forecast units over the scored windows before it (clipped to [1 / (1 + clip), 1 + clip]); the
first window has no past and is left as it is. Scored after the fact on FreshRetailNet-50K,
FreshRetailNet's convention, beside the 7-day moving average.

    python -m benchmarks.forecast_level_correction [--backtest-windows 8] [--seed 0]
        [--clip 0.25] [--frn-path P] -> benchmarks/results/forecast_level_correction.json
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
from benchmarks.forecast_seeds import MODEL, load_frn_panel
from python_assets.forecasting import ForecastSettings, forecast_panel, frn_daily_metrics

RESULTS = Path(__file__).resolve().parent / "results" / "forecast_level_correction.json"
KEYS = ["origin_date", "store_id", "product_id"]


def corrected(scored: pd.DataFrame, clip: float) -> pd.Series:
    """The model's forecast of each scored row times its class's ratio of actual to forecast
    units over the earlier windows."""
    totals = scored.groupby(["window", "demand_class"])[["actual", "forecast"]].sum()
    factor = pd.Series(1.0, index=scored.index)
    for window in sorted(scored["window"].unique())[1:]:
        past = totals[totals.index.get_level_values("window") < window].groupby(level=1).sum()
        ratio = (past["actual"] / past["forecast"]).clip(1 / (1 + clip), 1 + clip)
        rows = scored["window"] == window
        factor[rows] = scored.loc[rows, "demand_class"].map(ratio).fillna(1.0).to_numpy()
    return scored["forecast"] * factor


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frn-path", default=os.environ.get("FRN_PATH") or str(DEFAULT_FRN_PATH))
    parser.add_argument("--backtest-windows", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--clip", type=float, default=0.25)
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)
    panel = load_frn_panel(args.frn_path, None)
    base = ForecastSettings(backtest_windows=args.backtest_windows)
    settings = replace(
        base,
        models=(BASELINE, MODEL),
        gradient_boosting=replace(base.gradient_boosting, random_state=args.seed),
        backtest_prediction_series=None,
    )
    result = forecast_panel(panel, settings, predict=False)
    predictions = result.backtest_predictions
    predictions = predictions[predictions["is_scored"]]
    classes = result.backtest_forecasts[[*KEYS, "demand_class"]]
    model = predictions[predictions["model"] == MODEL].merge(classes, on=KEYS)
    model["corrected"] = corrected(model, args.clip)
    baseline = predictions[predictions["model"] == BASELINE]
    windows = []
    for window, rows in model.groupby("window"):
        base_rows = baseline[baseline["window"] == window]

        def score(forecast: pd.Series, of: pd.DataFrame = rows) -> dict[str, float]:
            days = of["forecast_date"].to_numpy()
            return frn_daily_metrics(of["actual"].to_numpy(), forecast.to_numpy(), days)

        moving_average = score(base_rows["forecast"], base_rows)
        row: dict[str, object] = {
            "window": int(window),
            "origin_date": str(rows["origin_date"].iloc[0].date()),
        }
        for name, column in (("model", "forecast"), ("corrected", "corrected")):
            scores = score(rows[column])
            row[f"{name}_improvement_pct"] = 100 * (1 - scores["wape"] / moving_average["wape"])
            row[f"{name}_wpe_pct"] = 100 * scores["wpe"]
        windows.append(row)
        print(
            f"window {window} ({row['origin_date']}): improvement "
            f"{row['model_improvement_pct']:.2f}% -> {row['corrected_improvement_pct']:.2f}%, "
            f"WPE {row['model_wpe_pct']:.2f}% -> {row['corrected_wpe_pct']:.2f}%",
            flush=True,
        )
    report = {
        "command": "python -m benchmarks.forecast_level_correction "
        + " ".join(argv or sys.argv[1:]),
        "series": panel.n_series,
        "seed": args.seed,
        "clip": args.clip,
        "windows": windows,
        "machine": machine_info(),
    }
    Path(args.output).write_text(json.dumps(report, indent=2) + "\n")
    print(f"written to {args.output}")
    return report


if __name__ == "__main__":
    main()
