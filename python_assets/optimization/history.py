"""The rows a run adds to the plan's history tables: its store x product plan and the total cost
of the plan and of each baseline, keyed by run and origin (README, "Weekly runs: history and
monitoring")."""

from __future__ import annotations

import pandas as pd

from python_assets.optimization.plan import plan_totals
from python_assets.optimization.problem import COST_COLUMNS
from python_assets.run_history import stamp_run

PLAN_COLUMNS = (
    "store_id",
    "product_id",
    "current_inv",
    "demand",
    "allocate_units",
    "transfer_in",
    "transfer_out",
    "ending_inv",
    "stockout_units",
    "fill_rate",
)


def plan_history_rows(
    store_product_plan: pd.DataFrame,
    run_id: str,
    origin_date: pd.Timestamp,
    recorded_at: pd.Timestamp,
) -> pd.DataFrame:
    """optimization.store_product_plan's allocation, transfers and outcome per store x product,
    stamped with the run."""
    missing = [c for c in PLAN_COLUMNS if c not in store_product_plan.columns]
    if missing:
        raise ValueError(f"optimization.store_product_plan: missing columns {missing}")
    return stamp_run(store_product_plan[list(PLAN_COLUMNS)], run_id, origin_date, recorded_at)


def plan_cost_history_rows(
    cost_breakdown: pd.DataFrame,
    run_id: str,
    origin_date: pd.Timestamp,
    recorded_at: pd.Timestamp,
) -> pd.DataFrame:
    """The 'total' rows of optimization.cost_breakdown, one per plan_name (the optimised plan and
    each baseline) summed over the plan's product partitions, every cost component, stamped
    with the run."""
    columns = ["plan_name", "plan_status", *COST_COLUMNS]
    missing = [c for c in ["level", *columns] if c not in cost_breakdown.columns]
    if missing:
        raise ValueError(f"optimization.cost_breakdown: missing columns {missing}")
    return stamp_run(plan_totals(cost_breakdown)[columns], run_id, origin_date, recorded_at)
