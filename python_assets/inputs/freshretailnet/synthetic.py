"""Synthetic files in FreshRetailNet-50K's published layout, for tests and benchmarks."""

from __future__ import annotations

import math
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from python_assets.inputs.freshretailnet.layout import PUBLISHED_SCHEMA

# Mainland public holidays in the published window (Qingming, Labour Day, Dragon Boat).
_PUBLIC_HOLIDAYS = {date(2024, 4, d) for d in (4, 5, 6)} | {date(2024, 5, d) for d in range(1, 6)}
_PUBLIC_HOLIDAYS |= {date(2024, 6, 10)}
_CHUNK_ROWS = 400_000  # bounds memory: the 24-hour matrices dominate, about 0.5 GB per chunk
_HOURS = np.arange(24)
_NIGHT = (_HOURS < 6) | (_HOURS >= 22)
# Share of a day's sales per hour: nothing before 06:00, a morning and an evening peak.
_PROFILE = np.where(
    _NIGHT,
    0.0,
    1.0 + np.exp(-((_HOURS - 9) ** 2) / 4.0) + 1.5 * np.exp(-((_HOURS - 18) ** 2) / 5.0),
)
_PROFILE = _PROFILE / _PROFILE.sum()


def _hierarchy(n_products: int) -> np.ndarray:
    """(n_products, 4) management group, first, second, third category ids, nested like the
    published ones (7 / 32 / 84 / 233 for 865 products)."""
    n_third = max(1, min(233, math.ceil(n_products / 3.7)))
    n_second = max(1, min(84, math.ceil(n_third / 2.8)))
    n_first = max(1, min(32, math.ceil(n_second / 2.6)))
    n_group = max(1, min(7, math.ceil(n_first / 4.6)))
    third = np.arange(n_products) % n_third
    second = third % n_second
    first = second % n_first
    group = first % n_group
    return np.stack([group, first, second, third], axis=1).astype(np.int32)


def write_synthetic_freshretailnet(
    path: Path,
    n_cities: int,
    n_stores: int,
    n_products: int,
    n_days: int,
    seed: int = 0,
    start: date = date(2024, 3, 28),
) -> int:
    """Write a parquet file in FreshRetailNet-50K's published layout (same columns and types as
    train.parquet) with every store x product series over n_days days; return its row count.

    Values are plausible, not real: skewed city sizes, lognormal series demand, weekly and
    promotion effects, evening sell-outs and night-time out-of-stock hours, weather per city and
    day. Written in chunks of stores, so 16M+ rows fit in modest memory. The adapter drops days
    from 2024-06-19 on, so keep start + n_days inside the training window (83 days by default).
    """
    if n_cities < 1 or n_stores < n_cities or n_products < 1 or n_days < 1:
        raise ValueError("need n_cities >= 1, n_stores >= n_cities, n_products >= 1, n_days >= 1")
    rng = np.random.default_rng(seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    # Every city gets a store; the rest go to a few large cities, as in the real data.
    weights = 1.0 / np.arange(1, n_cities + 1) ** 1.3
    extra = rng.choice(n_cities, size=n_stores - n_cities, p=weights / weights.sum())
    store_city = np.sort(np.concatenate([np.arange(n_cities), extra])).astype(np.int32)
    hierarchy = _hierarchy(n_products)

    days = [start + timedelta(days=i) for i in range(n_days)]
    day_strings = pa.array([d.isoformat() for d in days], pa.string())
    weekend = np.array([d.weekday() >= 5 for d in days])
    holiday = weekend | np.array([d in _PUBLIC_HOLIDAYS for d in days])
    day_factor = np.where(weekend, 1.15, 1.0) * np.where(holiday & ~weekend, 1.1, 1.0)
    season = (np.arange(n_days) + (start - date(start.year, 3, 28)).days) / 83.0

    # Weather per city and day: spring warming into summer, showers on some days.
    temperature = (
        14.0 + 14.0 * np.clip(season, 0, 1)[None, :] + rng.normal(0, 2.0, (n_cities, n_days))
    )
    temperature += rng.uniform(-3, 3, (n_cities, 1))
    rainy = rng.random((n_cities, n_days)) < 0.45
    precipitation = np.where(rainy, rng.gamma(0.8, 6.0, (n_cities, n_days)), 0.0)
    humidity = np.clip(
        60 + 3.0 * np.sqrt(precipitation) + rng.normal(0, 10, (n_cities, n_days)), 27, 100
    )
    wind = np.clip(rng.gamma(6.0, 0.35, (n_cities, n_days)), 0.97, 3.85)

    promo_product_day = rng.random((n_products, n_days)) < 0.38
    base_demand = rng.lognormal(-0.45, 0.8, (n_stores, n_products))
    sellout_p = rng.beta(2.0, 6.0, (n_stores, n_products))
    night_p = rng.beta(2.0, 2.5, (n_stores, n_products))

    rows_per_store = n_products * n_days
    stores_per_chunk = max(1, _CHUNK_ROWS // rows_per_store)
    total = 0
    with pq.ParquetWriter(path, PUBLISHED_SCHEMA, compression="zstd") as writer:
        for s0 in range(0, n_stores, stores_per_chunk):
            s1 = min(n_stores, s0 + stores_per_chunk)
            n = (s1 - s0) * rows_per_store
            store = np.repeat(np.arange(s0, s1), rows_per_store)
            product = np.tile(np.repeat(np.arange(n_products), n_days), s1 - s0)
            day = np.tile(np.arange(n_days), (s1 - s0) * n_products)
            city = store_city[store]

            promo = promo_product_day[product, day]
            discount = np.where(
                promo,
                np.round(1.0 - rng.uniform(0.05, 0.4, n), 3),
                np.where(rng.random(n) < 0.1, np.round(rng.uniform(0.85, 1.0, n), 3), 1.0),
            )
            demand = (
                base_demand[store, product]
                * day_factor[day]
                * (1.0 + 1.5 * (1.0 - discount))
                * rng.lognormal(0.0, 0.35, n)
            )
            full_day = rng.random(n) < 0.035
            sellout = rng.random(n) < sellout_p[store, product]
            sellout_hour = rng.integers(10, 22, n)
            night = rng.random(n) < night_p[store, product]
            status = (
                full_day[:, None]
                | (sellout[:, None] & (sellout_hour[:, None] <= _HOURS) & ~_NIGHT)
                | (night[:, None] & _NIGHT)
            )
            hours_sale = np.round(demand[:, None] * _PROFILE * ~status, 2)
            sale_amount = np.round(hours_sale.sum(axis=1), 2)
            status_int = status.astype(np.int32)
            offsets = pa.array(np.arange(0, 24 * n + 1, 24, dtype=np.int32))

            table = pa.Table.from_arrays(
                [
                    pa.array(city, pa.int32()),
                    pa.array(store, pa.int32()),
                    pa.array(hierarchy[product, 0]),
                    pa.array(hierarchy[product, 1]),
                    pa.array(hierarchy[product, 2]),
                    pa.array(hierarchy[product, 3]),
                    pa.array(product, pa.int32()),
                    day_strings.take(pa.array(day)),
                    pa.array(sale_amount),
                    pa.ListArray.from_arrays(
                        offsets, pa.array(hours_sale.ravel()), type=PUBLISHED_SCHEMA.field(9).type
                    ),
                    pa.array(status_int[:, 6:22].sum(axis=1, dtype=np.int32)),
                    pa.ListArray.from_arrays(
                        offsets, pa.array(status_int.ravel()), type=PUBLISHED_SCHEMA.field(11).type
                    ),
                    pa.array(discount),
                    pa.array(holiday[day].astype(np.int32)),
                    pa.array(promo.astype(np.int32)),
                    pa.array(np.round(precipitation[city, day], 4)),
                    pa.array(np.round(temperature[city, day], 2)),
                    pa.array(np.round(humidity[city, day], 2)),
                    pa.array(np.round(wind[city, day], 2)),
                ],
                schema=PUBLISHED_SCHEMA,
            )
            writer.write_table(table, row_group_size=122_880)
            total += n
    return total
