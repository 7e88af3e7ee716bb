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

from benchmarks.held_out_week import write_inputs
from python_assets.forecasting import ForecastSettings, forecast_demand
from python_assets.forecasting.guardrails import bias_check
from python_assets.forecasting.selection import CHOSEN_MODEL

RESULTS = Path(__file__).resolve().parent / "results"
HISTORY_DAYS = 120  # what the forecast step reads


def write_long_tail_inputs(folder: Path, seed: int = 11) -> None:
    """stores, products, sales_daily (sparse: days without a sale left out) and
    inventory_snapshot as CSV, required columns only."""
    n_stores, n_products, n_days = 25, 494, 1000
    rng = np.random.default_rng(seed)
    stores = pd.DataFrame(
        {
            "store_id": [f"S{i:02d}" for i in range(n_stores)],
            "city": [f"C{i % 5}" for i in range(n_stores)],
            "region": [f"R{i % 3}" for i in range(n_stores)],
            "latitude": 55 + rng.uniform(-3, 3, n_stores),
            "longitude": 37 + rng.uniform(-5, 5, n_stores),
        }
    )
    products = pd.DataFrame(
        {
            "product_id": [f"I{j:04d}" for j in range(n_products)],
            "category": [f"c{j % 6}" for j in range(n_products)],
            "subcategory": [f"s{j % 30}" for j in range(n_products)],
        }
    )
    dates = pd.date_range("2021-01-01", periods=n_days)
    day = np.arange(n_days)
    weekly = 1 + 0.3 * np.sin(2 * np.pi * day / 7)
    # steady, slow, lumpy, launched, discontinued, medium
    kinds = rng.choice(6, n_products, p=[0.06, 0.70, 0.10, 0.06, 0.05, 0.03])
    base_ranges = [(2, 10), (0.005, 0.08), (0.01, 0.05), (0.3, 2), (0.2, 1), (0.05, 0.3)]
    store_size = rng.lognormal(0, 0.5, n_stores)
    frames = []
    for j, kind in enumerate(kinds):
        rate = rng.uniform(*base_ranges[kind]) * store_size[:, None] * weekly[None, :]
        if kind == 3:
            rate = rate * (day[None, :] > rng.integers(200, n_days - 20))
        if kind == 4:
            rate = rate * (day[None, :] < rng.integers(300, n_days - 30))
        units = rng.poisson(rate)
        if kind == 2:
            units = units * rng.integers(1, 20, units.shape)
        store, when = np.nonzero(units)
        frames.append(
            pd.DataFrame(
                {
                    "date": dates[when].strftime("%Y-%m-%d"),
                    "store_id": stores["store_id"].to_numpy()[store],
                    "product_id": products["product_id"][j],
                    "units_sold": units[store, when],
                }
            )
        )
    products.loc[len(products)] = ["ILAUNCH", "c0", "s0"]
    frames.append(
        pd.DataFrame(
            {
                "date": dates[-2:].strftime("%Y-%m-%d"),
                "store_id": "S00",
                "product_id": "ILAUNCH",
                "units_sold": [725, 210],
            }
        )
    )
    sales = pd.concat(frames, ignore_index=True)
    recent = sales[sales["date"] >= dates[-90].strftime("%Y-%m-%d")]
    stock = recent.groupby(["store_id", "product_id"], as_index=False)["units_sold"].sum()
    stock["on_hand_units"] = np.round(stock["units_sold"] / 90 * rng.uniform(0, 30, len(stock)))
    stock["snapshot_date"] = dates[-1].strftime("%Y-%m-%d")
    write_inputs(folder, stores, products, sales, stock, "csv")


def mart_history(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The last HISTORY_DAYS days as marts.fct_sales_daily holds them: every day from a pair's
    first sale filled in (no sale = 0), no stockout or covariate columns given."""
    sales = pd.read_csv(folder / "sales_daily.csv", parse_dates=["date"])
    products = pd.read_csv(folder / "products.csv")
    last = sales["date"].max()
    days = pd.DataFrame(
        {"sales_date": pd.date_range(last - pd.Timedelta(days=HISTORY_DAYS - 1), last)}
    )
    first = sales.groupby(["store_id", "product_id"], as_index=False)["date"].min()
    spine = first.merge(days, how="cross")
    spine = spine[spine["sales_date"] >= spine["date"]].drop(columns="date")
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
