"""The plan's expected fill rate under the forecast's distribution, not under its point forecast.

Against its own point forecast a plan that covers every forecast unit reports 100% fill by
construction. Demand is uncertain: with demand D ~ Normal(mean = forecast, std = the forecast's
std over the horizon) and x units available after the plan's moves, the expected lost units are
the normal loss function E[(D - x)+] = std x (pdf(z) - z x (1 - cdf(z))), z = (x - mean) / std.
See docs/methodology.md, "Policy replay".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def expected_lost_units(available, mean, std) -> np.ndarray:
    """E[(D - available)+] for D ~ Normal(mean, std); with std 0 (or missing), max(0, mean -
    available)."""
    x = np.asarray(available, dtype=np.float64)
    mu = np.asarray(mean, dtype=np.float64)
    sigma = np.nan_to_num(np.asarray(std, dtype=np.float64), nan=0.0)
    certain = np.maximum(0.0, mu - x)
    safe = np.where(sigma > 0, sigma, 1.0)
    z = (x - mu) / safe
    loss = safe * (stats.norm.pdf(z) - z * stats.norm.sf(z))
    return np.where(sigma > 0, np.maximum(loss, certain), certain)


def expected_fill_rate(available, mean, std) -> float:
    """1 - expected lost units / expected demand, pooled over the rows (1 with no demand)."""
    demand = float(np.sum(mean))
    if demand <= 0:
        return 1.0
    return 1.0 - float(np.sum(expected_lost_units(available, mean, std))) / demand


def with_expected_stockout(plan_rows: pd.DataFrame, store_products: pd.DataFrame) -> pd.DataFrame:
    """plan_rows (store_id, product_id, current_inv, demand, transfer_in, transfer_out,
    allocate_units) + expected_stockout_units under the forecast distribution (demand_std of
    store_products: the std of the horizon's demand)."""
    if "demand_std" not in store_products:  # no distribution given: the point forecast decides
        store_products = store_products.assign(demand_std=np.nan)
    std = plan_rows[["store_id", "product_id"]].merge(
        store_products[["store_id", "product_id", "demand_std"]],
        on=["store_id", "product_id"],
        how="left",
        validate="one_to_one",
    )["demand_std"]
    available = (
        plan_rows["current_inv"]
        + plan_rows["transfer_in"]
        - plan_rows["transfer_out"]
        + plan_rows["allocate_units"]
    )
    return plan_rows.assign(
        expected_stockout_units=expected_lost_units(
            available.to_numpy(), plan_rows["demand"].to_numpy(), std.to_numpy()
        )
    )
