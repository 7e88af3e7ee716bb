"""How robust is the forecast's last-window figure? Per backtest window, the gradient-boosting
model's WAPE improvement over the 7-day moving average (FreshRetailNet's convention), for the
committed configuration and a one-member variant, over several random seeds. The windows before
the last are the ones configuration choices may be made on; the last one is judged. Per day,
the WAPE and the bias (WPE) of both models over all scored series show how much of the error is
common to every series on a day.

    python -m benchmarks.forecast_seeds [--seeds 0 1 2] [--frn-path P]
        [--variant NAME='{"min_samples_leaf": 100}' ...] [--backtest-windows N]
        -> benchmarks/results/forecast_seeds.json and .md (the tables)

--variant replaces the two default variants with the committed configuration and the given
overrides of GradientBoostingSettings; --backtest-windows scores more windows before the last.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path

import pandas as pd

from benchmarks.bench_forecast import BASELINE, DEFAULT_FRN_PATH, machine_info
from python_assets.forecasting import (
    FRN_SEGMENT,
    ForecastSettings,
    forecast_panel,
    frn_day_scores,
)
from python_assets.forecasting.benchmark_data import load_frn_history
from python_assets.forecasting.panel import DemandPanel, build_panel

RESULTS = Path(__file__).resolve().parent / "results" / "forecast_seeds.json"
MODEL = "gradient_boosting"
VARIANTS = {"committed": {}, "one_member": {"n_models": 1}}


def scored_days(predictions: pd.DataFrame) -> list[dict[str, object]]:
    """One row per scored window, model and target day: the day's WAPE and WPE over the series
    scored that day (frn_day_scores; FreshRetailNet's convention averages them over the days)."""
    scored = predictions[predictions["is_scored"]]
    rows = []
    for (window, model), group in scored.groupby(["window", "model"], observed=True):
        days, wapes, wpes = frn_day_scores(
            group["actual"].to_numpy(),
            group["forecast"].to_numpy(),
            group["forecast_date"].to_numpy(),
        )
        for day, wape, wpe in zip(pd.DatetimeIndex(days), wapes, wpes, strict=True):
            rows.append(
                {
                    "window": int(window),
                    "date": str(day.date()),
                    "weekday": day.day_name(),
                    "model": str(model),
                    "wape": float(wape),
                    "wpe": float(wpe),
                }
            )
    return rows


def load_frn_panel(frn_path: str, series: int | None) -> DemandPanel:
    """FreshRetailNet-50K (all series, or a sample of `series`) as a demand panel; exits naming
    the path when the file is not there."""
    if not Path(frn_path).exists():
        raise SystemExit(f"needs FreshRetailNet-50K at {frn_path} (or --frn-path)")
    history, products = load_frn_history(frn_path, series)
    return build_panel(history, products)


def backtest_scores(panel, settings: ForecastSettings) -> dict[str, list[dict[str, object]]]:
    """windows: one row per scored window (origin, both WAPEs, the improvement in %);
    days: scored_days."""
    result = forecast_panel(panel, settings)
    backtest = result.backtest
    view = backtest[(backtest["segment_type"] == FRN_SEGMENT) & (backtest["window"] > 0)]
    wape = view.pivot(index="window", columns="model", values="wape")
    origins = view.groupby("window")["origin_date"].first()
    windows = [
        {
            "window": int(window),
            "origin_date": str(origins[window].date()),
            "wape": float(wape.loc[window, MODEL]),
            "wape_moving_average_7": float(wape.loc[window, BASELINE]),
            "improvement_pct": float(
                100 * (1 - wape.loc[window, MODEL] / wape.loc[window, BASELINE])
            ),
        }
        for window in wape.index
    ]
    return {"windows": windows, "days": scored_days(result.backtest_predictions)}


def markdown_table(runs: list[dict[str, object]]) -> str:
    """Improvement over the 7-day moving average per run and window, in %."""
    origins = [w["origin_date"] for w in runs[0]["windows"]]
    lines = [
        "| variant | seed | " + " | ".join(f"window from {o}" for o in origins) + " |",
        "| --- | --: |" + " --: |" * len(origins),
    ]
    for run in runs:
        cells = " | ".join(f"{w['improvement_pct']:.1f}%" for w in run["windows"])
        lines.append(f"| {run['variant']} | {run['seed']} | {cells} |")
    first = runs[0]
    days = pd.DataFrame(first["days"]).pivot(
        index=["window", "date", "weekday"], columns="model", values=["wape", "wpe"]
    )
    lines += [
        "",
        f"Per day ({first['variant']}, seed {first['seed']}): WAPE and bias (WPE) over the series"
        " scored that day.",
        "",
        f"| window | day | weekday | WAPE {MODEL} | WAPE {BASELINE} | WPE {MODEL} | WPE {BASELINE} |",
        "| --: | --- | --- | --: | --: | --: | --: |",
    ]
    for (window, day, weekday), row in days.iterrows():
        values = [row[("wape", MODEL)], row[("wape", BASELINE)]]
        values += [row[("wpe", MODEL)], row[("wpe", BASELINE)]]
        cells = " | ".join(f"{100 * value:.1f}%" for value in values)
        lines.append(f"| {window} | {day} | {weekday} | {cells} |")
    return "\n".join(lines) + "\n"


def _variant(text: str) -> tuple[str, dict[str, object]]:
    """NAME=JSON -> (NAME, overrides of GradientBoostingSettings)."""
    name, _, overrides = text.partition("=")
    return name, json.loads(overrides)


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frn-path", default=os.environ.get("FRN_PATH") or str(DEFAULT_FRN_PATH))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=JSON")
    parser.add_argument("--backtest-windows", type=int, default=None)
    parser.add_argument("--series", type=int, default=None, help="sample this many series")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)
    panel = load_frn_panel(args.frn_path, args.series)
    base = ForecastSettings()
    if args.backtest_windows is not None:
        base = replace(base, backtest_windows=args.backtest_windows)
    variants = {"committed": {}, **dict(map(_variant, args.variant))} if args.variant else VARIANTS
    runs = []
    for variant, overrides in variants.items():
        for seed in args.seeds:
            gbm = replace(base.gradient_boosting, random_state=seed, **overrides)
            settings = replace(
                base,
                models=(BASELINE, MODEL),
                gradient_boosting=gbm,
                backtest_prediction_series=None,
            )
            started = time.perf_counter()
            outcome = backtest_scores(panel, settings)
            windows = outcome["windows"]
            runs.append({"variant": variant, "seed": seed, **outcome})
            print(
                f"{variant:<11} seed {seed}: "
                + "  ".join(f"{w['origin_date']} {w['improvement_pct']:5.2f}%" for w in windows)
                + f"  ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    report = {
        "command": "python -m benchmarks.forecast_seeds " + " ".join(argv or sys.argv[1:]),
        "series": panel.n_series,
        "variants": variants,
        "committed_gradient_boosting": asdict(base.gradient_boosting),
        "runs": runs,
        "machine": machine_info(),
    }
    output = Path(args.output)
    output.write_text(json.dumps(report, indent=2) + "\n")
    output.with_suffix(".md").write_text(markdown_table(runs))
    print(f"written to {output} and {output.with_suffix('.md').name}")
    return report


if __name__ == "__main__":
    main()
