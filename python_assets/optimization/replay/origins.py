"""What the replay knew at each origin, and what happened after it.

Known at the origin: the stock (the inventory snapshot of that date, or, where the input has
none, the latest snapshot rescaled to the origin by a stated rule), the forecast the backtest
made there and what follows from both (safety stock, the storage bound's floor at the stock, the
production capacity as a share of the network's forecast). Everything else the LP reads (costs,
storage capacities, lead times, lanes) is today's, as it does not depend on the date. After the
origin: the demand of each of the H days, sales on days without a stockout and the latent-demand
estimate on stockout days. See docs/methodology.md, "Policy replay".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from python_assets.optimization.constraints import max_capacity, safety_stock

KEY = ["store_id", "product_id"]
RECENT_DAYS = 28

STOCK_SOURCES = {
    "snapshot": "the inventory snapshot of the origin date",
    "snapshot_simulated": "the inventory snapshot of the origin date, simulated by the input's "
    "adapter (the source has no stock)",
    "reconstructed_cover": "no snapshot of that date: the latest snapshot's days of cover "
    "applied to the mean demand of the 28 days before the origin",
}


@dataclass(frozen=True)
class OriginInputs:
    """One origin of the replay.

    stock: store_id, product_id, start_units, stock_source.
    planned: the LP's store x product rows at the origin (demand = the forecast made then).
    products: the LP's product rows at the origin (max_production from the forecast made then).
    realised: the same store x product rows with demand = the demand that followed (horizon
    total).
    demand: store_id, product_id, day (1..H), demand_units, is_censored.
    classes: store_id, product_id, demand_class (at the origin).
    """

    origin_date: pd.Timestamp
    horizon: int
    stock: pd.DataFrame
    planned: pd.DataFrame
    products: pd.DataFrame
    realised: pd.DataFrame
    demand: pd.DataFrame
    classes: pd.DataFrame


def daily_demand(sales: pd.DataFrame) -> pd.Series:
    """A day's demand: its sales, or the latent-demand estimate on a stockout-censored day."""
    censored = sales["is_stockout_censored"].fillna(False).astype(bool)
    return sales["units_sold"].where(~censored, sales["latent_demand_units"]).astype(np.float64)


def _recent_mean(sales: pd.DataFrame, pairs: pd.DataFrame, end: pd.Timestamp) -> np.ndarray:
    """Mean daily demand of each pair over the RECENT_DAYS days up to and including `end`."""
    window = sales[
        (sales["sales_date"] > end - pd.Timedelta(days=RECENT_DAYS)) & (sales["sales_date"] <= end)
    ]
    mean = window.groupby(KEY)["demand_units"].sum() / RECENT_DAYS
    return mean.reindex(pd.MultiIndex.from_frame(pairs[KEY])).fillna(0.0).to_numpy()


def stock_at(
    snapshots: pd.DataFrame,
    sales: pd.DataFrame,
    pairs: pd.DataFrame,
    origin: pd.Timestamp,
) -> pd.DataFrame:
    """Stock of every pair at the end of the origin day (STOCK_SOURCES says where it came from).

    snapshots: store_id, product_id, snapshot_date, on_hand_units, in_transit_units,
    is_on_hand_simulated. sales: store_id, product_id, sales_date, demand_units (daily_demand),
    up to the latest snapshot at least: the latest stock is scaled by the mean demand of the 28
    days before the origin over that of the 28 days before the latest snapshot, rounded to whole
    units where the latest snapshot holds whole units.
    """
    dates = pd.to_datetime(snapshots["snapshot_date"])
    index = pd.MultiIndex.from_frame(pairs[KEY])
    result = pairs[KEY].reset_index(drop=True).copy()
    on_date = snapshots[dates == origin]
    if len(on_date):
        units = (on_date["on_hand_units"] + on_date["in_transit_units"].fillna(0.0)).to_numpy()
        start = pd.Series(units, index=pd.MultiIndex.from_frame(on_date[KEY]))
        result["start_units"] = start.reindex(index).fillna(0.0).to_numpy()
        simulated = bool(on_date["is_on_hand_simulated"].fillna(False).any())
        result["stock_source"] = "snapshot_simulated" if simulated else "snapshot"
        return result
    latest_date = dates.max()
    latest = snapshots[dates == latest_date]
    units = (latest["on_hand_units"] + latest["in_transit_units"].fillna(0.0)).to_numpy()
    now = pd.Series(units, index=pd.MultiIndex.from_frame(latest[KEY])).reindex(index).fillna(0.0)
    rate_then = _recent_mean(sales, pairs, origin)
    rate_now = _recent_mean(sales, pairs, latest_date)
    scale = np.divide(rate_then, rate_now, out=np.ones_like(rate_then), where=rate_now > 0)
    start = now.to_numpy() * scale
    whole = np.array_equal(now.to_numpy(), np.round(now.to_numpy()))
    result["start_units"] = np.round(start) if whole else start
    result["stock_source"] = "reconstructed_cover"
    return result


def origin_inputs(
    origin: pd.Timestamp,
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    forecasts: pd.DataFrame,
    snapshots: pd.DataFrame,
    sales: pd.DataFrame,
    z_alpha: float,
) -> OriginInputs:
    """The replay's inputs at one origin, using only the stock and forecast known then.

    store_products: intermediate.int_store_product_allocation_terms (the pairs the LP plans;
        costs, storage capacities and lead times are taken from it; C5's floor at current stock
        is applied to the stock at the origin). products: intermediate.int_product_allocation_terms
        (manufacturing_cost, pack_size, production_capacity_share: max_production is that share
        of the network's forecast at the origin). forecasts: the backtest_forecasts rows of this
        origin. sales: store_id, product_id, sales_date, demand_units (daily_demand),
        is_stockout_censored; only the days after the origin are read as outcomes.
    Pairs without a forecast at the origin are planned with zero demand.
    """
    horizon = int(forecasts["horizon_days"].iloc[0])
    pairs = store_products[KEY]
    stock = stock_at(snapshots, sales, pairs, origin)
    fc = pairs.merge(
        forecasts[[*KEY, "forecast_units", "demand_std_horizon", "demand_class"]],
        on=KEY,
        how="left",
    )
    planned = store_products.copy()
    planned["current_inv"] = stock["start_units"].to_numpy()
    planned["demand"] = fc["forecast_units"].fillna(0.0).to_numpy()
    planned["demand_std"] = fc["demand_std_horizon"].fillna(0.0).to_numpy()
    planned["safety_stock"] = safety_stock(
        z_alpha, planned["demand_std"] / np.sqrt(horizon), planned["lead_time_days"]
    )
    planned["max_capacity"] = max_capacity(planned["storage_capacity"], planned["current_inv"])
    network = planned.groupby("product_id")["demand"].sum()
    at_origin = products.assign(
        max_production=products["production_capacity_share"].to_numpy()
        * network.reindex(products["product_id"]).fillna(0.0).to_numpy()
    )

    after = sales[
        (sales["sales_date"] > origin)
        & (sales["sales_date"] <= origin + pd.Timedelta(days=horizon))
    ]
    after = after.merge(pairs, on=KEY, how="inner")
    demand = pd.DataFrame(
        {
            "store_id": after["store_id"].to_numpy(),
            "product_id": after["product_id"].to_numpy(),
            "day": (after["sales_date"] - origin).dt.days.to_numpy(),
            "demand_units": after["demand_units"].to_numpy(),
            "is_censored": after["is_stockout_censored"].fillna(False).astype(bool).to_numpy(),
        }
    )
    totals = demand.groupby(KEY)["demand_units"].sum()
    realised = planned.copy()
    realised["demand"] = totals.reindex(pd.MultiIndex.from_frame(pairs)).fillna(0.0).to_numpy()
    classes = fc[KEY].assign(demand_class=fc["demand_class"].fillna("no_forecast"))
    return OriginInputs(origin, horizon, stock, planned, at_origin, realised, demand, classes)
