"""Simulated stock on hand: FreshRetailNet has none, so the adapter derives it from recent
sales and deliberately uneven covers.

On any date: on hand = mean daily sales over the demand_window_days days ending on that date
x a cover in days per store x product x a factor per store. The cover and the factor are
draws keyed by ids, the same on every date, so the stock of any date is deterministic and
uses no sales after it. The adapter writes the last sales day (the plan's stock) and weekly
history dates before it (inputs.inventory_history).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from python_assets.inputs.freshretailnet.assumptions import FreshRetailNetAssumptions
from python_assets.inputs.freshretailnet.draws import normal


def recent_daily_sales_sql(as_of: date, window_days: int) -> str:
    """Aggregate over source rows (columns dt, sale_amount): mean daily sales over the
    window_days days ending on as_of, 0 for a series without rows in that window."""
    day = f"DATE '{as_of.isoformat()}'"
    return f"""coalesce(avg(sale_amount) FILTER (
                    WHERE CAST(dt AS DATE) > {day} - INTERVAL {int(window_days)} DAY
                        AND CAST(dt AS DATE) <= {day}
                ), 0.0)"""


def recent_sales_column(as_of: date) -> str:
    """Name of the series column holding recent_daily_sales_sql(as_of, ...)."""
    return f"recent_daily_sales_{as_of.strftime('%Y%m%d')}"


def inventory_frame(
    series: pd.DataFrame, a: FreshRetailNetAssumptions, dates: Sequence[date]
) -> pd.DataFrame:
    """Stock per series on each of `dates`, oldest first; `series` holds one
    recent_sales_column per date."""
    store_ids = series["store_id"].to_numpy(np.int64)
    product_ids = series["product_id"].to_numpy(np.int64)
    cover_days = a.cover_median_days * np.exp(
        a.cover_sigma * normal(a.seed, "inventory.cover", store_ids, product_ids)
    )
    store_factor = np.exp(a.store_factor_sigma * normal(a.seed, "inventory.store", store_ids))
    frames = [
        pd.DataFrame(
            {
                "store_int": store_ids,
                "product_int": product_ids,
                "store_id": [str(s) for s in store_ids],
                "product_id": [str(p) for p in product_ids],
                "snapshot_date": as_of,
                "on_hand_units": series[recent_sales_column(as_of)].to_numpy(np.float64)
                * cover_days
                * store_factor,
            }
        )
        for as_of in sorted(dates)
    ]
    return pd.concat(frames, ignore_index=True)
