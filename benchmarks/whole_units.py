"""The plan in whole packs against its LP relaxation, on a built warehouse's LP inputs.

    make run [DATASET=freshretailnet | DEMO_PROFILE=smooth|intermittent]
    .venv/bin/python -m benchmarks.whole_units --dataset demo[_smooth|_intermittent]

Solves marts.allocation_inputs_* (read-only) as the fractional LP and as the MILP in whole packs
(products.pack_size; 1 without one; 60 s per MILP call, as the asset), whatever the run itself
chose, and writes
benchmarks/results/whole_units_<dataset>.json: each solve's time and cost, the gap, the share of
products whose MILP cost more, and the plan's transfers (count, units).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import duckdb
import pandas as pd

from benchmarks.run import RESULTS, write_warehouse_result
from dagster_defs.assets.optimization import read_allocation_inputs
from python_assets.optimization import SolverSettings, solve_allocation
from python_assets.optimization.problem import AllocationPlan
from python_assets.settings import WarehouseSettings


def _summary(plan: AllocationPlan, seconds: float) -> dict[str, object]:
    return {
        "status": plan.status,
        "product_statuses": plan.product_status["status"].value_counts().to_dict(),
        "seconds": round(seconds, 2),
        "cost": plan.objective,
        "fill_rate": plan.fill_rate,
        "transfers": len(plan.transfers),
        "units_transferred": float(plan.transfers["units"].sum()),
        "violations": plan.violations[:5],
    }


def read_lp_inputs(
    settings: WarehouseSettings,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, SolverSettings]:
    """marts.allocation_inputs_* of the built warehouse (read-only), and the LP's settings with
    the run's service limit."""
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        sp, products, lanes = read_allocation_inputs(con)
        limit = con.execute(
            "select value from intermediate.int_settings_resolved "
            "where setting = 'max_lane_lead_time_days'"
        ).fetchone()[0]
    return sp, products, lanes, SolverSettings(max_lead_time_days=float(limit) if limit else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="name of the result file")
    parser.add_argument("--min-transfer", type=float, default=0.0, help="min_transfer_units")
    parser.add_argument(
        "--time-limit", type=float, default=60.0, help="seconds per MILP call (the asset's default)"
    )
    args = parser.parse_args()
    settings = WarehouseSettings.from_env()
    sp, products, lanes, lp_settings = read_lp_inputs(settings)
    solved = {}
    for name, solver in (
        ("lp", lp_settings),
        (
            "milp",
            replace(
                lp_settings,
                integer=True,
                min_transfer_units=args.min_transfer,
                time_limit_s=args.time_limit,
            ),
        ),
    ):
        started = time.perf_counter()
        plan = solve_allocation(sp, products, lanes, solver)
        solved[name] = (plan, time.perf_counter() - started)
    lp, milp = solved["lp"][0], solved["milp"][0]
    per = milp.product_status.set_index("product_id")["objective"]
    relaxed = lp.product_status.set_index("product_id")["objective"].reindex(per.index)
    figures = {
        "dataset": args.dataset,
        "store_products": len(sp),
        "products": len(products),
        "pack_sizes": products["pack_size"].describe().round(2).to_dict(),
        "min_transfer_units": args.min_transfer,
        "lp": _summary(*solved["lp"]),
        "milp": _summary(*solved["milp"]),
        "gap": milp.objective - lp.objective,
        "gap_share": (milp.objective - lp.objective) / lp.objective,
        "products_costing_more": float(((per - relaxed) > 1e-6).mean()),
    }
    out = RESULTS / f"whole_units_{args.dataset}.json"
    write_warehouse_result(
        out,
        figures,
        settings.duckdb_path,
        f"python -m benchmarks.whole_units --dataset {args.dataset}",
    )
    print(f"wrote {out}: gap {figures['gap_share']:.3%}")


if __name__ == "__main__":
    main()
