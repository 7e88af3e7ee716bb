"""Play a policy's decisions day by day against the demand that actually followed an origin.

Every store x product starts with its stock at the origin (on hand + in transit, as the LP counts
it). Transfers leave the donor at the start of day 1; transfers and allocations from central
supply arrive at the start of day max(1, ceil(lead time)) and sell from that day on; what arrives
after the horizon is counted in the ending stock (the LP counts it there too). Each day:
served = min(stock, demand), lost = demand - served. See docs/methodology.md, "Policy replay".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KEY = ["store_id", "product_id"]

OUTCOME_COLUMNS = (
    "demand_units",
    "served_units",
    "lost_units",
    "ending_units",
    "transfer_in_units",
    "transfer_out_units",
    "allocated_units",
    "censored_days",
)


def arrival_day(lead_time_days: np.ndarray) -> np.ndarray:
    """The day (1 = the first day after the origin) from which units shipped at the origin sell."""
    lead = np.nan_to_num(np.asarray(lead_time_days, dtype=np.float64), nan=0.0)
    return np.maximum(1, np.ceil(lead - 1e-9)).astype(np.int64)


def _positions(index: pd.MultiIndex, frame: pd.DataFrame, store_column: str) -> np.ndarray:
    keys = pd.MultiIndex.from_arrays([frame[store_column], frame["product_id"]])
    position = index.get_indexer(keys)
    if (position < 0).any():
        row = frame.loc[position < 0].iloc[0]
        raise ValueError(
            f"replay: {store_column} {row[store_column]!r} x product {row['product_id']!r} has "
            "no stock row at the origin"
        )
    return position


def simulate_days(
    stock: pd.DataFrame,
    demand: pd.DataFrame,
    transfers: pd.DataFrame,
    allocations: pd.DataFrame,
    horizon: int,
) -> pd.DataFrame:
    """Outcome of one policy per store x product over the `horizon` days after an origin.

    stock: store_id, product_id, start_units (stock at the origin; every pair the policy or the
        demand names must have a row).
    demand: store_id, product_id, day (1..horizon), demand_units, is_censored (the demand is
        the latent-demand estimate of a stockout day).
    transfers: from_store, to_store, product_id, units, lead_time_days.
    allocations: store_id, product_id, allocate_units, lead_time_days.
    Returns stock's pairs with OUTCOME_COLUMNS.
    """
    index = pd.MultiIndex.from_frame(stock[KEY])
    n = len(index)
    on_hand = stock["start_units"].to_numpy(np.float64).copy()
    arrivals = np.zeros((n, horizon + 2))  # column d: units arriving at the start of day d
    out_units = np.zeros(n)
    in_units = np.zeros(n)
    allocated = np.zeros(n)

    if len(transfers):
        donor = _positions(index, transfers, "from_store")
        receiver = _positions(index, transfers, "to_store")
        units = transfers["units"].to_numpy(np.float64)
        np.add.at(out_units, donor, units)
        np.add.at(in_units, receiver, units)
        day = np.minimum(arrival_day(transfers["lead_time_days"]), horizon + 1)
        np.add.at(arrivals, (receiver, day), units)
    short = out_units > on_hand + 1e-6
    if short.any():
        i = int(np.flatnonzero(short)[0])
        raise ValueError(
            f"replay: {int(short.sum())} store x product pairs ship more than their stock at the "
            f"origin, e.g. {index[i]}: {out_units[i]:g} units from {on_hand[i]:g}"
        )
    on_hand -= out_units
    if len(allocations):
        store = _positions(index, allocations, "store_id")
        units = allocations["allocate_units"].to_numpy(np.float64)
        np.add.at(allocated, store, units)
        day = np.minimum(arrival_day(allocations["lead_time_days"]), horizon + 1)
        np.add.at(arrivals, (store, day), units)

    daily = np.zeros((n, horizon + 1))
    censored = np.zeros((n, horizon + 1), dtype=bool)
    if len(demand):
        where = _positions(index, demand, "store_id")
        day = demand["day"].to_numpy(np.int64)
        if ((day < 1) | (day > horizon)).any():
            raise ValueError(f"replay: demand days must lie in 1..{horizon}")
        np.add.at(daily, (where, day), demand["demand_units"].to_numpy(np.float64))
        censored[where, day] = demand["is_censored"].to_numpy(bool)

    served = np.zeros(n)
    for d in range(1, horizon + 1):
        on_hand += arrivals[:, d]
        sold = np.minimum(on_hand, daily[:, d])
        served += sold
        on_hand -= sold
    demand_total = daily.sum(axis=1)
    result = stock[KEY].reset_index(drop=True).copy()
    values = {
        "demand_units": demand_total,
        "served_units": served,
        "lost_units": demand_total - served,
        "ending_units": on_hand + arrivals[:, horizon + 1],
        "transfer_in_units": in_units,
        "transfer_out_units": out_units,
        "allocated_units": allocated,
        "censored_days": censored.sum(axis=1).astype(np.int64),
    }
    for name in OUTCOME_COLUMNS:
        result[name] = values[name]
    return result


COST_COLUMNS = (
    "holding_cost",
    "stockout_cost",
    "transport_cost",
    "manufacturing_cost",
    "distribution_cost",
    "total_cost",
)


def price_outcomes(
    outcomes: pd.DataFrame,
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    transfers: pd.DataFrame,
) -> pd.DataFrame:
    """outcomes + COST_COLUMNS under the LP's cost model (optimization/pricing.py) applied to
    what happened: holding on the ending stock, the stockout penalty on lost units, transport
    on the units shipped (charged to the receiving pair), manufacturing and distribution on the
    units allocated from central supply.

    store_products: store_id, product_id, holding_cost, stockout_penalty, distribution_cost;
    products: product_id, manufacturing_cost; transfers: to_store, product_id, units,
    cost_per_unit.
    """
    rates = outcomes[KEY].merge(
        store_products[[*KEY, "holding_cost", "stockout_penalty", "distribution_cost"]],
        on=KEY,
        how="left",
        validate="one_to_one",
    )
    manufacturing = (
        outcomes[["product_id"]]
        .merge(products[["product_id", "manufacturing_cost"]], on="product_id", how="left")
        .to_numpy()[:, 1]
        .astype(np.float64)
    )
    transport = np.zeros(len(outcomes))
    if len(transfers):
        index = pd.MultiIndex.from_frame(outcomes[KEY])
        receiver = _positions(index, transfers, "to_store")
        cost = transfers["units"].to_numpy(np.float64) * transfers["cost_per_unit"].to_numpy(
            np.float64
        )
        np.add.at(transport, receiver, cost)
    priced = outcomes.copy()
    priced["holding_cost"] = rates["holding_cost"].to_numpy() * outcomes["ending_units"].to_numpy()
    priced["stockout_cost"] = (
        rates["stockout_penalty"].to_numpy() * outcomes["lost_units"].to_numpy()
    )
    priced["transport_cost"] = transport
    priced["manufacturing_cost"] = np.nan_to_num(manufacturing) * outcomes["allocated_units"]
    priced["distribution_cost"] = (
        rates["distribution_cost"].to_numpy() * outcomes["allocated_units"].to_numpy()
    )
    priced["total_cost"] = priced[list(COST_COLUMNS[:-1])].sum(axis=1)
    return priced
