"""The forecast on a long-tail network of input files: 25 stores x 495 products x 1,000 days,
most store x product days without a sale, slow movers, lumpy items, launches, discontinued items
and one launch of 725 units two days before the end. Backtest per demand class with every
default model, and again without `shrunk_mean`: which model each class takes, its bias, and the
bias guardrail.

    python -m benchmarks.forecast_long_tail [--inputs DIR] [--output results/forecast_long_tail.json]

--inputs keeps the generated input files there, for `make run DATASET=files INPUT_DIR=DIR`.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.held_out_week import write_long_tail_inputs
from python_assets.forecasting import ForecastSettings, forecast_demand
from python_assets.forecasting.guardrails import bias_check
from python_assets.forecasting.selection import CHOSEN_MODEL

RESULTS = Path(__file__).resolve().parent / "results"
HISTORY_DAYS = 120  # what the forecast step reads


def mart_history(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The last HISTORY_DAYS days as the forecast step reads marts.fct_sales_daily: every day
    from a pair's first sale filled in (no sale = 0), with that first sale's date; no stockout or
    covariate columns given."""
    sales = pd.read_csv(folder / "sales_daily.csv", parse_dates=["date"])
    products = pd.read_csv(folder / "products.csv")
    last = sales["date"].max()
    days = pd.DataFrame(
        {"sales_date": pd.date_range(last - pd.Timedelta(days=HISTORY_DAYS - 1), last)}
    )
    first = sales.groupby(["store_id", "product_id"], as_index=False)["date"].min()
    spine = first.merge(days, how="cross")
    spine = spine[spine["sales_date"] >= spine["date"]].rename(columns={"date": "first_sale_date"})
    history = spine.merge(
        sales.rename(columns={"date": "sales_date"}),
        on=["store_id", "product_id", "sales_date"],
        how="left",
    ).fillna({"units_sold": 0.0})
    history = history.assign(
        latent_demand_units=history["units_sold"],
        is_stockout_censored=False,
        stockout_hours=np.nan,
        stockout_hours_6_22=np.nan,
        price_ratio=np.nan,
        is_promo=False,
        is_holiday=False,
        **dict.fromkeys(
            ["precipitation", "avg_temperature", "avg_humidity", "avg_wind_level"], np.nan
        ),
    )
    return history, products[["product_id", "category", "subcategory"]]


def per_class(result, settings: ForecastSettings) -> dict[str, object]:
    pooled = result.backtest[
        (result.backtest["window"] == 0)
        & (result.backtest["segment_type"] == "demand_class")
        & (result.backtest["model"] == CHOSEN_MODEL)
    ]
    total = pooled["actual_units"].sum()
    check = bias_check(result.backtest, settings)
    return {
        "model_per_class": result.model_per_class,
        "classes": {
            row.segment_value: {
                "unit_share": round(row.actual_units / total, 4),
                "score_total_wape": round(row.score_total_wape, 4),
                "wpe_total": round(row.wpe_total, 4),
                "coverage_total_80": round(row.coverage_total_80, 4),
            }
            for row in pooled.itertuples()
        },
        "bias_guardrail": {"passed": check.passed, "description": check.description},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--inputs", type=Path, help="keep the input files in this folder")
    parser.add_argument("--output", type=Path, default=RESULTS / "forecast_long_tail.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.inputs or Path(scratch)
        write_long_tail_inputs(folder)
        history, products = mart_history(folder)
    runs = {}
    for name, models in {
        "every default model": ForecastSettings().models,
        "without shrunk_mean": tuple(m for m in ForecastSettings().models if m != "shrunk_mean"),
    }.items():
        settings = ForecastSettings(models=models)
        started = time.perf_counter()
        result = forecast_demand(history, products, settings)
        runs[name] = per_class(result, settings) | {
            "seconds": round(time.perf_counter() - started, 1)
        }
        print(name, json.dumps(runs[name], indent=1))
    args.output.write_text(
        json.dumps(
            {
                "command": "python -m benchmarks.forecast_long_tail",
                "series": int(history[["store_id", "product_id"]].drop_duplicates().shape[0]),
                "history_days": HISTORY_DAYS,
                "runs": runs,
                "machine": f"{platform.platform()}, Python {platform.python_version()}",
                "measured_at": time.strftime("%Y-%m-%d %H:%M"),
            },
            indent=1,
        )
        + "\n"
    )
    print(f"-> {args.output}")


if __name__ == "__main__":
    main()
