"""Verification of allocation plans before they are returned or written.

Everything here recomputes from the inputs and the plan's own tables; nothing trusts the
solver. `verify_plan` checks what the plan reports (every product once, rows only for solved
products), every constraint family (constraint_checks.py) and the costs (the cost model of
pricing.py applied again). See docs/methodology.md, section Allocation LP.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from python_assets.optimization.constraint_checks import (
    KEY,
    StoreRows,
    check_allocation_balance,
    check_inventory_balance,
    check_lane_capacity,
    check_lanes,
    check_non_negativity,
    check_production_capacity,
    check_service_limit,
    check_stated_flows,
    check_storage_capacity,
    check_transfer_prices,
    check_transfer_sizes,
    check_transferable_stock,
    check_whole_units,
    production_rows,
    row_positions,
    tolerance_scale,
    transfer_flows,
    transfer_lanes,
)
from python_assets.optimization.pricing import breakdown_from_tables
from python_assets.optimization.problem import (
    COST_COLUMNS,
    PRODUCT_STATUSES,
    SOLVED,
    AllocationPlan,
    normalise_inputs,
)

# ---------------------------------------------------------------------------------------------
# What the plan reports: every product once, rows only for the solved ones
# ---------------------------------------------------------------------------------------------


def check_products_reported(sp: pd.DataFrame, plan: AllocationPlan) -> tuple[set, list[str]]:
    """(products solved or priced, violations of the product_status table)."""
    out = []
    ps = plan.product_status
    if ps["product_id"].duplicated().any():
        out.append("product_status: a product is reported more than once")
    missing = set(sp["product_id"].unique()) - set(ps["product_id"])
    if missing:
        out.append(f"product_status: products not reported: {sorted(missing)[:5]}")
    bad_status = ~ps["status"].isin((*PRODUCT_STATUSES, "baseline"))
    if bad_status.any():
        out.append(f"product_status: unknown status {ps.loc[bad_status, 'status'].iloc[0]!r}")
    solved = set(ps.loc[ps["status"].isin((*SOLVED, "baseline")), "product_id"])
    if plan.status == "optimal" and len(solved) != sp["product_id"].nunique():
        out.append("plan status is 'optimal' but not every product is optimal")
    return solved, out


def align_store_rows(
    sp: pd.DataFrame, plan: AllocationPlan, solved: set
) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """(plan rows, their input row positions (-1 = unknown), violations): the plan has exactly
    the solved products' store x product pairs."""
    out = []
    rows = plan.store_products.reset_index(drop=True)
    if rows.duplicated(KEY).any():
        out.append("store_products: duplicate store x product rows")
    not_solved_rows = ~rows["product_id"].isin(solved)
    if not_solved_rows.any():
        out.append(
            f"store_products: rows for product {rows.loc[not_solved_rows, 'product_id'].iloc[0]!r}"
            " which is not optimal"
        )
    pos = row_positions(sp[KEY], rows[KEY])
    if (pos < 0).any():
        r = rows.loc[pos < 0].iloc[0]
        out.append(
            f"store {r['store_id']!r} x product {r['product_id']!r} is unknown to the inputs, "
            "in the plan's rows"
        )
    expected = np.flatnonzero(sp["product_id"].isin(solved).to_numpy())
    absent = np.setdiff1d(expected, pos[pos >= 0])
    if len(absent):
        r = sp.iloc[absent[0]]
        out.append(
            f"store {r['store_id']!r} x product {r['product_id']!r} is missing from the plan's rows"
        )
    return rows, pos, out


# ---------------------------------------------------------------------------------------------
# Costs: recomputed from the plan's rows at the inputs' prices
# ---------------------------------------------------------------------------------------------


def check_costs(
    plan: AllocationPlan,
    s: StoreRows,
    pm: pd.DataFrame,
    prods: pd.DataFrame,
    ln: pd.DataFrame,
    lane_pos: np.ndarray,
    solved: set,
    tol: float,
) -> list[str]:
    """cost_breakdown and product_status.objective equal the cost model applied to the plan."""
    if not len(s.rows):
        return []
    out = []
    priced_rows = s.rows.assign(
        holding_cost=s.ref["holding_cost"].to_numpy(),
        stockout_penalty=s.ref["stockout_penalty"].to_numpy(),
        distribution_cost=s.ref["distribution_cost"].to_numpy(),
    )
    tr = plan.transfers.reset_index(drop=True)
    # on candidate lanes at the lane's price; others (already reported) at the plan's own
    if len(tr):
        lane_cost = ln["cost_per_unit"].to_numpy(np.float64)[np.maximum(lane_pos, 0)]
        own = tr["cost"].to_numpy(np.float64) if "cost" in tr.columns else np.nan
        priced_tr = tr.assign(
            cost=np.where(lane_pos >= 0, tr["units"].to_numpy(np.float64) * lane_cost, own)
        )
        priced_tr = priced_tr[priced_tr["product_id"].isin(solved)]
    else:
        priced_tr = tr
    expected = breakdown_from_tables(priced_rows, priced_tr, pm, prods)
    got = plan.cost_breakdown
    cols = list(COST_COLUMNS)
    gpos = row_positions(got[["level", "product_id"]], expected[["level", "product_id"]])
    e_val = expected[cols].to_numpy()
    g_val = np.where((gpos >= 0)[:, None], got[cols].to_numpy()[np.maximum(gpos, 0)], np.nan)
    bad = ~(np.abs(g_val - e_val) <= tol * tolerance_scale(np.abs(e_val)))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        out.append(
            f"cost_breakdown: {cols[j]} of {expected['level'].iloc[i]} "
            f"{expected['product_id'].iloc[i]!r} is {g_val[i, j]:.9g}, recomputed "
            f"{e_val[i, j]:.9g}"
        )
    ps = plan.product_status
    per = expected[expected["level"] == "product"]
    opos = row_positions(ps[["product_id"]], per[["product_id"]])
    got_obj = np.where(opos >= 0, ps["objective"].to_numpy(np.float64)[np.maximum(opos, 0)], np.nan)
    want = per["total"].to_numpy()
    off = ~(np.abs(got_obj - want) <= tol * tolerance_scale(np.abs(want)))
    if off.any():
        out.append(
            f"product_status: objective of product {per['product_id'].iloc[np.flatnonzero(off)[0]]!r} "
            "differs from the plan's recomputed cost"
        )
    return out


def verify_plan(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame,
    plan: AllocationPlan,
    tol: float = 1e-6,
) -> list[str]:
    """Every violated rule of the plan, as sentences; empty list = valid.

    Checked against the inputs: C1 inventory balance, C2 transfers only of stock above safety
    stock, C3 allocations = production, C4 production capacity, C5 storage capacity, C6
    non-negativity; transfers only on candidate lanes (service limit: lead time <= the plan's
    max_lead_time_days), within lane capacity, between stores that stock the product, never
    both ways on a lane, at least min_transfer_units; whole packs when the plan is integer; transfer_in/out and the cost breakdown consistent with the
    plan's rows; every product reported once, rows only for optimal products.
    Tolerances: tol x max(1, magnitude of the terms) (absolute for small numbers, relative for
    large ones).
    """
    settings = plan.settings
    max_lt = settings.max_lead_time_days if settings is not None else None
    sp, prods, ln = normalise_inputs(store_products, products, lanes)
    solved, out = check_products_reported(sp, plan)
    rows, pos, found = align_store_rows(sp, plan, solved)
    out += found

    tr = plan.transfers.reset_index(drop=True)
    lane_pos = transfer_lanes(ln, tr) if len(tr) else np.zeros(0, dtype=np.int64)
    inflow, outflow, found = transfer_flows(sp, tr, solved, settings, tol)
    if len(tr):
        out += check_lanes(ln, tr, lane_pos)
        out += check_lane_capacity(ln, tr, lane_pos, tol)
        out += check_service_limit(ln, tr, lane_pos, max_lt, tol)
        out += check_transfer_prices(ln, tr, lane_pos, tol)
        out += check_transfer_sizes(tr, prods, settings, tol)
    out += found

    keep = pos >= 0
    s = StoreRows(
        rows=rows.loc[keep].reset_index(drop=True),
        ref=sp.iloc[pos[keep]].reset_index(drop=True),
        inflow=inflow[pos[keep]],
        outflow=outflow[pos[keep]],
    )
    if len(s.rows):
        out += check_inventory_balance(s, tol)
        out += check_transferable_stock(s, tol)
        out += check_storage_capacity(s, tol)
        out += check_non_negativity(s, tol)
        out += check_stated_flows(s, tol)
        if settings is not None and settings.integer:
            out += check_whole_units(s, prods, tol)

    pm, found = production_rows(prods, plan, solved)
    out += found
    out += check_allocation_balance(pm, s, tol)
    out += check_production_capacity(pm, settings, tol)
    out += check_costs(plan, s, pm, prods, ln, lane_pos, solved, tol)
    return out
