"""`make run DATASET=files` on networks the project was not built on, each with the week after its
history held out, and the chosen forecast scored on that week against the 7-day and 28-day means.

- `closures`: 10 stores x 300 products x 730 days, weekly and yearly seasonality, a trend per
  series, promotions with discounts; integer store ids and zero-padded numeric product ids; one
  store opens after 500 days, one closes for good 40 days before the end; Christmas has no
  sales rows anywhere (the stores were closed); sales and stock as Parquet. `closures_planned`:
  the same, with the held-out week's promotions and discounts given as `planned_covariates`.
- `weighed`: 4 stores x 80 products x 400 days sold by weight (fractional units), every store
  closed on Sundays, stockout hours on half of the rows only, day.month.year dates in CSV.
- `long_tail`: 25 stores x 495 products x 1,000 days, most store x product days without a sale
  (sparse rows), slow movers, lumpy items, launches, discontinued items and one launch of 725
  units two days before the end (also `benchmarks.forecast_long_tail`'s network).

The plan of each run is then played day by day against the held-out days' sales, as the policy
replay plays it, beside doing nothing and the fill rates the warehouse reports.

    python -m benchmarks.held_out_week [--networks NAME ...] [--keep DIR] [--horizon H]
        [--output results/held_out_week.json]

--keep leaves each network's input files, held-out week and warehouse under DIR. --horizon H
holds out H days instead of 7 and runs with planning_horizon_days = H (written to
results/held_out_week_hH.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time
from functools import partial
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from python_assets.forecasting.metrics import accuracy_metrics, total_metrics
from python_assets.optimization.replay.simulate import simulate_days

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
HOLD = 7


def write_inputs(
    folder: Path,
    stores: pd.DataFrame,
    products: pd.DataFrame,
    sales: pd.DataFrame,
    stock: pd.DataFrame,
    sales_format: str,
) -> None:
    """stores and products as CSV; sales_daily and inventory_snapshot as `sales_format`."""
    folder.mkdir(parents=True, exist_ok=True)
    stores.to_csv(folder / "stores.csv", index=False)
    products.to_csv(folder / "products.csv", index=False)
    inventory = stock[["store_id", "product_id", "on_hand_units", "snapshot_date"]]
    for name, frame in (("sales_daily", sales), ("inventory_snapshot", inventory)):
        path = folder / f"{name}.{sales_format}"
        if sales_format == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)


def write_closures(
    folder: Path, seed: int = 11, planned: bool = False, hold: int = HOLD
) -> pd.DataFrame:
    """The `closures` network's input files; returns the sales of the `hold` held-out days.
    planned: their promotions and discounts given as planned_covariates (known ahead)."""
    n_stores, n_products, n_days = 10, 300, 730
    rng = np.random.default_rng(seed)
    stores = pd.DataFrame(
        {
            "store_id": np.arange(1, n_stores + 1),
            "city": [f"C{i % 4}" for i in range(n_stores)],
            "region": [f"R{i % 2}" for i in range(n_stores)],
            "latitude": 40 + rng.uniform(-3, 3, n_stores),
            "longitude": -90 + rng.uniform(-5, 5, n_stores),
        }
    )
    products = pd.DataFrame(
        {
            "product_id": [f"{j:05d}" for j in range(n_products)],
            "category": [["FOODS", "HOBBIES", "HOUSEHOLD"][j % 3] for j in range(n_products)],
            "subcategory": [f"sub{j % 9}" for j in range(n_products)],
            "unit_price": rng.uniform(1, 20, n_products).round(2),
        }
    )
    dates = pd.date_range("2023-01-01", periods=n_days + hold)
    day = np.arange(len(dates))
    weekday = np.array([1.0, 0.85, 0.8, 0.85, 0.95, 1.35, 1.45])[dates.day_of_week]
    yearly = 1 + 0.15 * np.sin(2 * np.pi * day / 365.25)
    christmas = (dates.month == 12) & (dates.day == 25)
    frames = []
    for store in stores["store_id"]:
        size = rng.uniform(0.6, 1.6)
        opens = 500 if store == n_stores else 0
        closes = n_days - 40 if store == n_stores - 1 else len(dates)
        for product in products["product_id"]:
            base = rng.lognormal(-0.5, 1.3) * size
            trend = np.clip(1 + rng.normal(0, 0.3) * day / n_days, 0.2, None)
            promo = rng.random(len(dates)) < 0.05
            discount = np.where(promo, rng.choice([0.7, 0.8, 0.9]), 1.0)
            units = rng.poisson(base * weekday * yearly * trend * np.where(promo, 1.8, 1.0))
            keep = (day >= opens) & (day < closes) & ~christmas
            frames.append(
                pd.DataFrame(
                    {
                        "date": dates[keep],
                        "store_id": store,
                        "product_id": product,
                        "units_sold": units[keep].astype(float),
                        "discount": discount[keep],
                        "promo_flag": promo[keep].astype(int),
                    }
                )
            )
    sales = pd.concat(frames, ignore_index=True)
    last = dates[n_days - 1]
    history = sales[sales["date"] <= last]
    recent = history[history["date"] > last - pd.Timedelta(days=56)]
    stock = recent.groupby(["store_id", "product_id"], as_index=False)["units_sold"].mean()
    stock["on_hand_units"] = (stock["units_sold"] * rng.uniform(0, 25, len(stock))).round()
    stock["snapshot_date"] = last
    write_inputs(folder, stores, products, history, stock, "parquet")
    held_out = sales[sales["date"] > last]
    if planned:
        held_out[["date", "store_id", "product_id", "discount", "promo_flag"]].to_parquet(
            folder / "planned_covariates.parquet", index=False
        )
    return held_out


def write_weighed(folder: Path, seed: int = 5, hold: int = HOLD) -> pd.DataFrame:
    """The `weighed` network's input files; returns the sales of the `hold` held-out days."""
    n_days = 400
    rng = np.random.default_rng(seed)
    stores = pd.DataFrame(
        {
            "store_id": [f"shop-{c}" for c in "ABCD"],
            "city": ["Bonn", "Koeln", "Koeln", "Essen"],
            "region": ["NRW"] * 4,
            "latitude": [50.73, 50.94, 50.93, 51.45],
            "longitude": [7.10, 6.96, 6.90, 7.01],
            "storage_capacity_units": [5000, None, 8000, None],
        }
    )
    n_products = 80
    products = pd.DataFrame(
        {
            "product_id": [f"veg/{j}" for j in range(n_products)],
            "category": ["produce"] * n_products,
            "subcategory": [f"s{j % 5}" for j in range(n_products)],
            "unit_cost": [
                round(rng.uniform(0.5, 4), 2) if j % 3 else None for j in range(n_products)
            ],
        }
    )
    dates = pd.date_range("2024-03-01", periods=n_days + hold)
    weekday = np.array([0.9, 0.9, 0.95, 1.0, 1.2, 1.5, 0.0])[dates.day_of_week]
    frames = []
    for store in stores["store_id"]:
        for product in products["product_id"]:
            kg = rng.gamma(2, 3)
            sold = rng.gamma(4, kg / 4, len(dates)) * weekday * (rng.random(len(dates)) < 0.8)
            hours = np.where(rng.random(len(dates)) < 0.05, rng.uniform(1, 10, len(dates)), 0.0)
            frame = pd.DataFrame(
                {
                    "date": dates,
                    "store_id": store,
                    "product_id": product,
                    "units_sold": np.round(sold * (1 - hours.round(1) / 24), 3),
                    "stockout_hours": hours.round(1),
                }
            )
            frame.loc[frame.index % 2 == 1, "stockout_hours"] = np.nan  # known on half the rows
            frames.append(frame[dates.day_of_week != 6])  # no rows on Sundays
    sales = pd.concat(frames, ignore_index=True)
    last = dates[n_days - 1]
    history = sales[sales["date"] <= last].copy()
    recent = history[history["date"] > last - pd.Timedelta(days=14)]
    stock = recent.groupby(["store_id", "product_id"], as_index=False)["units_sold"].mean()
    stock["on_hand_units"] = (stock["units_sold"] * rng.uniform(0, 12, len(stock))).round(1)
    stock["snapshot_date"] = last.strftime("%d.%m.%Y")
    history["date"] = history["date"].dt.strftime("%d.%m.%Y")
    write_inputs(folder, stores, products, history, stock, "csv")
    return sales[sales["date"] > last]


def write_long_tail_inputs(folder: Path, seed: int = 11, hold: int = 0) -> pd.DataFrame:
    """The `long_tail` network: stores, products, sales_daily (sparse: days without a sale left
    out) and inventory_snapshot as CSV, required columns only; returns the sales of the `hold`
    days after the history (the history and its draws do not depend on `hold`)."""
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
    held_rng = np.random.default_rng([seed, hold])  # the held-out days' own draws
    dates = pd.date_range("2021-01-01", periods=n_days + hold)
    day = np.arange(n_days + hold)
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
        units = np.hstack([rng.poisson(rate[:, :n_days]), held_rng.poisson(rate[:, n_days:])])
        if kind == 2:
            units = units * np.hstack(
                [
                    rng.integers(1, 20, (n_stores, n_days)),
                    held_rng.integers(1, 20, (n_stores, hold)),
                ]
            )
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
                "date": dates[n_days - 2 :].strftime("%Y-%m-%d"),
                "store_id": "S00",
                "product_id": "ILAUNCH",
                "units_sold": [725, 210, *held_rng.poisson(80, hold)],
            }
        )
    )
    sales = pd.concat(frames, ignore_index=True)
    last = dates[n_days - 1].strftime("%Y-%m-%d")
    history = sales[sales["date"] <= last]
    recent = history[history["date"] >= dates[n_days - 90].strftime("%Y-%m-%d")]
    stock = recent.groupby(["store_id", "product_id"], as_index=False)["units_sold"].sum()
    stock["on_hand_units"] = np.round(stock["units_sold"] / 90 * rng.uniform(0, 30, len(stock)))
    stock["snapshot_date"] = last
    write_inputs(folder, stores, products, history, stock, "csv")
    return sales[sales["date"] > last]


NETWORKS = {
    "closures": (write_closures, {}),
    "closures_planned": (partial(write_closures, planned=True), {}),
    "weighed": (write_weighed, {"INPUT_DATE_FORMAT": "%d.%m.%Y"}),
    "long_tail": (write_long_tail_inputs, {}),
}


def make_run(inputs: Path, warehouse: Path, extra_env: dict[str, str]) -> float:
    """`make run DATASET=files` on the folder into a new warehouse (its output in
    make_run.log beside the warehouse); wall seconds."""
    warehouse.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        **extra_env,
        "DUCKDB_PATH": str(warehouse / "warehouse.duckdb"),
        "DAGSTER_HOME": str(warehouse / "dagster_home"),
    }
    started = time.perf_counter()
    with (warehouse / "make_run.log").open("w") as log:
        subprocess.run(
            ["make", "run", "DATASET=files", f"INPUT_DIR={inputs}"],
            cwd=REPO,
            env=env,
            check=True,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return time.perf_counter() - started


def plan_on_held_out(
    con: duckdb.DuckDBPyConnection, held_out: pd.DataFrame, last: pd.Timestamp, horizon: int
) -> dict[str, object]:
    """The plan played day by day against the held-out days' sales (simulate_days, as the policy
    replay plays it): its fill rate, that of doing nothing, and the fill rates the warehouse
    reports (against its own forecast, expected, and realised in the replay). Sales of a store x
    product the plan has no row for count as lost."""
    stock = con.execute(
        "select plan.store_id, plan.product_id, plan.current_inventory_units as start_units, "
        "plan.allocated_units as allocate_units, inputs.lead_time_days "
        "from marts.fct_replenishment_plan as plan "
        "left join marts.allocation_inputs_store_product as inputs using (store_id, product_id)"
    ).df()
    transfers = con.execute(
        "select from_store_id as from_store, to_store_id as to_store, product_id, units, "
        "lead_time_days from marts.fct_transfer_plan where units > 0"
    ).df()
    reported = con.execute(
        "select fill_rate, fill_rate_doing_nothing, expected_fill_rate, replay_fill_rate "
        "from marts.allocation_service_level where service_level_grain = 'overall'"
    ).df()
    demand = held_out.astype({"store_id": str, "product_id": str}).assign(
        day=(pd.to_datetime(held_out["date"]) - last).dt.days,
        demand_units=held_out["units_sold"].astype(float),
        is_censored=False,
    )
    planned = pd.MultiIndex.from_frame(stock[["store_id", "product_id"]])
    in_plan = pd.MultiIndex.from_frame(demand[["store_id", "product_id"]]).isin(planned)
    total = demand["demand_units"].sum()
    allocations = stock[stock["allocate_units"] > 0]
    nothing = transfers.iloc[:0]

    def fill(moves: pd.DataFrame, allocated: pd.DataFrame) -> float:
        outcome = simulate_days(stock, demand[in_plan], moves, allocated, horizon)
        return round(float(outcome["served_units"].sum() / total), 4)

    return {
        "units_without_plan_row": round(float(demand.loc[~in_plan, "demand_units"].sum()), 1),
        "fill_rate_held_out": fill(transfers, allocations),
        "fill_rate_held_out_doing_nothing": fill(nothing, allocations.iloc[:0]),
        **{
            f"reported_{name}": round(float(value), 4)
            for name, value in reported.iloc[0].items()
            if pd.notna(value)
        },
    }


def score(warehouse: Path, held_out: pd.DataFrame, horizon: int) -> dict[str, object]:
    """The chosen forecast and the 7-day / 28-day means on the held-out week: WAPE of days and
    of 7-day totals per series, WPE (also without the launches of the class `new`), and the 80%
    interval's coverage of days; and the plan on that week (plan_on_held_out)."""
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        forecast = con.execute("select * from marts.fct_demand_forecast").df()
        recent = con.execute(
            "select store_id, product_id, sales_date, units_sold from marts.fct_sales_daily "
            "where sales_date > (select max(sales_date) from marts.fct_sales_daily) - 28"
        ).df()
        closed = con.execute(
            "select count(distinct (store_id, sales_date)) from marts.fct_sales_daily "
            "where is_store_closed"
        ).fetchone()[0]
        models = dict(
            con.execute(
                "select segment_value, model_name from marts.forecast_accuracy "
                "where backtest_window = 0 and segment_type = 'demand_class' and is_chosen "
                "and model_name <> 'chosen_per_class'"
            ).fetchall()
        )
        last = pd.Timestamp(
            con.execute("select max(sales_date) from marts.fct_sales_daily").fetchone()[0]
        )
        plan = plan_on_held_out(con, held_out, last, horizon)
        launches = con.execute(
            "select store_id, product_id from marts.demand_classes where demand_class = 'new'"
        ).df()
    key = ["store_id", "product_id", "forecast_date"]
    actual = held_out.rename(columns={"date": "forecast_date"}).astype(
        {"store_id": str, "product_id": str}
    )
    actual["forecast_date"] = pd.to_datetime(actual["forecast_date"])
    forecast["forecast_date"] = pd.to_datetime(forecast["forecast_date"])
    rows = forecast.merge(actual[[*key, "units_sold"]], on=key, how="left")
    rows["units_sold"] = rows["units_sold"].fillna(0.0)  # no row: nothing sold (or closed)
    series = ["store_id", "product_id"]
    for days in (7, 28):
        window = recent[pd.to_datetime(recent["sales_date"]) > last - pd.Timedelta(days=days)]
        mean = window.groupby(series)["units_sold"].sum() / days
        rows = rows.join(mean.rename(f"mean_{days}"), on=series)
    key_of_series = rows["store_id"] + "|" + rows["product_id"]
    launched = key_of_series.isin(launches["store_id"] + "|" + launches["product_id"])

    def scores(predicted: pd.Series, keep: pd.Series | None = None) -> dict[str, float]:
        keep = pd.Series(True, index=rows.index) if keep is None else keep
        y = rows.loc[keep, "units_sold"].to_numpy()
        predicted = predicted[keep].fillna(0.0).to_numpy()
        days = accuracy_metrics(y, predicted)
        totals = total_metrics(y, predicted, key_of_series[keep].to_numpy())
        return {
            "wape_days": round(days["wape"], 4),
            "wape_totals": round(totals["score_total_wape"], 4),
            "wpe": round(days["wpe"], 4),
        }

    y = rows["units_sold"].to_numpy()
    bounds = {0.8: (rows["lower_80"].to_numpy(), rows["upper_80"].to_numpy())}
    return {
        "series": int(rows[series].drop_duplicates().shape[0]),
        "held_out_units": round(float(y.sum()), 1),
        "store_days_closed": int(closed),
        "model_per_class": models,
        "forecast": scores(rows["forecast_units"]),
        "mean_7": scores(rows["mean_7"]),
        "mean_28": scores(rows["mean_28"]),
        # a launch's week is a guess on any network: the same scores without the class `new`
        "without_launches": {
            "launch_series": int(launched.groupby(key_of_series).any().sum()),
            "launch_units": round(float(rows.loc[launched, "units_sold"].sum()), 1),
            **{
                name: scores(rows[column], ~launched)
                for name, column in (
                    ("forecast", "forecast_units"),
                    ("mean_7", "mean_7"),
                    ("mean_28", "mean_28"),
                )
            },
        },
        "coverage_80_days": round(
            accuracy_metrics(y, rows["forecast_units"].to_numpy(), bounds=bounds)["coverage_80"], 4
        ),
        "plan": plan,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="+", default=list(NETWORKS), choices=list(NETWORKS))
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument(
        "--horizon",
        type=int,
        default=HOLD,
        help="days held out and forecast (the setting planning_horizon_days)",
    )
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    suffix = "" if args.horizon == HOLD else f"_h{args.horizon}"
    output = args.output or RESULTS / f"held_out_week{suffix}.json"
    root = args.keep or Path(tempfile.mkdtemp(prefix="held_out_week_"))
    out: dict[str, object] = {
        "command": "python -m benchmarks.held_out_week"
        + (f" --horizon {args.horizon}" if suffix else ""),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "networks": {},
    }
    horizon_env = {}
    if suffix:
        horizon_env["SETTING_OVERRIDES"] = json.dumps({"planning_horizon_days": args.horizon})
    for name in args.networks:
        write, extra_env = NETWORKS[name]
        held_out = write(root / name / "inputs", hold=args.horizon)
        seconds = make_run(
            root / name / "inputs", root / name / "warehouse", {**extra_env, **horizon_env}
        )
        result = {
            "make_run_seconds": round(seconds),
            **score(root / name / "warehouse", held_out, args.horizon),
        }
        out["networks"][name] = result
        print(name, json.dumps(result, indent=1))
    output.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
