"""The forecast step's own work on a built warehouse, timed part by part: reading its history,
`forecast_demand` (backtest, choice, final forecast; gradient boosting's share apart) and
writing the hand-off tables, with the process's peak memory.

    DUCKDB_PATH=<built warehouse> python -m benchmarks.forecast_stage --name freshretailnet
        -> benchmarks/results/forecast_stage_<name>.json

It reads the warehouse read-only and writes the tables into a temporary folder, so the
warehouse is left as it was.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time

import duckdb

from benchmarks.run import RESULTS, write_warehouse_result
from dagster_defs.assets.forecasting import (
    PRODUCTS_SQL,
    ForecastConfig,
    read_history,
    read_planned_covariates,
)
from python_assets import handoff
from python_assets.forecasting import ForecastSettings, forecast_demand
from python_assets.settings import WarehouseSettings


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True, help="name of the result file")
    args = parser.parse_args(argv)
    settings = WarehouseSettings.from_env()
    seconds = {}
    started = time.perf_counter()
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        history = read_history(con, ForecastConfig().history_days)
        products = con.execute(PRODUCTS_SQL).df()
        planned = read_planned_covariates(con)
    seconds["read"] = time.perf_counter() - started
    started = time.perf_counter()
    result = forecast_demand(history, products, ForecastSettings(), planned, progress=print)
    seconds["forecast"] = time.perf_counter() - started
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        rows = handoff.write_tables(folder, "forecasting", result.tables())
    seconds["write"] = time.perf_counter() - started
    model_seconds = result.diagnostics["model_seconds"]
    figures = {
        "series": int(result.demand_classes.shape[0]),
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
        "gradient_boosting_backtest_seconds": round(model_seconds["gradient_boosting"], 1),
        "final_forecast_seconds": round(model_seconds["final_forecast"], 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "rows": rows,
    }
    out = RESULTS / f"forecast_stage_{args.name}.json"
    written = write_warehouse_result(
        out,
        figures,
        settings.duckdb_path,
        f"DUCKDB_PATH={settings.duckdb_path} python -m benchmarks.forecast_stage --name {args.name}",
    )
    print(f"{figures} -> {out}")
    return written


if __name__ == "__main__":
    main()
