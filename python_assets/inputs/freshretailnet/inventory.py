"""Simulated stock on hand: FreshRetailNet has none, so the adapter derives it from recent
sales and deliberately uneven covers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from python_assets.inputs.freshretailnet.assumptions import FreshRetailNetAssumptions
from python_assets.inputs.freshretailnet.draws import normal


def inventory_frame(series: pd.DataFrame, a: FreshRetailNetAssumptions) -> pd.DataFrame:
    store_ids = series["store_id"].to_numpy(np.int64)
    product_ids = series["product_id"].to_numpy(np.int64)
    cover_days = a.cover_median_days * np.exp(
        a.cover_sigma * normal(a.seed, "inventory.cover", store_ids, product_ids)
    )
    store_factor = np.exp(a.store_factor_sigma * normal(a.seed, "inventory.store", store_ids))
    on_hand = series["recent_daily_sales"].to_numpy(np.float64) * cover_days * store_factor
    return pd.DataFrame(
        {
            "store_int": store_ids,
            "product_int": product_ids,
            "store_id": [str(s) for s in store_ids],
            "product_id": [str(p) for p in product_ids],
            "on_hand_units": on_hand,
        }
    )
