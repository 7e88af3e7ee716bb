"""The cost model of the allocation LP, applied to plan tables.

One formula prices the optimised plan, the baselines and any fixed plan, and the verifier
recomputes it to check the solver:

    holding_cost x ending_inv + stockout_penalty x stockout + cost_per_unit x transfer
    + manufacturing_cost x manufacture + distribution_cost x allocate

holding_cost is per unit of ending stock over the planning horizon (per unit-day cost x
horizon days), cost_per_unit of a lane = handling cost + per-km rate of its shipping zones x
haversine km (network.py). See docs/methodology.md, section "Cost model".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from python_assets.optimization.problem import COST_COLUMNS


def _nullable_ids(values: pd.Series | np.ndarray) -> pd.Series:
    s = pd.Series(values)
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.astype("Int64")
    return s


def cost_breakdown_frame(
    product_ids: np.ndarray,
    holding: np.ndarray,
    stockout: np.ndarray,
    transport: np.ndarray,
    manufacturing: np.ndarray,
    distribution: np.ndarray,
) -> pd.DataFrame:
    """Per-product rows (level 'product') and one 'total' row (product_id missing)."""
    parts = np.column_stack([holding, stockout, transport, manufacturing, distribution])
    total = parts.sum(axis=1)
    per = pd.DataFrame(
        {
            "level": "product",
            "product_id": _nullable_ids(np.asarray(product_ids)),
            **{c: parts[:, i] for i, c in enumerate(COST_COLUMNS[:-1])},
            "total": total,
        }
    )
    tot = pd.DataFrame(
        {
            "level": ["total"],
            "product_id": pd.Series([pd.NA], dtype=per["product_id"].dtype),
            **{c: [float(parts[:, i].sum())] for i, c in enumerate(COST_COLUMNS[:-1])},
            "total": [float(total.sum())],
        }
    )
    return pd.concat([per, tot], ignore_index=True)


def breakdown_from_tables(
    sp_rows: pd.DataFrame,
    transfers: pd.DataFrame,
    production: pd.DataFrame,
    products: pd.DataFrame,
) -> pd.DataFrame:
    """Cost breakdown of plan tables.

    sp_rows: product_id, holding_cost, stockout_penalty, distribution_cost, ending_inv,
    stockout_units, allocate_units; transfers: product_id, cost; production: product_id,
    manufacture_units; products: product_id, manufacturing_cost.
    """
    pids = np.sort(sp_rows["product_id"].unique())
    index = pd.Index(pids)

    def per_product(frame: pd.DataFrame, values: np.ndarray) -> np.ndarray:
        if len(frame) == 0:
            return np.zeros(len(pids))
        code = index.get_indexer(frame["product_id"])
        if (code < 0).any():
            raise ValueError("plan has rows for products without store x product rows")
        return np.bincount(code, weights=values, minlength=len(pids))

    mcost = products.set_index("product_id")["manufacturing_cost"]
    man_cost = (
        production["manufacture_units"].to_numpy(np.float64)
        * mcost.reindex(production["product_id"]).to_numpy(np.float64)
        if len(production)
        else np.zeros(0)
    )
    return cost_breakdown_frame(
        pids,
        per_product(sp_rows, (sp_rows["holding_cost"] * sp_rows["ending_inv"]).to_numpy()),
        per_product(sp_rows, (sp_rows["stockout_penalty"] * sp_rows["stockout_units"]).to_numpy()),
        per_product(transfers, transfers["cost"].to_numpy(np.float64))
        if len(transfers)
        else np.zeros(len(pids)),
        per_product(production, man_cost),
        per_product(sp_rows, (sp_rows["distribution_cost"] * sp_rows["allocate_units"]).to_numpy()),
    )


def over_products(breakdown: pd.DataFrame, product_ids) -> pd.DataFrame:
    """The breakdown's product rows of `product_ids` only, with their total row: a partial plan
    (some products not optimal) is compared with its baselines over the same products."""
    per = breakdown[
        (breakdown["level"] == "product") & breakdown["product_id"].isin(list(product_ids))
    ]
    total = per[list(COST_COLUMNS)].sum().to_frame().T.assign(level="total")
    total["product_id"] = pd.Series([pd.NA], dtype=breakdown["product_id"].dtype)
    return pd.concat([per, total[breakdown.columns]], ignore_index=True)
