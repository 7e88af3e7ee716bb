"""transfers_executed for the demo: a week of store-to-store transfers as a transport system would
log them, most shipped and received in full, some short-shipped, a few with units lost on the way.
Simulated; nothing else in the demo depends on it."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from python_assets.inputs.demo.assortment import Assortment
from python_assets.inputs.demo.dates import Calendar
from python_assets.inputs.demo.files import date32
from python_assets.inputs.demo.network import Stores

LINES_PER_STORE = 3
SHORT_SHIP_SHARE = 0.2  # lines shipped at 50-90% of plan
LOSS_SHARE = 0.05  # lines arriving one unit short


def executed_transfer_columns(
    stores: Stores,
    assortment: Assortment,
    calendar: Calendar,
    store_ids: pa.Array,
    product_ids: pa.Array,
    rng: np.random.Generator,
) -> dict[str, pa.Array | np.ndarray]:
    """Each store sends up to LINES_PER_STORE products both it and its receiver carry to one other
    store of its region (any other store when alone in it), shipped in the last week."""
    senders, receivers, products = [], [], []
    n_stores = len(stores.region)
    for sender in range(n_stores):
        same_region = np.flatnonzero(stores.region == stores.region[sender])
        candidates = same_region[same_region != sender]
        if candidates.size == 0:
            candidates = np.delete(np.arange(n_stores), sender)
        if candidates.size == 0:
            continue
        receiver = int(rng.choice(candidates))
        shared = np.intersect1d(assortment.products[sender], assortment.products[receiver])
        chosen = rng.choice(shared, size=min(LINES_PER_STORE, shared.size), replace=False)
        senders += [sender] * chosen.size
        receivers += [receiver] * chosen.size
        products += sorted(chosen.tolist())
    n = len(products)
    planned = rng.integers(2, 21, size=n).astype(np.float64)
    short = rng.random(n) < SHORT_SHIP_SHARE
    shipped = np.where(short, np.floor(planned * rng.uniform(0.5, 0.9, size=n)), planned)
    lost = (rng.random(n) < LOSS_SHARE) & (shipped > 0)
    received = shipped - lost
    ship_day = calendar.epoch_days[-1] - rng.integers(1, 8, size=n)
    return {
        "ship_date": date32(ship_day),
        "from_store_id": store_ids.take(pa.array(senders, type=pa.int64())),
        "to_store_id": store_ids.take(pa.array(receivers, type=pa.int64())),
        "product_id": product_ids.take(pa.array(products, type=pa.int64())),
        "planned_units": planned,
        "shipped_units": shipped,
        "received_units": received,
    }
