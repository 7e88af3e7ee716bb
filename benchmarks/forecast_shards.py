"""Is the forecast's global model better fitted once over every series, or once per product shard
(what a forecast step partitioned over shards would do)? FreshRetailNet-50K's backtest of the
7-day moving average and gradient boosting, run on all series at once and then on each shard
alone (products split by the LP's stable product hash, `product_shards`; each shard's model gets
its share of the training rows), the shards' forecasts scored together per window
(FreshRetailNet's convention: WAPE per day, averaged over the window's days).

    python -m benchmarks.forecast_shards [--shards 2] [--frn-path P]
        -> benchmarks/results/forecast_shards.json

The shards run one after another here; the time of the slowest is what one process per shard
would take.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd

from benchmarks.bench_forecast import BASELINE, DEFAULT_FRN_PATH, machine_info
from benchmarks.forecast_seeds import MODEL, load_frn_panel, scored_days
from python_assets.forecasting import ForecastSettings, forecast_panel
from python_assets.forecasting.panel import DemandPanel
from python_assets.optimization.parallel import product_shards

RESULTS = Path(__file__).resolve().parent / "results" / "forecast_shards.json"


def sharded_backtest(
    panel: DemandPanel, shards: int, base: ForecastSettings = ForecastSettings()
) -> dict[str, object]:
    """Per window, both models' WAPE over every series and gradient boosting's improvement on
    the moving average, with the shards' models fitted apart; and each shard's seconds."""
    settings = replace(
        base,
        models=(BASELINE, MODEL),
        backtest_prediction_series=None,
        gradient_boosting=replace(
            base.gradient_boosting,
            max_train_rows=base.gradient_boosting.max_train_rows // shards,
        ),
    )
    shard_of = product_shards(pd.Series(panel.product_id), shards)
    predictions, seconds = [], []
    for shard in range(shards):
        started = time.perf_counter()
        result = forecast_panel(panel.subset(shard_of == shard), settings)
        seconds.append(round(time.perf_counter() - started, 1))
        predictions.append(result.backtest_predictions)
    days = pd.DataFrame(scored_days(pd.concat(predictions, ignore_index=True)))
    wape = days.groupby(["window", "model"])["wape"].mean().unstack("model")
    windows = [
        {
            "window": int(window),
            "wape": float(row[MODEL]),
            "wape_moving_average_7": float(row[BASELINE]),
            "improvement_pct": float(100 * (1 - row[MODEL] / row[BASELINE])),
        }
        for window, row in wape.iterrows()
    ]
    return {"shards": shards, "windows": windows, "shard_seconds": seconds}


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frn-path", default=os.environ.get("FRN_PATH") or str(DEFAULT_FRN_PATH))
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--series", type=int, default=None, help="sample this many series")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)
    panel = load_frn_panel(args.frn_path, args.series)
    runs = []
    for shards in sorted({1, args.shards}):
        run = sharded_backtest(panel, shards)
        runs.append(run)
        cells = "  ".join(f"{w['improvement_pct']:.2f}%" for w in run["windows"])
        print(f"{shards} shard(s): {cells}  seconds per shard {run['shard_seconds']}", flush=True)
    result = {
        "command": "python -m benchmarks.forecast_shards " + " ".join(sys.argv[1:]),
        "series": panel.n_series,
        "runs": runs,
        "machine": machine_info(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M"),
    }
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {args.output}")
    return result


if __name__ == "__main__":
    main()
