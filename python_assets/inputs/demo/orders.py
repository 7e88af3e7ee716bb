"""Customers with a home store and a behaviour segment, and their order lines."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from python_assets.inputs.demo.assortment import Assortment, Products
from python_assets.inputs.demo.dates import Calendar
from python_assets.inputs.demo.demand import RegionDrivers
from python_assets.inputs.demo.files import date32, id_width, prefixed_ids
from python_assets.inputs.demo.network import Stores
from python_assets.inputs.demo.parameters import DemoSize

# (segment, share of customers, orders per month, lines per order, units per line)
_CUSTOMER_SEGMENTS: tuple[tuple[str, float, float, float, float], ...] = (
    ("champion", 0.10, 6.0, 4.5, 2.5),
    ("loyal", 0.20, 3.0, 3.5, 1.8),
    ("regular", 0.30, 1.2, 2.5, 1.5),
    ("occasional", 0.25, 0.3, 2.0, 1.3),
    ("lapsed", 0.10, 1.5, 2.5, 1.5),
    ("new", 0.05, 2.0, 3.0, 1.6),
)


def build_orders(
    size: DemoSize,
    stores: Stores,
    products: Products,
    calendar: Calendar,
    drivers: RegionDrivers,
    assortment: Assortment,
    rng: np.random.Generator,
    active: np.ndarray | None = None,
) -> dict[str, pa.Array | np.ndarray]:
    """customer_orders: one row per order line. active, (day, product), drops the lines of
    products not on sale that day (before a launch, after a discontinuation)."""
    n_cust, n_days = size.n_customers, calendar.epoch_days.size
    segment = rng.choice(len(_CUSTOMER_SEGMENTS), size=n_cust, p=[s[1] for s in _CUSTOMER_SEGMENTS])
    names = [s[0] for s in _CUSTOMER_SEGMENTS]
    frequency = np.array([s[2] for s in _CUSTOMER_SEGMENTS])[segment] * rng.lognormal(
        0.0, 0.35, n_cust
    )
    lines_mean = np.array([s[3] for s in _CUSTOMER_SEGMENTS])[segment]
    units_mean = np.array([s[4] for s in _CUSTOMER_SEGMENTS])[segment] * rng.lognormal(
        0.0, 0.3, n_cust
    )
    home_weight = stores.volume**0.7
    home = rng.choice(stores.volume.size, size=n_cust, p=home_weight / home_weight.sum())

    # Active windows give the recency structure: lapsed customers stopped, new ones just started.
    first_day = np.zeros(n_cust, dtype=int)
    last_day = np.full(n_cust, n_days - 1)
    casual = np.isin(segment, [names.index("regular"), names.index("occasional")])
    first_day[casual] = rng.integers(0, max(1, int(0.3 * n_days)), casual.sum())
    new = segment == names.index("new")
    first_day[new] = n_days - rng.integers(14, min(90, n_days) + 1, new.sum())
    lapsed = segment == names.index("lapsed")
    shortest_gap = min(120, n_days // 4)
    longest_gap = max(shortest_gap + 1, min(330, 3 * n_days // 4))
    gap = rng.integers(shortest_gap, longest_gap, lapsed.sum())
    last_day[lapsed] = n_days - 1 - gap
    window = last_day - first_day + 1

    n_orders = np.maximum(1, rng.poisson(frequency * window / 30.0))
    customer = np.repeat(np.arange(n_cust), n_orders)
    day = first_day[customer] + np.floor(rng.random(customer.size) * window[customer]).astype(int)
    # Most orders at the home store, some at another store of the same region.
    store = home[customer].copy()
    away = np.flatnonzero(rng.random(customer.size) < 0.10)
    for r in range(len(stores.region_names)):
        in_region = np.flatnonzero(stores.region == r)
        hits = away[stores.region[store[away]] == r]
        store[hits] = rng.choice(in_region, size=hits.size)
    order_sort = np.lexsort((customer, day))
    customer, day, store = customer[order_sort], day[order_sort], store[order_sort]
    n_lines = 1 + rng.poisson(lines_mean[customer] - 1.0)

    line_order = np.repeat(np.arange(customer.size), n_lines)
    line_store = store[line_order]
    line_product = np.empty(line_order.size, dtype=np.int64)
    for s in range(stores.volume.size):
        rows = np.flatnonzero(line_store == s)
        weights = assortment.base_rate[s] / assortment.base_rate[s].sum()
        line_product[rows] = assortment.products[s][
            rng.choice(weights.size, size=rows.size, p=weights)
        ]
    line_units = 1 + rng.poisson(np.maximum(units_mean[customer[line_order]] - 1.0, 0.0))

    # The same product twice in a basket is one line with more units: (order, product) is the key.
    key = line_order * products.base_rate.size + line_product
    unique_key, inverse = np.unique(key, return_inverse=True)
    units = np.bincount(inverse, weights=line_units).astype(float)
    order_of = unique_key // products.base_rate.size
    product_of = unique_key % products.base_rate.size
    if active is not None:
        on_sale = active[day[order_of], product_of]
        units, order_of, product_of = units[on_sale], order_of[on_sale], product_of[on_sale]
    order_day = day[order_of]
    order_store = store[order_of]
    discount = drivers.discount[stores.region[order_store], order_day, product_of]
    amount = np.round(units * products.unit_price[product_of] * discount, 2)

    order_ids = prefixed_ids("O", np.arange(1, customer.size + 1), id_width(customer.size, 7))
    customer_ids = prefixed_ids("C", np.arange(1, n_cust + 1), id_width(n_cust, 5))
    return {
        "order_id": order_ids.take(pa.array(order_of)),
        "customer_id": customer_ids.take(pa.array(customer[order_of])),
        "order_date": date32(calendar.epoch_days[order_day]),
        "store_id": prefixed_ids("S", order_store + 1, id_width(stores.volume.size, 3)),
        "amount": amount,
        "product_id": prefixed_ids("P", product_of + 1, id_width(products.base_rate.size, 4)),
        "units": units,
    }
