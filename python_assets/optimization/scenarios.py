"""Scenarios of the allocation LP and the cost of lane pruning.

A scenario grid (seeds/scenario_grid.csv) scales demand, the stockout penalty and the holding
cost and switches transfers and central supply on or off; every scenario is solved with the
same model and summarised in one row. `pruning_gap` measures what pruning the candidate lanes
costs against the unpruned optimum. See docs/methodology.md, section "Baselines and scenarios".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace

import pandas as pd

from python_assets.optimization.problem import AllocationPlan, SolverSettings
from python_assets.optimization.solve import solve_allocation

GRID_COLUMNS = (
    "scenario_id",
    "demand_multiplier",
    "stockout_penalty_multiplier",
    "holding_cost_multiplier",
    "allow_transfers",
    "allow_production",
)


def _flag(value) -> bool:
    if isinstance(value, str):
        v = value.strip().lower()
        if v in ("true", "t", "1", "yes", "y"):
            return True
        if v in ("false", "f", "0", "no", "n", ""):
            return False
        raise ValueError(f"not a true/false value: {value!r}")
    return bool(value)


def scenario_inputs(store_products: pd.DataFrame, scenario: pd.Series | dict) -> pd.DataFrame:
    """store_products of one scenario: demand x demand_multiplier, stockout_penalty x
    stockout_penalty_multiplier, holding_cost x holding_cost_multiplier. Safety stock,
    capacities and production capacity stay as given (a demand shock is not foreseen by them)."""
    out = store_products.copy()
    out["demand"] = out["demand"] * float(scenario["demand_multiplier"])
    out["stockout_penalty"] = out["stockout_penalty"] * float(
        scenario["stockout_penalty_multiplier"]
    )
    out["holding_cost"] = out["holding_cost"] * float(scenario["holding_cost_multiplier"])
    return out


def run_scenarios(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame,
    grid: pd.DataFrame,
    settings: SolverSettings = SolverSettings(),
    solved: Mapping[tuple[bool, bool], AllocationPlan] | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Solve every scenario of the grid; one summary row per scenario.

    solved: plans already solved under `settings` on these inputs, keyed by (allow_transfers,
    allow_production): a scenario with every multiplier 1 and those flags is that plan, so it is
    reused instead of solved again (the asset passes the plan and the decentralised baseline);
    a scenario with other multipliers and those flags starts from that plan's optimal bases
    (a warm start: the same optimum, found in fewer simplex iterations).
    progress, if given, receives one line per scenario.

    grid: scenario_id, demand_multiplier, stockout_penalty_multiplier, holding_cost_multiplier,
    allow_transfers, allow_production (+ description, kept). Returns the grid's columns and
    status, n_products, n_optimal, holding, stockout, transport, manufacturing, distribution,
    total_cost, demand_units, stockout_units, fill_rate, units_transferred, units_produced,
    n_transfers, violations, solve_seconds.
    """
    missing = [c for c in GRID_COLUMNS if c not in grid.columns]
    if missing:
        raise ValueError(f"scenario grid needs columns {missing}")
    if grid["scenario_id"].duplicated().any():
        raise ValueError("scenario grid: duplicate scenario_id")
    rows = []
    multipliers = [c for c in GRID_COLUMNS if c.endswith("_multiplier")]
    for k, (_, sc) in enumerate(grid.iterrows(), start=1):
        s = replace(
            settings,
            allow_transfers=_flag(sc["allow_transfers"]),
            allow_production=_flag(sc["allow_production"]),
        )
        t = time.perf_counter()
        flags = (s.allow_transfers, s.allow_production)
        unchanged = all(float(sc[c]) == 1.0 for c in multipliers)
        known = (solved or {}).get(flags)
        if unchanged and known is not None:
            plan, how = known, "reused"
        else:
            warm = known.bases if known is not None else None
            plan = solve_allocation(
                scenario_inputs(store_products, sc), products, lanes, s, warm_start=warm
            )
            how = "solved" if not warm else "solved from the plan's basis"
        total = plan.cost_breakdown[plan.cost_breakdown["level"] == "total"].iloc[0]
        sp = plan.store_products
        row = {c: sc[c] for c in grid.columns}
        row.update(
            {
                "allow_transfers": s.allow_transfers,
                "allow_production": s.allow_production,
                "status": plan.status,
                "n_products": len(plan.product_status),
                "n_optimal": int((plan.product_status["status"] == "optimal").sum()),
                "holding": total["holding"],
                "stockout": total["stockout"],
                "transport": total["transport"],
                "manufacturing": total["manufacturing"],
                "distribution": total["distribution"],
                "total_cost": total["total"],
                "demand_units": float(sp["demand"].sum()),
                "stockout_units": float(sp["stockout_units"].sum()),
                "fill_rate": plan.fill_rate,
                "units_transferred": float(plan.transfers["units"].sum()),
                "units_produced": float(plan.production["manufacture_units"].sum()),
                "n_transfers": len(plan.transfers),
                "violations": len(plan.violations),
                "solve_seconds": time.perf_counter() - t,
            }
        )
        rows.append(row)
        if progress is not None:
            progress(
                f"scenario {k} / {len(grid)} {sc['scenario_id']}: {how}, {plan.status}, "
                f"total cost {row['total_cost']:,.0f}, {row['solve_seconds']:.1f} s"
            )
    return pd.DataFrame(rows)


def pruning_gap(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    pruned_lanes: pd.DataFrame,
    full_lanes: pd.DataFrame,
    settings: SolverSettings = SolverSettings(),
) -> dict[str, float | int | str | bool]:
    """Cost of lane pruning: optimum on the pruned lanes vs on the full (unpruned) lane set.

    gap = (pruned - unpruned) / unpruned (>= 0 when the pruned lanes are a subset of the full
    ones). Returns objective_pruned, objective_unpruned, gap_abs, gap_rel, gap_pct, lanes_pruned,
    lanes_unpruned, pruned_subset, status_pruned, status_unpruned, seconds_pruned,
    seconds_unpruned. A plan that is not optimal gives a NaN gap.
    """
    key = ["from_store", "to_store"]
    subset = bool(
        pruned_lanes[key]
        .merge(full_lanes[key], on=key, how="left", indicator=True)["_merge"]
        .eq("both")
        .all()
    )
    t = time.perf_counter()
    pruned = solve_allocation(store_products, products, pruned_lanes, settings)
    t_p = time.perf_counter() - t
    t = time.perf_counter()
    full = solve_allocation(store_products, products, full_lanes, settings)
    t_f = time.perf_counter() - t
    ok = pruned.status == "optimal" and full.status == "optimal"
    a, b = pruned.objective, full.objective
    gap_abs = a - b if ok else float("nan")
    gap_rel = gap_abs / abs(b) if ok and b != 0 else (0.0 if ok else float("nan"))
    return {
        "objective_pruned": a,
        "objective_unpruned": b,
        "gap_abs": gap_abs,
        "gap_rel": gap_rel,
        "gap_pct": 100.0 * gap_rel,
        "lanes_pruned": len(pruned_lanes),
        "lanes_unpruned": len(full_lanes),
        "pruned_subset": subset,
        "status_pruned": pruned.status,
        "status_unpruned": full.status,
        "seconds_pruned": t_p,
        "seconds_unpruned": t_f,
    }
