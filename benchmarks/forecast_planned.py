"""What planned covariates are worth on FreshRetailNet-50K: hold out the shared file's last week,
forecast it with and without that week's discounts, holidays and weather given as planned
covariates, and score both against the week's real sales (FreshRetailNet's convention: days
without a stockout between 06:00 and 22:00, WAPE and WPE per day averaged over the days).

    python -m benchmarks.forecast_planned [--frn-path P] [--series N] [--threads T]

Writes benchmarks/results/forecast_planned.json. The 7-day mean is scored the same way as the
naive reference.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.bench_forecast import DEFAULT_FRN_PATH, machine_info, peak_memory_mb
from python_assets.forecasting import ForecastSettings, forecast_panel
from python_assets.forecasting.benchmark_data import load_frn_history
from python_assets.forecasting.metrics import frn_daily_metrics
from python_assets.forecasting.panel import COVARIATE_COLUMNS, build_panel

RESULTS = Path(__file__).resolve().parent / "results" / "forecast_planned.json"
BASELINE = "moving_average_7"
KEYS = ["store_id", "product_id", "forecast_date"]


def held_out_week(history: pd.DataFrame, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(history before the last `horizon` days, those days with the columns scoring needs and
    the covariates as planned_covariates would give them)."""
    cut = history["sales_date"].max() - pd.Timedelta(days=horizon)
    week = history[history["sales_date"] > cut].rename(columns={"sales_date": "forecast_date"})
    hours = week["stockout_hours_6_22"].fillna(week["stockout_hours"]).fillna(0)
    week = week.assign(is_scored=hours.to_numpy() == 0)
    columns = [*KEYS, "units_sold", "is_scored", *[c for c in COVARIATE_COLUMNS if c in week]]
    return history[history["sales_date"] <= cut], week[columns]


def score(forecast: pd.DataFrame, week: pd.DataFrame) -> dict[str, float]:
    """FreshRetailNet's WAPE and WPE and the 80% / 95% coverage on the week's scored days."""
    rows = week[week["is_scored"]].merge(forecast, on=KEYS, how="inner", validate="1:1")
    actual = rows["units_sold"].to_numpy(dtype=float)
    day = rows["forecast_date"].to_numpy()
    figures = frn_daily_metrics(actual, rows["forecast_units"].to_numpy(dtype=float), day)
    for level in (80, 95):
        lower, upper = rows[f"lower_{level}"], rows[f"upper_{level}"]
        inside = (actual >= lower.to_numpy()) & (actual <= upper.to_numpy())
        figures[f"coverage_{level}"] = float(np.mean(inside)) if len(rows) else float("nan")
    return figures | {"scored_rows": len(rows)}


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frn-path", default=os.environ.get("FRN_PATH") or str(DEFAULT_FRN_PATH))
    parser.add_argument("--series", type=int, default=None, help="sample this many series")
    parser.add_argument("--threads", type=int, default=None, help="GBM threads; all cores")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)
    if not Path(args.frn_path).exists():
        sys.exit(f"FreshRetailNet-50K not found at {args.frn_path} (set FRN_PATH)")

    base = ForecastSettings()
    settings = replace(
        base,
        forecast_all_models=True,  # every model's final forecast, for the 7-day mean's score
        gradient_boosting=replace(base.gradient_boosting, n_threads=args.threads),
    )
    history, products = load_frn_history(args.frn_path, args.series)
    history, week = held_out_week(history, settings.horizon)
    panel = build_panel(history, products)
    del history
    runs: dict[str, dict[str, object]] = {}
    for name, planned in (("without", None), ("with", week.drop(columns=["units_sold"]))):
        started = time.perf_counter()
        result = forecast_panel(panel, settings, future_covariates=planned)
        seconds = time.perf_counter() - started
        forecast = result.forecast
        chosen = forecast[forecast["is_chosen"]]
        baseline = forecast[(forecast["model"] == BASELINE) & ~forecast["is_chosen"]]
        runs[name] = {
            "seconds": round(seconds, 1),
            "model_per_class": result.model_per_class,
            "chosen": score(chosen, week),
            BASELINE: score(baseline, week),
        }
        print(name, "planned covariates:", json.dumps(runs[name]["chosen"]), flush=True)
    for run in runs.values():
        run["improvement_vs_7_day_mean"] = 1 - run["chosen"]["wape"] / run[BASELINE]["wape"]
    report = {
        "dataset": "FreshRetailNet-50K (Dingdong Inc., arXiv 2505.16319, CC-BY-4.0)",
        "command": "python -m benchmarks.forecast_planned " + " ".join(argv or sys.argv[1:]),
        "series": panel.n_series,
        "history_days": panel.n_days,
        "held_out": [
            str(week["forecast_date"].min().date()),
            str(week["forecast_date"].max().date()),
        ],
        "planned_columns": [c for c in COVARIATE_COLUMNS if c in week],
        "runs": runs,
        "peak_memory_mb": round(peak_memory_mb()),
        "machine": machine_info(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M"),
    }
    output = Path(args.output)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"written to {output}")
    return report


if __name__ == "__main__":
    main()
