"""Synthetic allocation instances at any scale (tests and benchmarks of the allocation LP).

Shaped like FreshRetailNet-50K: stores in city clusters (uniform over a 15 km disc around
city centres drawn in the same inland box of eastern China the adapter assumes), each product
stocked by a random subset of stores, lognormal demand, current inventory a random (unbalanced)
cover of demand. Costs are the seeds' (seeds/cost_parameters.csv): holding 0.10 per unit per
day x horizon, stockout penalty 2.50, manufacturing 1.00, distribution 0.20 per unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from python_assets.optimization.constraints import max_capacity, safety_stock

KM_PER_DEGREE_LAT = 111.32


@dataclass(frozen=True)
class SyntheticInstance:
    stores: pd.DataFrame  # store_id, latitude, longitude, city_id
    store_products: pd.DataFrame
    products: pd.DataFrame


def synthetic_instance(
    n_stores: int = 898,
    n_products: int = 865,
    n_pairs: int = 50_000,
    n_cities: int = 18,
    seed: int = 0,
    horizon_days: int = 7,
    z_alpha: float = 1.6449,
    holding_per_unit_day: float = 0.10,
    stockout_penalty: float = 2.50,
    manufacturing_cost: float = 1.00,
    distribution_cost: float = 0.20,
    capacity_cover_days: float = 21.0,
    production_capacity_share: float = 1.5,
    cover_sigma: float = 0.8,
    latitude_range: tuple[float, float] = (24.5, 36.0),
    longitude_range: tuple[float, float] = (110.0, 118.0),
    store_jitter_km: float = 15.0,
) -> SyntheticInstance:
    """A random instance; `n_pairs` store x product pairs spread over the products.

    - current_inv = round(demand x lognormal cover (median 1, sigma `cover_sigma`)): some
      stores hold several times their demand, others little - an unbalanced network;
    - max_capacity = capacity_cover_days of demand, never below current_inv (`max_capacity`,
      as the warehouse computes it; so every product is feasible);
    - max_production = production_capacity_share x the product's network demand.
    """
    if n_pairs > n_stores * n_products or n_pairs < 2 * n_products:
        raise ValueError("need 2 x n_products <= n_pairs <= n_stores x n_products")
    rng = np.random.default_rng(seed)
    n_cities = min(n_cities, n_stores)
    c_lat = rng.uniform(*latitude_range, n_cities)
    c_lon = rng.uniform(*longitude_range, n_cities)
    city_w = rng.dirichlet(np.full(n_cities, 3.0))
    city = np.sort(rng.choice(n_cities, n_stores, p=city_w))
    city[:n_cities] = np.arange(n_cities)  # every city has a store
    r = store_jitter_km * np.sqrt(rng.uniform(size=n_stores))
    bearing = rng.uniform(0, 2 * np.pi, n_stores)
    lat = c_lat[city] + r * np.cos(bearing) / KM_PER_DEGREE_LAT
    lon = c_lon[city] + r * np.sin(bearing) / (KM_PER_DEGREE_LAT * np.cos(np.radians(c_lat[city])))
    stores = pd.DataFrame(
        {"store_id": np.arange(n_stores), "latitude": lat, "longitude": lon, "city_id": city}
    )

    # stores per product: at least 2, sums to n_pairs, spread like FreshRetailNet (skewed)
    share = rng.lognormal(0.0, 0.6, n_products)
    per_product = np.maximum(2, np.floor(share / share.sum() * n_pairs).astype(np.int64))
    per_product = np.minimum(per_product, n_stores)
    diff = n_pairs - per_product.sum()
    order = rng.permutation(n_products)
    i = 0
    while diff != 0:
        p = order[i % n_products]
        step = 1 if diff > 0 else -1
        if 2 <= per_product[p] + step <= n_stores:
            per_product[p] += step
            diff -= step
        i += 1
    store_w = rng.lognormal(0.0, 0.5, n_stores)
    store_w /= store_w.sum()
    pid_parts, sid_parts = [], []
    for p in range(n_products):
        chosen = rng.choice(n_stores, per_product[p], replace=False, p=store_w)
        pid_parts.append(np.full(per_product[p], p))
        sid_parts.append(np.sort(chosen))
    pid = np.concatenate(pid_parts)
    sid = np.concatenate(sid_parts)
    n = len(pid)

    daily = rng.lognormal(0.5, 1.0, n)
    cv = rng.uniform(0.3, 1.0, n)
    demand = daily * horizon_days
    demand_std = daily * cv * np.sqrt(horizon_days)
    current = np.round(demand * rng.lognormal(0.0, cover_sigma, n))
    lead = rng.choice([1.0, 2.0, 3.0], n)
    ss = safety_stock(z_alpha, daily * cv, lead)
    storage = np.ceil(daily * capacity_cover_days)
    store_products = pd.DataFrame(
        {
            "store_id": sid,
            "product_id": pid,
            "current_inv": current,
            "demand": demand,
            "demand_std": demand_std,
            "lead_time_days": lead,
            "safety_stock": ss,
            "storage_capacity": storage,
            "max_capacity": max_capacity(storage, current),
            "holding_cost": np.full(n, holding_per_unit_day * horizon_days),
            "stockout_penalty": np.full(n, stockout_penalty),
            "distribution_cost": np.full(n, distribution_cost),
        }
    )
    net_demand = np.bincount(pid, weights=demand, minlength=n_products)
    products = pd.DataFrame(
        {
            "product_id": np.arange(n_products),
            "manufacturing_cost": np.full(n_products, manufacturing_cost),
            "max_production": np.ceil(production_capacity_share * net_demand),
        }
    )
    return SyntheticInstance(stores=stores, store_products=store_products, products=products)
