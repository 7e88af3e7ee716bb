"""The rules of the allocation LP that more than one module needs, each written once.

Safety stock, the stock a store may send away (C2) and the inventory position before the
slacks (C1) are used by the array model, the literal reference model, the verifier, the
diagnosis of infeasible products and the pricing of fixed plans; they all call these functions
so the rules cannot drift apart. Safety stock and the storage capacity's floor at current stock
(C5) are also dbt macros, of which these are the tested Python references. See docs/methodology.md, section Allocation LP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def safety_stock(z_alpha, demand_std, lead_time_days) -> np.ndarray:
    """Safety stock = z_alpha x sigma x sqrt(lead time).

    `demand_std` is the standard deviation of demand per time unit of `lead_time_days`
    (per day when the lead time is in days). A missing std (NaN) gives no safety stock.
    The Python reference of the dbt macro `safety_stock` (dbt_project/macros/safety_stock.sql),
    which computes the `safety_stock` column the LP reads; a test keeps the two equal.
    """
    z = np.asarray(z_alpha, dtype=np.float64)
    sigma = np.asarray(demand_std, dtype=np.float64)
    lead = np.asarray(lead_time_days, dtype=np.float64)
    if np.any(z < 0) or np.any(sigma < 0) or np.any(lead < 0):
        raise ValueError("safety_stock needs z_alpha >= 0, demand_std >= 0, lead_time_days >= 0")
    return np.nan_to_num(z * sigma * np.sqrt(lead), nan=0.0)


def max_capacity(storage_capacity, current_inv) -> np.ndarray:
    """C5's bound: the storage capacity, never below the stock the store already holds (it
    physically fits). NaN capacity (unlimited) stays NaN.

    The Python reference of the dbt macro `max_capacity` (dbt_project/macros/max_capacity.sql),
    which computes the `max_capacity` column the LP reads; the policy replay applies it to the
    stock at a past origin. A test keeps the two equal.
    """
    return np.maximum(
        np.asarray(storage_capacity, dtype=np.float64), np.asarray(current_inv, dtype=np.float64)
    )


def transferable_stock(current_inv, safety_stock) -> np.ndarray:
    """C2's right-hand side: the units a store x product may send away,
    max(0, current_inv - safety_stock).

    current_inv is on hand + in transit (allocation_inputs_store_product); a store below its
    safety stock sends nothing.
    """
    current = np.asarray(current_inv, dtype=np.float64)
    return np.maximum(0.0, current - np.asarray(safety_stock, dtype=np.float64))


@dataclass(frozen=True)
class TransferRows:
    """C2 as constraint rows: sum over the transfers t leaving store x product s of
    transfer[t] (coefficient 1) <= rhs[row of s].

    stores: row position (in the arrays given to `transfer_rows`) of every store x product with
        at least one transfer leaving it, ascending; one C2 row each.
    row_of_transfer: the C2 row of every transfer (its source's row).
    rhs: transferable stock of those stores.
    """

    stores: np.ndarray
    row_of_transfer: np.ndarray
    rhs: np.ndarray


def transfer_rows(transfer_src: np.ndarray, current_inv, safety_stock) -> TransferRows:
    """C2 rows of transfers leaving the store x products at positions `transfer_src`.

    Stores with no transfer out get no row (nothing to limit)."""
    stores, row_of_transfer = np.unique(transfer_src, return_inverse=True)
    rhs = transferable_stock(current_inv, safety_stock)[stores]
    return TransferRows(stores=stores, row_of_transfer=row_of_transfer, rhs=rhs)


def net_position(current_inv, transfer_in, transfer_out, allocate, demand) -> np.ndarray:
    """C1 without its slacks: current_inv + transfer_in - transfer_out + allocate - demand,
    which equals ending_inv - stockout in every plan that satisfies C1."""
    return current_inv + transfer_in - transfer_out + allocate - demand
