"""Stock at the snapshot: on hand from recent true demand times days of cover, deliveries on
the way, and the storage capacity that must hold them."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from python_assets.inputs.demo.assortment import Assortment
from python_assets.inputs.demo.dates import Calendar
from python_assets.inputs.demo.files import date32

RECENT_DEMAND_DAYS = 28
TARGET_COVER_DAYS = 12.0


def store_stock(
    true_demand: np.ndarray, item_cover_multiplier: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """(on hand, in transit) per item of one store, from its (day, item) true demand.

    item_cover_multiplier is 1 except for the items of a planted imbalance.
    """
    n_items = true_demand.shape[1]
    recent_rate = true_demand[-RECENT_DEMAND_DAYS:].mean(axis=0)
    store_cover = TARGET_COVER_DAYS * rng.uniform(0.92, 1.08)
    cover = store_cover * rng.lognormal(0.0, 0.12, n_items) * item_cover_multiplier
    on_hand = np.round(recent_rate * cover)
    planted = item_cover_multiplier != 1.0
    # Planted pairs get no delivery on the way, which would blur the imbalance.
    arriving = (rng.random(n_items) < 0.15) & ~planted
    in_transit = np.where(arriving, rng.poisson(recent_rate * 3.0), 0).astype(float)
    return on_hand, in_transit


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
    on_hand: list[np.ndarray],
    in_transit: list[np.ndarray],
    calendar: Calendar,
    store_ids: pa.Array,
    product_ids: pa.Array,
) -> dict[str, pa.Array | np.ndarray]:
    """inventory_snapshot: one row per store x product carried, on the last sales day."""
    snapshot_store = np.concatenate([np.full(a.size, s) for s, a in enumerate(assortment.products)])
    snapshot_product = np.concatenate(assortment.products)
    return {
        "store_id": store_ids.take(pa.array(snapshot_store)),
        "product_id": product_ids.take(pa.array(snapshot_product)),
        "on_hand_units": np.concatenate(on_hand),
        "snapshot_date": date32(np.full(snapshot_store.size, calendar.epoch_days[-1])),
        "in_transit_units": np.concatenate(in_transit),
        "on_hand_simulated": np.zeros(snapshot_store.size, dtype=bool),
    }
