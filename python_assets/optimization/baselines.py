"""Fixed plans priced under the LP's cost model: the baselines the optimised plan is compared
with (doing nothing, decentralised, the Z-score rule's moves) and any plan given as tables.

See docs/methodology.md, section "Baselines and scenarios".
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from python_assets.optimization.checks import verify_plan
from python_assets.optimization.constraints import max_capacity, net_position
from python_assets.optimization.network import lane_terms
from python_assets.optimization.pricing import breakdown_from_tables
from python_assets.optimization.problem import AllocationPlan, SolverSettings, normalise_inputs
from python_assets.optimization.solve import solve_allocation

_EMPTY_LANES = pd.DataFrame(
    {"from_store": [], "to_store": [], "cost_per_unit": [], "lead_time_days": []}
)


def _price_transfers(
    transfers: pd.DataFrame,
    lanes: pd.DataFrame,
    stores: pd.DataFrame | None,
    zones: pd.DataFrame | None,
    rate_per_km: float | None,
    handling_cost: float,
    speed_km_per_day: float,
) -> pd.DataFrame:
    """transfers + distance_km, cost_per_unit, cost, lead_time_days, on_candidate_lane.

    Lanes of the candidate set are priced as the LP prices them; others (a rule may move
    between any two stores) by the same rule from haversine distance when `stores` (with
    zone_id) and `zones` are given, else a ValueError names the lane."""
    cols = ["from_store", "to_store", "product_id", "units"]
    tr = transfers[cols].copy()
    tr["units"] = tr["units"].astype(np.float64)
    lane_cols = ["from_store", "to_store", "distance_km", "cost_per_unit", "lead_time_days"]
    ln = lanes.copy()
    for c in ("distance_km", "lead_time_days"):
        if c not in ln.columns:
            ln[c] = np.nan
    m = tr.merge(ln[lane_cols], on=["from_store", "to_store"], how="left", indicator=True)
    m["on_candidate_lane"] = m["_merge"] == "both"
    m = m.drop(columns="_merge")
    off = ~m["on_candidate_lane"].to_numpy()
    if off.any():
        if stores is None or zones is None:
            r = m.loc[off].iloc[0]
            raise ValueError(
                f"move {r['from_store']!r} -> {r['to_store']!r} is not a candidate lane: pass "
                "stores (with zone_id) and zones to price it by haversine distance"
            )
        table = stores.reset_index(drop=True)
        if "rate_per_km" not in table.columns:
            table = table.merge(
                zones[["zone_id", "rate_per_km", "lead_time_days"]], on="zone_id", how="left"
            )
        pos = pd.Index(table["store_id"])
        fi = pos.get_indexer(m.loc[off, "from_store"])
        ti = pos.get_indexer(m.loc[off, "to_store"])
        if (fi < 0).any() or (ti < 0).any():
            raise ValueError("price_moves: a moved-between store has no coordinates in stores")
        dist, cost, lead = lane_terms(fi, ti, table, rate_per_km, handling_cost, speed_km_per_day)
        m.loc[off, "distance_km"] = dist
        m.loc[off, "cost_per_unit"] = cost
        m.loc[off, "lead_time_days"] = lead
    m["cost"] = m["units"] * m["cost_per_unit"]
    return m


def price_plan(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame | None,
    transfers: pd.DataFrame | None = None,
    allocations: pd.DataFrame | None = None,
    production: pd.DataFrame | None = None,
    *,
    stores: pd.DataFrame | None = None,
    zones: pd.DataFrame | None = None,
    rate_per_km: float | None = None,
    handling_cost: float = 0.05,
    speed_km_per_day: float = 500.0,
    verify: bool = True,
) -> AllocationPlan:
    """Any fixed plan priced under the LP's cost model (status 'baseline').

    transfers: from_store, to_store, product_id, units; allocations: store_id, product_id,
    allocate_units; production: product_id, manufacture_units (default: sum of allocations).
    Ending inventory and stockout follow from C1: net = current_inv + in - out + allocate -
    demand, stockout = max(0, -net), ending_inv = max(0, net). The plan's violations (e.g. C5
    when doing nothing leaves more than a store can hold, C2 when a rule moves below safety
    stock) are listed in plan.violations; they do not stop the pricing. verify=False leaves
    plan.violations empty, for a caller that wants only the costs or the flows.
    """
    sp, prods, ln = normalise_inputs(
        store_products, products, _EMPTY_LANES if lanes is None else lanes
    )
    key = ["store_id", "product_id"]
    if transfers is None or len(transfers) == 0:
        tr = pd.DataFrame(
            {
                "from_store": pd.Series([], dtype=sp["store_id"].dtype),
                "to_store": pd.Series([], dtype=sp["store_id"].dtype),
                "product_id": pd.Series([], dtype=sp["product_id"].dtype),
                "units": pd.Series([], dtype=np.float64),
                "distance_km": pd.Series([], dtype=np.float64),
                "cost_per_unit": pd.Series([], dtype=np.float64),
                "lead_time_days": pd.Series([], dtype=np.float64),
                "on_candidate_lane": pd.Series([], dtype=bool),
                "cost": pd.Series([], dtype=np.float64),
            }
        )
    else:
        tr = _price_transfers(
            transfers, ln, stores, zones, rate_per_km, handling_cost, speed_km_per_day
        )
    for end in ("from_store", "to_store"):
        pairs = tr[[end, "product_id"]].rename(columns={end: "store_id"})
        known = pairs.merge(sp[key], on=key, how="left", indicator=True)["_merge"] == "both"
        if not known.all():
            r = pairs.loc[~known.to_numpy()].iloc[0]
            raise ValueError(
                f"move involves store {r['store_id']!r} x product {r['product_id']!r}, "
                "which has no store_products row"
            )
    idx = pd.MultiIndex.from_frame(sp[key])
    out = tr.groupby(["from_store", "product_id"])["units"].sum()
    inn = tr.groupby(["to_store", "product_id"])["units"].sum()
    out.index = out.index.set_names(key)
    inn.index = inn.index.set_names(key)
    outflow = out.reindex(idx).fillna(0.0).to_numpy() if len(out) else np.zeros(len(sp))
    inflow = inn.reindex(idx).fillna(0.0).to_numpy() if len(inn) else np.zeros(len(sp))
    if allocations is not None and len(allocations):
        a = allocations.groupby(key)["allocate_units"].sum()
        alloc = a.reindex(idx).fillna(0.0).to_numpy(np.float64)
    else:
        alloc = np.zeros(len(sp))
    net = net_position(
        sp["current_inv"].to_numpy(), inflow, outflow, alloc, sp["demand"].to_numpy()
    )
    dem = sp["demand"].to_numpy()
    so = np.maximum(0.0, -net)
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(dem > 0, 1.0 - so / np.where(dem > 0, dem, 1.0), 1.0)
    rows = pd.DataFrame(
        {
            "store_id": sp["store_id"],
            "product_id": sp["product_id"],
            "current_inv": sp["current_inv"],
            "demand": dem,
            "safety_stock": sp["safety_stock"],
            "max_capacity": sp["max_capacity"],
            "allocate_units": alloc,
            "stockout_units": so,
            "ending_inv": np.maximum(0.0, net),
            "transfer_in": inflow,
            "transfer_out": outflow,
            "fill_rate": fill,
        }
    )
    if production is None:
        man = rows.groupby("product_id")["allocate_units"].sum()
    else:
        man = production.groupby("product_id")["manufacture_units"].sum()
    pids = np.sort(sp["product_id"].unique())
    prod = pd.DataFrame(
        {"product_id": pids, "manufacture_units": man.reindex(pids).fillna(0.0).to_numpy()}
    )
    priced = rows.assign(
        holding_cost=sp["holding_cost"],
        stockout_penalty=sp["stockout_penalty"],
        distribution_cost=sp["distribution_cost"],
    )
    breakdown = breakdown_from_tables(priced, tr, prod, prods)
    per = breakdown[breakdown["level"] == "product"].set_index("product_id")["total"]
    status = pd.DataFrame(
        {
            "product_id": pids,
            "status": "baseline",
            "objective": per.reindex(pids).to_numpy(),
            "explanation": "fixed plan priced under the LP cost model (not optimised)",
            "n_stores": sp.groupby("product_id").size().reindex(pids).to_numpy(),
            "n_lanes": 0,
        }
    )
    plan = AllocationPlan(
        transfers=tr,
        production=prod,
        store_products=rows,
        product_status=status,
        cost_breakdown=breakdown,
        status="baseline",
    )
    if verify:
        check_lanes = ln if lanes is not None else _EMPTY_LANES
        plan.violations = verify_plan(store_products, products, check_lanes, plan)
    return plan


def plan_cost(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame | None,
    *tables: pd.DataFrame | None,
    **pricing,
) -> pd.DataFrame:
    """Cost breakdown (per product + total) of ANY plan under the LP's cost model.

    tables: transfers, allocations, production; see `price_plan` for them, the pricing
    keywords and the accounting."""
    return price_plan(
        store_products, products, lanes, *tables, **pricing, verify=False
    ).cost_breakdown


def price_moves(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame | None,
    moves: pd.DataFrame,
    **pricing,
) -> pd.DataFrame:
    """Cost breakdown of given moves (e.g. the Z-score rule's: from_store, to_store,
    product_id, units), no central supply, under the same cost model. Moves on lanes outside
    the candidate set are priced by the same haversine rule (pass stores and zones; see
    `price_plan` for the pricing keywords)."""
    return price_plan(
        store_products, products, lanes, transfers=moves, **pricing, verify=False
    ).cost_breakdown


def baseline_do_nothing(
    store_products: pd.DataFrame, products: pd.DataFrame, lanes: pd.DataFrame | None = None
) -> AllocationPlan:
    """No transfers, no production: each store meets demand from its own stock."""
    return price_plan(store_products, products, lanes)


def baseline_decentralised(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame | None = None,
    settings: SolverSettings = SolverSettings(),
) -> AllocationPlan:
    """No store-to-store transfers, central supply allowed: the LP with allow_transfers=False."""
    s = replace(settings, allow_transfers=False)
    return solve_allocation(store_products, products, _EMPTY_LANES if lanes is None else lanes, s)


def baseline_rule_moves(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame,
    moves: pd.DataFrame,
    settings: SolverSettings = SolverSettings(),
    **pricing,
) -> AllocationPlan:
    """Given moves (e.g. the Z-score rule's: from_store, to_store, product_id, units), then
    central supply as the LP would add it to the stock they leave (the decentralised LP on that
    stock, C5's floor at the new stock): the top-up the optimised plan and the decentralised
    baseline have too. Priced under the same cost model; the LP rules the moves break (C2 below
    safety stock, C5, the service limit, lanes off the candidate set) are in plan.violations.
    See `price_plan` for the pricing keywords."""
    moved = price_plan(
        store_products, products, lanes, moves, **pricing, verify=False
    ).store_products
    key = ["store_id", "product_id"]
    flows = store_products[key].merge(
        moved[[*key, "transfer_in", "transfer_out"]], on=key, how="left"
    )
    after = store_products.copy()
    after["current_inv"] = (
        store_products["current_inv"].to_numpy()
        + flows["transfer_in"].fillna(0.0).to_numpy()
        - flows["transfer_out"].fillna(0.0).to_numpy()
    )
    after["max_capacity"] = max_capacity(store_products["max_capacity"], after["current_inv"])
    top_up = baseline_decentralised(after, products, lanes, settings).store_products
    allocations = top_up.loc[top_up["allocate_units"] > 0, [*key, "allocate_units"]]
    return price_plan(store_products, products, lanes, moves, allocations, **pricing)
