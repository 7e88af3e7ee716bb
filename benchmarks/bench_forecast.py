"""Benchmark of the demand forecast: one full run (backtest + final forecast) on
FreshRetailNet-50K (Dingdong Inc., arXiv 2505.16319, CC-BY-4.0), or on a synthetic stand-in when
the file is absent; wall time per phase, peak memory, the last window's accuracy under the
dataset's benchmark convention, written to benchmarks/results/forecast.json.

    python -m benchmarks.bench_forecast [--frn-path P] [--series N] [--threads T]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import pandas as pd

from python_assets.forecasting import (
    FRN_SEGMENT,
    ForecastResult,
    ForecastSettings,
    forecast_panel,
)
from python_assets.forecasting.benchmark_data import load_frn_history, synthetic_history
from python_assets.forecasting.panel import build_panel
from python_assets.forecasting.statistical import statsmodels_ets_forecast

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FRN_PATH = REPO_ROOT.parent / "shared" / "data" / "freshretailnet50k" / "train.parquet"
RESULTS = REPO_ROOT / "benchmarks" / "results" / "forecast.json"
BASELINE = "moving_average_7"
RAW_BASELINE = "moving_average_7_sales"


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def machine_info() -> dict[str, object]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in load],
    }


def last_window_table(result: ForecastResult) -> pd.DataFrame:
    """The last scored window under FreshRetailNet's convention, one row per model."""
    table = result.backtest
    last = table["window"].max()
    view = table[(table["window"] == last) & (table["segment_type"] == FRN_SEGMENT)]
    return view.set_index("model")[["origin_date", "wape", "wpe", "coverage_80", "coverage_95"]]


def pooled_table(result: ForecastResult) -> pd.DataFrame:
    table = result.backtest
    view = table[(table["window"] == 0) & (table["segment_type"] == FRN_SEGMENT)]
    return view.set_index("model")[["wape", "wpe", "mase", "coverage_80", "coverage_95"]]


def ets_engine_comparison(panel, origin: int, horizon: int, n_series: int) -> dict[str, object]:
    """statsmodels' optimised ETS against the vectorised grid on a sample of series, at one
    origin: what the grid gives up (or not), and what statsmodels would cost at full scale."""
    from python_assets.forecasting.metrics import frn_daily_metrics
    from python_assets.forecasting.statistical import ets_forecast

    rows = np.random.default_rng(0).choice(panel.n_series, min(n_series, panel.n_series), False)
    sample = panel.subset(np.sort(rows))
    signal = sample.masked_sales
    fallback = np.where(sample.observed, sample.latent_demand, np.nan)
    started = time.perf_counter()
    reference, _ = statsmodels_ets_forecast(signal, fallback, origin, horizon)
    statsmodels_seconds = time.perf_counter() - started
    started = time.perf_counter()
    grid, _ = ets_forecast(signal, fallback, origin, horizon)
    grid_seconds = time.perf_counter() - started
    target = slice(origin + 1, origin + 1 + horizon)
    actual = sample.units_sold[:, target]
    scored = sample.demand_observed[:, target]
    day = np.tile(np.arange(horizon), (sample.n_series, 1))
    metrics = {
        name: frn_daily_metrics(actual[scored], forecast[scored], day[scored])
        for name, forecast in (("statsmodels", reference), ("vectorised_grid", grid))
    }
    per_series = statsmodels_seconds / sample.n_series
    return {
        "series": sample.n_series,
        "origin_date": str(sample.dates[origin].date()),
        "frn_wape_wpe": metrics,
        "seconds": {"statsmodels": statsmodels_seconds, "vectorised_grid": grid_seconds},
        "statsmodels_projected_seconds_all_series_all_origins": per_series * panel.n_series * 6,
    }


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frn-path", default=os.environ.get("FRN_PATH") or str(DEFAULT_FRN_PATH))
    parser.add_argument("--series", type=int, default=None, help="sample this many series")
    parser.add_argument("--threads", type=int, default=None, help="GBM threads; all cores")
    parser.add_argument("--ets-sample", type=int, default=300, help="0 skips the comparison")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)

    phases: dict[str, float] = {}
    started = time.perf_counter()
    if Path(args.frn_path).exists():
        dataset = "FreshRetailNet-50K (Dingdong Inc., arXiv 2505.16319, CC-BY-4.0)"
        history, products = load_frn_history(args.frn_path, args.series)
    else:
        dataset = "synthetic stand-in (FreshRetailNet-50K file not found)"
        history, products = synthetic_history(n_series=args.series or 2000, n_days=83)
    phases["load_seconds"] = time.perf_counter() - started

    started = time.perf_counter()
    panel = build_panel(history, products)
    n_rows = len(history)
    del history
    phases["panel_seconds"] = time.perf_counter() - started

    base = ForecastSettings()
    settings = replace(
        base,
        models=(*base.models, RAW_BASELINE),
        gradient_boosting=replace(base.gradient_boosting, n_threads=args.threads),
        backtest_prediction_series=1000,
    )
    started = time.perf_counter()
    result = forecast_panel(panel, settings)
    phases["forecast_seconds"] = time.perf_counter() - started
    phases["total_seconds"] = sum(phases.values())
    peak = peak_memory_mb()

    last = last_window_table(result)
    chosen = result.chosen_model
    improvement = {
        name: 100 * (1 - last.loc[chosen, "wape"] / last.loc[name, "wape"])
        for name in (BASELINE, RAW_BASELINE)
    }
    ets_comparison = (
        ets_engine_comparison(panel, panel.n_days - 1 - settings.horizon, settings.horizon,
                              args.ets_sample)
        if args.ets_sample
        else None
    )  # fmt: skip
    report: dict[str, object] = {
        "dataset": dataset,
        "command": "python -m benchmarks.bench_forecast " + " ".join(argv or sys.argv[1:]),
        "series": panel.n_series,
        "days": panel.n_days,
        "rows": n_rows,
        "horizon": settings.horizon,
        "phases_seconds": {**phases, **result.diagnostics["model_seconds"]},
        "peak_memory_mb": peak,
        "chosen_model": chosen,
        "last_window_origin": str(last["origin_date"].iloc[0].date()),
        "last_window_frn_benchmark": json.loads(
            last.drop(columns="origin_date").to_json(orient="index")
        ),
        "pooled_backtest_frn_benchmark": json.loads(pooled_table(result).to_json(orient="index")),
        "improvement_vs_moving_average_7_pct": improvement[BASELINE],
        "improvement_vs_moving_average_7_raw_sales_pct": improvement[RAW_BASELINE],
        "chosen_last_window": {
            "wape": last.loc[chosen, "wape"],
            "wpe": last.loc[chosen, "wpe"],
            "coverage_80": last.loc[chosen, "coverage_80"],
            "coverage_95": last.loc[chosen, "coverage_95"],
        },
        "backtest_windows": {
            "calibration": result.diagnostics["calibration_origins"],
            "scored": result.diagnostics["scored_origins"],
        },
        "ets_engine_comparison": ets_comparison,
        "settings": json.loads(json.dumps(asdict(settings), default=str)),
        "machine": machine_info(),
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(f"dataset: {dataset}; {panel.n_series} series x {panel.n_days} days")
    print("phases (s):", {k: round(v, 1) for k, v in report["phases_seconds"].items()})
    print(f"peak memory: {peak:.0f} MB")
    print(f"last window (origin {report['last_window_origin']}), FRN convention:")
    print(last.drop(columns="origin_date").round(4).to_string())
    print(f"chosen: {chosen}; WAPE improvement vs {BASELINE}: {improvement[BASELINE]:.1f}%, "
          f"vs {RAW_BASELINE}: {improvement[RAW_BASELINE]:.1f}%")  # fmt: skip
    print(f"written to {output}")
    return report


if __name__ == "__main__":
    main()
