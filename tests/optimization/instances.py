"""Small allocation instances shared by the optimization tests (hand-solvable or synthetic)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from python_assets.optimization import AllocationPlan, LaneSettings, SolverSettings, build_network
from python_assets.optimization.synthetic import synthetic_instance

HOLD, PEN, MAN, DIST = 0.7, 2.5, 1.0, 0.2
HIGHS = SolverSettings()
CBC = SolverSettings(solver="cbc")
PULP_HIGHS = SolverSettings(backend="pulp")
ALL_SOLVERS = [HIGHS, PULP_HIGHS, CBC]
SOLVER_IDS = ["highspy", "pulp-highs", "pulp-cbc"]


def sp_frame(rows: list[dict]) -> pd.DataFrame:
    """store x product rows with the seeds' costs unless given."""
    defaults = {
        "product_id": "P1",
        "safety_stock": 0.0,
        "max_capacity": 1000.0,
        "holding_cost": HOLD,
        "stockout_penalty": PEN,
        "distribution_cost": DIST,
        "demand_std": 0.0,
        "lead_time_days": 1.0,
    }
    return pd.DataFrame([{**defaults, **r} for r in rows])


def products_frame(ids=("P1",), manufacturing_cost=MAN, max_production=1000.0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "product_id": list(ids),
            "manufacturing_cost": manufacturing_cost,
            "max_production": max_production,
        }
    )


def lanes_frame(rows: list[tuple]) -> pd.DataFrame:
    """(from, to, cost_per_unit[, capacity_units[, lead_time_days]])"""
    out = []
    for r in rows:
        cap = r[3] if len(r) > 3 else np.inf
        lead = r[4] if len(r) > 4 else 1.0
        out.append(
            {
                "from_store": r[0],
                "to_store": r[1],
                "distance_km": 10.0,
                "cost_per_unit": r[2],
                "lead_time_days": lead,
                "capacity_units": cap,
            }
        )
    return pd.DataFrame(out)


def surplus_short(lane_cost: float, **kw) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Store A holds 10 and needs 2; store B holds 0 and needs 5; one lane A -> B."""
    sp = sp_frame(
        [
            {"store_id": "A", "current_inv": 10.0, "demand": 2.0, **kw.get("a", {})},
            {"store_id": "B", "current_inv": 0.0, "demand": 5.0, **kw.get("b", {})},
        ]
    )
    lane = (("A", "B", lane_cost, *kw.get("lane_extra", ())),)
    return sp, products_frame(**kw.get("products", {})), lanes_frame(list(lane))


def units(plan: AllocationPlan, frm: str = "A", to: str = "B") -> float:
    t = plan.transfers
    return float(t.loc[(t["from_store"] == frm) & (t["to_store"] == to), "units"].sum())


def row(plan: AllocationPlan, store: str, product: str = "P1") -> pd.Series:
    sp = plan.store_products
    return sp[(sp["store_id"] == store) & (sp["product_id"] == product)].iloc[0]


def small_random(seed: int = 5, n_stores: int = 14, n_products: int = 6, n_pairs: int = 50):
    inst = synthetic_instance(n_stores, n_products, n_pairs, n_cities=3, seed=seed)
    _, _, lanes = build_network(
        inst.stores, LaneSettings(n_zones=3, k_nearest=None, max_lead_time_days=None)
    )
    return inst, lanes
