"""Stock at the snapshots: on hand from recent true demand times days of cover, deliveries on
the way, and the storage capacity that must hold them.

The latest snapshot, on the last sales day, is the plan's stock. Weekly history snapshots
before it (inputs.inventory_history: 7, 14, ... 56 days earlier, where 28 days of demand
precede them) follow the same rule: on hand = mean true demand of the 28 days ending on the
snapshot day x the pair's days of cover (the same cover as the latest snapshot's), with no
delivery in transit. The stock is the dataset's own, so it is never marked simulated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from python_assets.inputs.demo.assortment import Assortment
from python_assets.inputs.demo.dates import Calendar
from python_assets.inputs.demo.files import date32

RECENT_DEMAND_DAYS = 28
TARGET_COVER_DAYS = 12.0


@dataclass
class StoreStock:
    """One store's stock per item: at the latest snapshot, and at each history snapshot."""

    on_hand: np.ndarray
    in_transit: np.ndarray
    on_hand_history: np.ndarray  # (history snapshot, item), in the order of history_offsets


def recent_rate(true_demand: np.ndarray, end: int) -> np.ndarray:
    """Mean true demand per item over the RECENT_DEMAND_DAYS days before day index `end`."""
    return true_demand[end - RECENT_DEMAND_DAYS : end].mean(axis=0)


def store_stock(
    true_demand: np.ndarray,
    item_cover_multiplier: np.ndarray,
    rng: np.random.Generator,
    history_offsets: tuple[int, ...] = (),
) -> StoreStock:
    """Stock per item of one store, from its (day, item) true demand.

    item_cover_multiplier is 1 except for the items of a planted imbalance. The history takes
    no draw from rng, so the latest snapshot and everything drawn after it do not depend on it.
    """
    n_days, n_items = true_demand.shape
    store_cover = TARGET_COVER_DAYS * rng.uniform(0.92, 1.08)
    cover = store_cover * rng.lognormal(0.0, 0.12, n_items) * item_cover_multiplier
    rate = recent_rate(true_demand, n_days)
    on_hand = np.round(rate * cover)
    planted = item_cover_multiplier != 1.0
    # Planted pairs get no delivery on the way, which would blur the imbalance.
    arriving = (rng.random(n_items) < 0.15) & ~planted
    in_transit = np.where(arriving, rng.poisson(rate * 3.0), 0).astype(float)
    history = np.array(
        [np.round(recent_rate(true_demand, n_days - offset) * cover) for offset in history_offsets]
    ).reshape(len(history_offsets), n_items)
    return StoreStock(on_hand, in_transit, history)


def storage_capacity(
    on_hand: list[np.ndarray],
    in_transit: list[np.ndarray],
    daily_rate: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """Storage per store: about a month of average sales, and always the snapshot with headroom."""
    stock = np.array([float(a.sum() + b.sum()) for a, b in zip(on_hand, in_transit, strict=True)])
    capacity_days = rng.uniform(28.0, 36.0, daily_rate.size)
    return np.ceil(np.maximum(daily_rate * capacity_days, stock * 1.25) / 100.0) * 100.0


def snapshot_columns(
    assortment: Assortment,
    stock: list[StoreStock],
    calendar: Calendar,
    store_ids: pa.Array,
    product_ids: pa.Array,
    history_offsets: tuple[int, ...] = (),
) -> dict[str, pa.Array | np.ndarray]:
    """inventory_snapshot: one row per store x product carried per snapshot date, the history
    snapshots oldest first, then the latest (the last sales day)."""
    snapshot_store = np.concatenate([np.full(a.size, s) for s, a in enumerate(assortment.products)])
    snapshot_product = np.concatenate(assortment.products)
    n_pairs, last_day = snapshot_store.size, int(calendar.epoch_days[-1])
    # oldest first: history_offsets runs from the nearest date back
    order = list(reversed(range(len(history_offsets))))
    on_hand = [np.concatenate([s.on_hand_history[h] for s in stock]) for h in order]
    days = [last_day - history_offsets[h] for h in order]
    on_hand.append(np.concatenate([s.on_hand for s in stock]))
    days.append(last_day)
    n_dates = len(days)
    in_transit = np.concatenate([np.zeros(n_pairs * (n_dates - 1)), *(s.in_transit for s in stock)])
    return {
        "store_id": store_ids.take(pa.array(np.tile(snapshot_store, n_dates))),
        "product_id": product_ids.take(pa.array(np.tile(snapshot_product, n_dates))),
        "on_hand_units": np.concatenate(on_hand),
        "snapshot_date": date32(np.repeat(np.array(days, dtype=np.int64), n_pairs)),
        "in_transit_units": in_transit,
        "on_hand_simulated": np.zeros(n_pairs * n_dates, dtype=bool),
    }
