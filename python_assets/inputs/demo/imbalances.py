"""Planted imbalances: store x subcategory covers pushed far off, the ground truth the
imbalance rule must find."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from python_assets.inputs.demo.assortment import Assortment, Products
from python_assets.inputs.demo.network import Stores

# A single outlier among n values reaches at most |z| = (n - 1) / sqrt(n) (sample std), which
# only clears 2.0 comfortably from about 8 members; smaller archetypes get no planted pair.
MIN_ARCHETYPE_STORES_TO_PLANT = 8
PLANTED_PAIR_SHARE = 0.03
MIN_PLANTED_PAIRS = 2


@dataclass(frozen=True)
class Planted:
    store: np.ndarray
    subcategory: np.ndarray
    direction: tuple[str, ...]
    multiplier: np.ndarray


def plant_imbalances(
    stores: Stores, products: Products, assortment: Assortment, rng: np.random.Generator
) -> Planted:
    """Pick (store, subcategory) pairs whose whole subcategory cover is pushed far off.

    At most one pair per (archetype, subcategory), so the rest of the group stays a clean
    reference for a within-cluster Z-score.
    """
    n_sub = len(products.subcategories)
    slots = [
        (a, k)
        for a in range(len(stores.archetype_names))
        if np.sum(stores.archetype == a) >= MIN_ARCHETYPE_STORES_TO_PLANT
        for k in range(n_sub)
    ]
    target = max(MIN_PLANTED_PAIRS, round(PLANTED_PAIR_SHARE * stores.archetype.size * n_sub))
    n_plant = min(len(slots), target)
    chosen = (
        np.sort(rng.choice(len(slots), size=n_plant, replace=False))
        if n_plant
        else np.array([], dtype=int)
    )
    planted_count = np.zeros(stores.archetype.size, dtype=int)
    store_of: list[int] = []
    for slot in chosen:
        a = slots[slot][0]
        members = np.flatnonzero(stores.archetype == a)
        # Spread the pairs over stores so one store does not collect every imbalance.
        fewest = members[planted_count[members] == planted_count[members].min()]
        pick = int(rng.choice(fewest))
        planted_count[pick] += 1
        store_of.append(pick)
    directions = np.array(["over", "under"] * (n_plant // 2 + 1))[:n_plant]
    directions = directions[rng.permutation(n_plant)]
    over = directions == "over"
    multiplier = np.where(over, rng.uniform(3.0, 4.0, n_plant), rng.uniform(0.10, 0.25, n_plant))
    return Planted(
        store=np.array(store_of, dtype=int),
        subcategory=np.array([slots[i][1] for i in chosen], dtype=int),
        direction=tuple(str(d) for d in directions),
        multiplier=np.round(multiplier, 2),
    )


def planted_columns(
    planted: Planted, products: Products, store_ids: pa.Array
) -> dict[str, pa.Array | np.ndarray]:
    """planted_imbalances: one row per planted store x subcategory, ordered by both."""
    order = np.lexsort((planted.subcategory, planted.store))
    return {
        "store_id": store_ids.take(pa.array(planted.store[order], type=pa.int64())),
        "subcategory": pa.array(
            [products.subcategories[planted.subcategory[i]].name for i in order], type=pa.string()
        ),
        "direction": pa.array([planted.direction[i] for i in order], type=pa.string()),
        "cover_multiplier": planted.multiplier[order].astype(np.float64),
    }
