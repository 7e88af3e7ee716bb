"""Planned covariates of the demo: the promotions already planned and the holidays of the days
after the history, for every store x product still on sale."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa

from python_assets.inputs.demo.assortment import Assortment, Products
from python_assets.inputs.demo.dates import Calendar, build_calendar
from python_assets.inputs.demo.demand import RegionDrivers, weekly_discounts
from python_assets.inputs.demo.files import date32
from python_assets.inputs.demo.network import Stores
from python_assets.inputs.demo.profiles import SeriesPatterns

# The forecast's default horizon: a week of plans.
PLANNED_DAYS = 7


def planned_covariate_columns(
    end_date: date,
    stores: Stores,
    products: Products,
    calendar: Calendar,
    drivers: RegionDrivers,
    assortment: Assortment,
    patterns: SeriesPatterns,
    store_ids: pa.Array,
    product_ids: pa.Array,
    rng: np.random.Generator,
) -> dict[str, pa.Array | np.ndarray]:
    """planned_covariates: one row per store x product on sale x day of the next PLANNED_DAYS.

    The week of the last sales day keeps its promotions; later weeks get new ones, drawn like
    the history's.
    """
    future = build_calendar(end_date + timedelta(days=PLANNED_DAYS), PLANNED_DAYS)
    # Monday-based weeks counted from the history's first day (1970-01-05 was a Monday).
    week = (future.epoch_days - 4) // 7 - (calendar.epoch_days[0] - 4) // 7
    last_week = int(calendar.week[-1])
    n_new = max(0, int(week.max()) - last_week)
    # (region, week from the last history week on, product)
    weeks = np.concatenate(
        [
            drivers.discount[:, -1:, :],
            weekly_discounts(len(stores.region_names), n_new, products, rng),
        ],
        axis=1,
    )
    discount = weeks[:, week - last_week, :]

    on_sale = patterns.stop_day >= patterns.n_days
    store_of, product_of = [], []
    for s, carried in enumerate(assortment.products):
        kept = carried[on_sale[carried]]
        store_of.append(np.full(kept.size, s))
        product_of.append(kept)
    store = np.repeat(np.concatenate(store_of), PLANNED_DAYS)
    product = np.repeat(np.concatenate(product_of), PLANNED_DAYS)
    day = np.tile(np.arange(PLANNED_DAYS), store.size // PLANNED_DAYS)
    row_discount = discount[stores.region[store], day, product].astype(np.float64)
    return {
        "date": date32(future.epoch_days[day]),
        "store_id": store_ids.take(pa.array(store)),
        "product_id": product_ids.take(pa.array(product)),
        "discount": row_discount,
        "promo_flag": row_discount < 1.0,
        "holiday_flag": future.holiday[day],
    }
