"""Demand drivers shared by every store of a region: season, holidays, trend and promotions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from python_assets.inputs.demo.assortment import Products
from python_assets.inputs.demo.dates import Calendar
from python_assets.inputs.demo.network import REGIONS, Stores

NEG_BINOMIAL_SHAPE = 6.0
ANNUAL_GROWTH = 0.04


@dataclass(frozen=True)
class RegionDrivers:
    day_subcategory: np.ndarray  # (region, day, subcategory): season x holiday x trend
    discount: np.ndarray  # (region, day, product): price factor, < 1 on promotion days
    uplift: np.ndarray  # (region, day, product): promotional demand multiplier


def build_region_drivers(
    stores: Stores, products: Products, calendar: Calendar, rng: np.random.Generator
) -> RegionDrivers:
    n_regions = len(stores.region_names)
    n_days = calendar.epoch_days.size
    subs = products.subcategories
    peak = np.array([s.peak_doy for s in subs], dtype=float)
    amplitude = np.array([s.amplitude for s in subs])
    lift = np.array([s.holiday_lift for s in subs])
    phase = 2.0 * np.pi * (calendar.day_of_year[:, None] - peak[None, :]) / 365.25
    trend = 1.0 + ANNUAL_GROWTH * np.arange(n_days) / 365.0
    holiday = np.where(calendar.holiday[:, None], lift[None, :], 1.0)

    day_subcategory = np.empty((n_regions, n_days, len(subs)), dtype=np.float32)
    for r in range(n_regions):
        # Seasons swing less in the south (Miami soups) than in the north (Seattle soups).
        latitude = float(np.mean([c[1] for c in REGIONS[r][1]]))
        seasonality = float(np.clip(0.5 + (latitude - 30.0) / 30.0, 0.6, 1.2))
        season = 1.0 + seasonality * amplitude[None, :] * np.cos(phase)
        day_subcategory[r] = season * holiday * trend[:, None]

    n_weeks = int(calendar.week[-1]) + 1
    weekly_discount = weekly_discounts(n_regions, n_weeks, products, rng)
    discount = weekly_discount[:, calendar.week, :]
    uplift = np.power(discount, -products.elasticity[None, None, :]).astype(np.float32)
    return RegionDrivers(day_subcategory=day_subcategory, discount=discount, uplift=uplift)


def weekly_discounts(
    n_regions: int, n_weeks: int, products: Products, rng: np.random.Generator
) -> np.ndarray:
    """(region, week, product) price factor: chain-wide promotions run per region, product and
    Monday-to-Sunday week."""
    n_products = products.base_rate.size
    on_promo = (
        rng.random((n_regions, n_weeks, n_products)) < products.promo_probability[None, None, :]
    )
    depth = rng.choice(
        np.array([0.10, 0.15, 0.20, 0.25, 0.30, 0.35]), size=(n_regions, n_weeks, n_products)
    )
    return np.round(np.where(on_promo, 1.0 - depth, 1.0), 2)
