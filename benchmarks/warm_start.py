"""Scenario LPs solved cold and from the plan's optimal bases (docs/methodology.md, "Warm
starts"), on a built warehouse's LP inputs, in this process (no workers).

    make run DATASET=freshretailnet
    .venv/bin/python -m benchmarks.warm_start --dataset freshretailnet [--products 200]

Solves marts.allocation_inputs_* (read-only) as the plan, then each demand scenario (demand x
--multipliers) twice: from scratch and starting from the plan's bases. Writes
benchmarks/results/warm_start_<dataset>.json: per scenario, HiGHS's solve seconds and simplex
iterations both ways, and the largest difference of the objective per block.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np

from benchmarks.run import RESULTS, write_warehouse_result
from benchmarks.whole_units import read_lp_inputs
from python_assets.optimization.model import build_problem
from python_assets.optimization.solve import Solution, solve_problem
from python_assets.settings import WarehouseSettings


def _figures(solution: Solution) -> dict[str, float]:
    return {
        "solve_seconds": round(solution.timings["solve"], 2),
        "simplex_iterations": int(solution.timings["simplex_iterations"]),
    }


def _objectives(solution: Solution) -> np.ndarray:
    return np.array([objective for _, _, objective in sorted(solution.block_objectives)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="name of the result file")
    parser.add_argument("--products", type=int, default=None, help="the first N products only")
    parser.add_argument("--multipliers", type=float, nargs="+", default=[0.8, 1.2])
    args = parser.parse_args()
    settings = WarehouseSettings.from_env()
    sp, products, lanes, solver = read_lp_inputs(settings)
    if args.products is not None:
        keep = sorted(products["product_id"])[: args.products]
        products = products[products["product_id"].isin(keep)]
        sp = sp[sp["product_id"].isin(keep)]
    starts = replace(solver, keep_bases=True)
    plan = solve_problem(build_problem(sp, products, lanes, solver), starts)
    scenarios = []
    for multiplier in args.multipliers:
        shocked = build_problem(
            sp.assign(demand=sp["demand"] * multiplier), products, lanes, solver
        )
        cold = solve_problem(shocked, solver)
        warm = solve_problem(shocked, solver, warm_start=plan.bases)
        scale = np.maximum(1.0, np.abs(_objectives(cold)))
        scenarios.append(
            {
                "demand_multiplier": multiplier,
                "cold": _figures(cold),
                "warm": _figures(warm),
                "max_relative_objective_difference": float(
                    np.max(np.abs(_objectives(warm) - _objectives(cold)) / scale)
                ),
            }
        )
        print(scenarios[-1], flush=True)
    command = f"python -m benchmarks.warm_start --dataset {args.dataset}" + (
        f" --products {args.products}" if args.products is not None else ""
    )
    write_warehouse_result(
        RESULTS / f"warm_start_{args.dataset}.json",
        {
            "products": int(products["product_id"].nunique()),
            "store_products": len(sp),
            "plan": _figures(plan),
            "scenarios": scenarios,
        },
        settings.duckdb_path,
        command,
    )


if __name__ == "__main__":
    main()
