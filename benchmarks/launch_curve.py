"""Launch forecasts, judged on every launch the history shows: at each origin where a launch is
1-13 days past its first sale, its next 7 days' total forecast by the shrunk mean (the model
the class `new` took on the demo and the long-tail network before the launch curve), by the
global model's launch profile, and by the launch curve learned from the launches before the
origin (where it has too few, the shrunk mean), against the demand-observed sales that followed
(censored days count as 0).

    python -m benchmarks.launch_curve [--output results/launch_curve.json]

Networks: the demo's `mixed` and `intermittent` profiles (default size, full history; launches
with a first-day spike that fades), and the long-tail network of `benchmarks.held_out_week`
(launches without a spike; sparse rows). A launch is what the forecast step takes for one
(launches.visible_launches on the 120 days it reads). On the long-tail network the data begin on
day 0 and only sales have rows, so at early origins a slow mover's first sale in the data looks
like a launch to any rule; its figures are given from every origin and from day 500 of 1,000.
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
from python_assets.forecasting.launches import LISTED_DAYS, curve_forecast, launch_curve
from python_assets.forecasting.panel import build_panel
from python_assets.forecasting.robust import first_sale_day, launch_forecast
from python_assets.forecasting.statistical import shrunk_mean_forecast
from python_assets.inputs.demo.generator import generate_demo_data
from python_assets.inputs.demo.parameters import DEMO_SIZES

RESULTS = Path(__file__).resolve().parent / "results" / "launch_curve.json"
HORIZON = 7
MAX_AGE = 13  # the global model's launch_days - 1
HISTORY_DAYS = 120  # what the forecast step reads
MIN_LAUNCHES = 10


def spined(sales: pd.DataFrame) -> pd.DataFrame:
    """Every day from a pair's first row to the last day, no row = no sale, with the stockout
    hours where the input has them (as the mart)."""
    sales = sales.rename(columns={"date": "sales_date"})
    sales["sales_date"] = pd.to_datetime(sales["sales_date"])
    key = ["store_id", "product_id"]
    first = (
        sales.groupby(key, as_index=False)["sales_date"]
        .min()
        .rename(columns={"sales_date": "first_row"})
    )
    days = pd.DataFrame(
        {"sales_date": pd.date_range(sales["sales_date"].min(), sales["sales_date"].max())}
    )
    spine = first.merge(days, how="cross")
    spine = spine[spine["sales_date"] >= spine["first_row"]].drop(columns="first_row")
    columns = [c for c in ("units_sold", "stockout_hours", "stockout_hours_6_22") if c in sales]
    rows = sales[[*key, "sales_date", *columns]]
    return spine.merge(rows, on=[*key, "sales_date"], how="left").fillna({"units_sold": 0.0})


def launch_cases(history: pd.DataFrame, first_origin: int) -> pd.DataFrame:
    """One row per (origin, launch 1..MAX_AGE days old): actual 7-day total and the three
    forecasts."""
    panel = build_panel(history)
    demand = panel.masked_sales
    fallback = np.where(panel.observed, panel.latent_demand, np.nan)
    first = first_sale_day(panel.units_sold)
    first_row = np.argmax(panel.observed, axis=1)
    rows = []
    for origin in range(first_origin, panel.n_days - HORIZON):
        # launches.visible_launches on the HISTORY_DAYS days the forecast step would read
        start = max(0, origin - HISTORY_DAYS + 1)
        launched = (
            (first > start)
            & (first < panel.n_days)
            & (np.maximum(first_row, start) >= first - LISTED_DAYS)
        )
        age = origin - first + 1
        young = np.flatnonzero(launched & (age >= 1) & (age <= MAX_AGE))
        if not len(young):
            continue
        target = demand[young, origin + 1 : origin + 1 + HORIZON]
        curve = launch_curve(demand, first, launched, origin, HORIZON, MAX_AGE, MIN_LAUNCHES)
        by_curve = curve_forecast(demand, first, young, origin, curve)
        shrunk = shrunk_mean_forecast(demand, fallback, panel.product_id, origin, HORIZON)[young]
        profile = launch_forecast(demand[young], first[young], origin, HORIZON, 0.5)
        has_curve = np.isfinite(by_curve).all(axis=1)
        rows.append(
            pd.DataFrame(
                {
                    "origin": origin,
                    "age": age[young],
                    "actual": np.nansum(target, axis=1),
                    "shrunk_mean": shrunk.sum(axis=1),
                    "launch_profile": profile.sum(axis=1),
                    "launch_curve": np.where(
                        has_curve, np.nansum(by_curve, axis=1), shrunk.sum(axis=1)
                    ),
                    "has_curve": has_curve,
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def scores(cases: pd.DataFrame) -> dict[str, object]:
    actual = cases["actual"].sum()
    out: dict[str, object] = {"cases": len(cases), "actual_units": round(float(actual), 1)}
    out["with_a_curve"] = round(float(cases["has_curve"].mean()), 4)
    for model in ("shrunk_mean", "launch_profile", "launch_curve"):
        out[model] = {
            "wape_total": round(float((cases[model] - cases["actual"]).abs().sum() / actual), 4),
            "wpe_total": round(float((cases[model].sum() - actual) / actual), 4),
        }
    return out


def network_scores(history: pd.DataFrame, first_origins: dict[str, int]) -> dict[str, object]:
    out = {}
    for label, first_origin in first_origins.items():
        cases = launch_cases(history, first_origin)
        out[label] = {
            "all ages": scores(cases),
            **{
                f"ages {low}-{high}": scores(cases[(cases["age"] >= low) & (cases["age"] <= high)])
                for low, high in ((1, 3), (4, 7), (8, 13))
            },
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for profile in ("mixed", "intermittent"):
            folder = Path(scratch) / profile
            generate_demo_data(folder, DEMO_SIZES["default"], profile=profile)
            sales = pd.read_parquet(folder / "sales_daily.parquet")
            results[f"demo_{profile}"] = network_scores(spined(sales), {"from day 60": 60})
            print(profile, json.dumps(results[f"demo_{profile}"], indent=1), flush=True)
        folder = Path(scratch) / "long_tail"
        write_long_tail_inputs(folder)
        sales = pd.read_csv(folder / "sales_daily.csv")
        results["long_tail"] = network_scores(
            spined(sales), {"from day 60": 60, "from day 500": 500}
        )
        print("long_tail", json.dumps(results["long_tail"], indent=1))
    report = {
        "command": "python -m benchmarks.launch_curve",
        "networks": results,
        "machine": f"{platform.platform()}, Python {platform.python_version()}",
        "measured_at": time.strftime("%Y-%m-%d %H:%M"),
    }
    args.output.write_text(json.dumps(report, indent=1) + "\n")
    print(f"-> {args.output}")


if __name__ == "__main__":
    main()
