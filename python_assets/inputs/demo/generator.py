"""Deterministic generator of the synthetic demo retail network (stores, products, sales,
inventory, customer orders) that `make run` feeds through the whole pipeline."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from python_assets.inputs.contract import (
    CUSTOMER_ORDERS,
    DATASET_ASSUMPTIONS,
    INVENTORY_SNAPSHOT,
    PLANTED_IMBALANCES,
    PRODUCTS,
    SALES_DAILY,
    STORES,
    InputTable,
)


@dataclass(frozen=True)
class DemoSize:
    n_regions: int
    n_stores: int
    n_products: int
    n_days: int
    n_customers: int


DEMO_SIZES: dict[str, DemoSize] = {
    "tiny": DemoSize(n_regions=3, n_stores=12, n_products=12, n_days=400, n_customers=200),
    "default": DemoSize(n_regions=5, n_stores=48, n_products=120, n_days=430, n_customers=3000),
    "large": DemoSize(n_regions=8, n_stores=200, n_products=400, n_days=430, n_customers=20000),
}

PARQUET_COMPRESSION = "zstd"
# Rows per sales row group; about two such blocks are in memory at once (see _write_sales).
SALES_BLOCK_ROWS = 1_000_000
RECENT_DEMAND_DAYS = 28
TARGET_COVER_DAYS = 12.0
# A single outlier among n values reaches at most |z| = (n - 1) / sqrt(n) (sample std), which
# only clears 2.0 comfortably from about 8 members; smaller archetypes get no planted pair.
MIN_ARCHETYPE_STORES_TO_PLANT = 8
PLANTED_PAIR_SHARE = 0.03
MIN_PLANTED_PAIRS = 2
NEG_BINOMIAL_SHAPE = 6.0
ANNUAL_GROWTH = 0.04

_SQL_TO_ARROW: dict[str, pa.DataType] = {
    "varchar": pa.string(),
    "double": pa.float64(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}


# ---------------------------------------------------------------------------------------------
# Fixed reference data: real city centres, store archetypes, the product catalogue
# ---------------------------------------------------------------------------------------------

# fmt: off
# (region, ((city, latitude, longitude), ...)) - US metro centres, so distances are real.
_REGIONS: tuple[tuple[str, tuple[tuple[str, float, float], ...]], ...] = (
    ("Northeast", (("New York", 40.7128, -74.0060), ("Boston", 42.3601, -71.0589), ("Philadelphia", 39.9526, -75.1652))),
    ("Midwest", (("Chicago", 41.8781, -87.6298), ("Detroit", 42.3314, -83.0458), ("Minneapolis", 44.9778, -93.2650))),
    ("Southeast", (("Atlanta", 33.7490, -84.3880), ("Charlotte", 35.2271, -80.8431), ("Nashville", 36.1627, -86.7816))),
    ("Texas", (("Dallas", 32.7767, -96.7970), ("Houston", 29.7604, -95.3698), ("Austin", 30.2672, -97.7431))),
    ("West Coast", (("Los Angeles", 34.0522, -118.2437), ("San Francisco", 37.7749, -122.4194), ("San Diego", 32.7157, -117.1611))),
    ("Mountain", (("Denver", 39.7392, -104.9903), ("Salt Lake City", 40.7608, -111.8910), ("Phoenix", 33.4484, -112.0740))),
    ("Pacific Northwest", (("Seattle", 47.6062, -122.3321), ("Portland", 45.5152, -122.6784), ("Spokane", 47.6588, -117.4260))),
    ("Florida", (("Miami", 25.7617, -80.1918), ("Orlando", 28.5383, -81.3792), ("Tampa", 27.9506, -82.4572))),
)
# fmt: on


@dataclass(frozen=True)
class _Archetype:
    format: str
    volume: float  # demand scale relative to a supermarket
    assortment_share: float  # share of the catalogue a store of this format carries
    stockout_rate: float  # base probability of a stockout day per store x product
    jitter_km: float  # spread of stores around the city centre (express = central)
    weekly: tuple[float, ...]  # Monday..Sunday demand profile
    style_affinity: tuple[float, float, float, float]  # value, standard, premium, organic


# fmt: off
_ARCHETYPES: dict[str, _Archetype] = {
    "supermarket": _Archetype("supermarket", 1.0, 0.85, 0.030, 7.0, (0.88, 0.85, 0.90, 0.95, 1.12, 1.35, 0.95), (1.0, 1.0, 1.0, 1.0)),
    "express": _Archetype("express", 0.4, 0.72, 0.050, 3.0, (1.08, 1.06, 1.08, 1.10, 1.12, 0.85, 0.71), (0.7, 1.0, 1.3, 0.9)),
    "hypermarket": _Archetype("hypermarket", 2.4, 0.92, 0.025, 12.0, (0.80, 0.78, 0.82, 0.90, 1.15, 1.55, 1.00), (1.1, 1.0, 0.9, 1.0)),
    "discounter": _Archetype("discounter", 1.4, 0.75, 0.040, 9.0, (0.95, 0.90, 0.92, 0.98, 1.15, 1.30, 0.80), (1.8, 1.0, 0.4, 0.6)),
}
# fmt: on
# Archetypes in the order they are added as the network grows, with their share of stores.
_ARCHETYPE_MIX: dict[int, tuple[tuple[str, float], ...]] = {
    2: (("supermarket", 2 / 3), ("express", 1 / 3)),
    3: (("supermarket", 0.45), ("express", 0.30), ("hypermarket", 0.25)),
    4: (("supermarket", 0.35), ("express", 0.25), ("hypermarket", 0.20), ("discounter", 0.20)),
}

_STYLES = ("value", "standard", "premium", "organic")
_STYLE_PRICE = np.array([0.75, 1.0, 1.45, 1.3])
_STYLE_DEMAND = np.array([1.3, 1.0, 0.55, 0.5])
_STYLE_BRANDS = {
    "value": ("ValuPak", "SmartBuy", "Basics"),
    "standard": ("Harvest", "Crestline", "Daily", "Homestead"),
    "premium": ("Artisan", "Reserve", "Finest"),
    "organic": ("GreenLeaf", "PureFarm", "Wildroot"),
}


@dataclass(frozen=True)
class _Subcategory:
    category: str
    name: str
    peak_doy: int  # day of year of the seasonal peak
    amplitude: float  # relative yearly swing around the mean
    base_rate: float  # units per day per product in an average supermarket
    base_price: float
    holiday_lift: float
    pack_size: float
    nouns: tuple[str, ...]
    # demand weight by archetype: supermarket, express, hypermarket, discounter
    affinity: tuple[float, float, float, float]


# Ordered so that any prefix mixes categories, seasons and archetype preferences: the tiny size
# uses the first three (summer drinks, winter soups, flat household goods).
# fmt: off
_CATALOGUE: tuple[_Subcategory, ...] = (
    _Subcategory("Beverages", "Soft Drinks", 195, 0.35, 8.0, 1.99, 1.5, 12, ("Cola", "Lemon Soda", "Ginger Ale", "Orange Soda"), (1.0, 2.4, 1.1, 1.6)),
    _Subcategory("Pantry", "Soups", 15, 0.45, 4.0, 2.49, 1.15, 12, ("Tomato Soup", "Chicken Noodle Soup", "Minestrone", "Lentil Soup"), (1.5, 0.35, 1.0, 1.1)),
    _Subcategory("Household", "Cleaning", 100, 0.10, 2.5, 4.49, 1.1, 6, ("All-Purpose Cleaner", "Glass Cleaner", "Dish Soap", "Bleach"), (0.8, 0.2, 2.4, 1.2)),
    _Subcategory("Dairy", "Ice Cream", 200, 0.60, 3.0, 5.99, 1.3, 6, ("Vanilla Ice Cream", "Chocolate Ice Cream", "Ice Pops", "Gelato"), (1.0, 1.3, 1.1, 0.6)),
    _Subcategory("Snacks", "Chips", 190, 0.10, 6.0, 3.49, 1.5, 12, ("Potato Chips", "Tortilla Chips", "Pretzels", "Popcorn"), (0.9, 2.0, 1.0, 1.7)),
    _Subcategory("Fresh", "Fruit", 180, 0.20, 10.0, 2.99, 1.15, 1, ("Bananas", "Apples", "Strawberries", "Grapes"), (1.4, 0.5, 0.6, 0.6)),
    _Subcategory("Personal Care", "Sunscreen", 180, 0.80, 1.2, 9.99, 1.2, 6, ("Sunscreen SPF30", "Sunscreen SPF50", "After-Sun Lotion"), (0.7, 0.6, 2.2, 0.5)),
    _Subcategory("Ready Meals", "Sandwiches", 170, 0.05, 5.0, 4.99, 1.1, 4, ("Club Sandwich", "Veggie Wrap", "BLT", "Chicken Wrap"), (0.8, 2.5, 0.4, 0.3)),
    _Subcategory("Dairy", "Milk", 30, 0.05, 12.0, 3.29, 1.15, 6, ("Whole Milk", "Skim Milk", "Oat Milk", "Lactose-Free Milk"), (1.3, 1.0, 0.7, 1.2)),
    _Subcategory("Pantry", "Pasta", 20, 0.08, 5.0, 1.79, 1.15, 12, ("Spaghetti", "Penne", "Fusilli", "Lasagne Sheets"), (1.3, 0.4, 1.0, 2.0)),
    _Subcategory("Beverages", "Water", 200, 0.40, 9.0, 0.99, 1.4, 24, ("Spring Water", "Sparkling Water", "Flavored Water"), (1.0, 1.8, 1.3, 1.8)),
    _Subcategory("Fresh", "Vegetables", 220, 0.05, 10.0, 1.99, 1.2, 1, ("Tomatoes", "Carrots", "Lettuce", "Potatoes"), (1.5, 0.3, 0.6, 0.6)),
    _Subcategory("Snacks", "Confectionery", 350, 0.15, 5.0, 2.49, 1.6, 24, ("Chocolate Bar", "Gummy Bears", "Mints", "Caramels"), (0.8, 2.0, 1.0, 1.0)),
    _Subcategory("Household", "Paper Goods", 60, 0.05, 3.0, 7.99, 1.1, 6, ("Paper Towels", "Toilet Paper", "Tissues", "Napkins"), (0.8, 0.2, 2.4, 1.8)),
    _Subcategory("Beverages", "Hot Drinks", 20, 0.20, 3.0, 6.99, 1.2, 6, ("Ground Coffee", "Black Tea", "Green Tea", "Hot Cocoa"), (1.1, 1.4, 1.2, 0.5)),
    _Subcategory("Fresh", "Bakery", 120, 0.05, 9.0, 2.99, 1.3, 1, ("Sourdough Loaf", "Bagels", "Croissants", "Rye Bread"), (1.3, 1.2, 0.5, 0.6)),
    _Subcategory("Dairy", "Cheese", 340, 0.12, 4.0, 4.99, 1.3, 6, ("Cheddar", "Mozzarella", "Brie", "Swiss Cheese"), (1.3, 0.5, 0.8, 0.6)),
    _Subcategory("Pantry", "Baking", 345, 0.30, 2.0, 3.49, 1.6, 12, ("Flour", "Sugar", "Baking Powder", "Chocolate Chips"), (1.3, 0.2, 1.1, 1.0)),
    _Subcategory("Frozen", "Frozen Meals", 25, 0.15, 4.0, 5.49, 1.1, 8, ("Frozen Pizza", "Frozen Lasagne", "Fish Fingers", "Frozen Curry"), (1.0, 0.8, 1.5, 1.9)),
    _Subcategory("Household", "Laundry", 90, 0.05, 2.0, 11.99, 1.1, 4, ("Laundry Detergent", "Fabric Softener", "Stain Remover"), (0.7, 0.1, 2.5, 1.8)),
    _Subcategory("Dairy", "Yogurt", 170, 0.15, 6.0, 1.29, 1.1, 12, ("Greek Yogurt", "Strawberry Yogurt", "Drinking Yogurt", "Skyr"), (1.3, 0.8, 0.7, 0.7)),
    _Subcategory("Pantry", "Canned Goods", 10, 0.10, 3.5, 1.69, 1.15, 12, ("Canned Tomatoes", "Baked Beans", "Tuna", "Sweet Corn"), (1.1, 0.3, 1.3, 2.3)),
    _Subcategory("Personal Care", "Oral Care", 90, 0.02, 1.5, 3.99, 1.05, 12, ("Toothpaste", "Toothbrush", "Mouthwash", "Dental Floss"), (0.9, 0.4, 2.0, 1.0)),
    _Subcategory("Seasonal", "Grill & BBQ", 185, 0.75, 1.5, 6.99, 1.8, 6, ("Charcoal", "BBQ Sauce", "Grill Skewers", "Lighter Fluid"), (1.0, 0.3, 2.2, 0.9)),
    _Subcategory("Beverages", "Juice", 45, 0.10, 4.0, 3.49, 1.2, 8, ("Orange Juice", "Apple Juice", "Cranberry Juice", "Multivitamin Juice"), (1.2, 0.8, 0.9, 0.9)),
)
# fmt: on
_AFFINITY_COLUMN = {"supermarket": 0, "express": 1, "hypermarket": 2, "discounter": 3}
# Share of a day's demand by hour: a stockout from late afternoon loses more than its hours.
_HOURLY_DEMAND = np.array(
    [0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.5, 2.5, 3.5, 4.5, 5.5,
     6.0, 5.5, 5.0, 5.0, 5.5, 6.5, 7.0, 6.0, 4.5, 3.0, 1.5, 0.5]
)  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _prefixed_ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """Zero-padded string ids ("S001") built in Arrow, without a Python loop over rows."""
    digits = pc.utf8_lpad(pc.cast(pa.array(numbers, type=pa.int64()), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _id_width(count: int, minimum: int) -> int:
    return max(minimum, len(str(count)))


def _arrow_schema(table: InputTable, columns: Sequence[str]) -> pa.Schema:
    """The Arrow schema of the given contract columns, in the contract's order."""
    wanted = set(columns)
    unknown = wanted - {c.name for c in table.columns}
    if unknown:
        raise ValueError(f"{table.name}: columns not in the input contract: {sorted(unknown)}")
    return pa.schema(
        [pa.field(c.name, _SQL_TO_ARROW[c.sql_type]) for c in table.columns if c.name in wanted]
    )


def _write_table(path: Path, table: InputTable, columns: dict[str, pa.Array | np.ndarray]) -> int:
    schema = _arrow_schema(table, list(columns))
    arrays = [
        value.cast(f.type) if isinstance(value, pa.Array) else pa.array(value, type=f.type)
        for f, value in ((f, columns[f.name]) for f in schema)
    ]
    pq.write_table(
        pa.Table.from_arrays(arrays, schema=schema), path, compression=PARQUET_COMPRESSION
    )
    return len(arrays[0])


def _date32(epoch_days: np.ndarray) -> pa.Array:
    return pa.array(epoch_days.astype(np.int32), type=pa.int32()).cast(pa.date32())


def _largest_remainder(total: int, shares: Sequence[float]) -> np.ndarray:
    """Split total into integer counts proportional to shares, summing exactly to total."""
    raw = np.asarray(shares, dtype=float) / sum(shares) * total
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """n-th (1-based; -1 = last) given weekday (Monday = 0) of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def us_retail_holidays(first: date, last: date) -> list[date]:
    """US federal holidays plus the big retail days (Black Friday, Christmas and New Year's Eve)."""
    days: list[date] = []
    for year in range(first.year, last.year + 1):
        thanksgiving = _nth_weekday(year, 11, 3, 4)
        days += [
            date(year, 1, 1),
            _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
            _nth_weekday(year, 2, 0, 3),  # Presidents' Day
            _nth_weekday(year, 5, 0, -1),  # Memorial Day
            date(year, 6, 19),
            date(year, 7, 4),
            _nth_weekday(year, 9, 0, 1),  # Labor Day
            date(year, 11, 11),
            thanksgiving,
            thanksgiving + timedelta(days=1),  # Black Friday
            date(year, 12, 24),
            date(year, 12, 25),
            date(year, 12, 31),
        ]
    return sorted(d for d in days if first <= d <= last)


# ---------------------------------------------------------------------------------------------
# The network
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stores:
    archetype: np.ndarray  # index into archetype_names
    archetype_names: tuple[str, ...]
    region: np.ndarray  # index into region_names
    region_names: tuple[str, ...]
    city: tuple[str, ...]
    latitude: np.ndarray
    longitude: np.ndarray
    volume: np.ndarray
    opened_on: np.ndarray  # epoch days
    name: tuple[str, ...]


def _build_stores(size: DemoSize, rng: np.random.Generator, start_epoch: int) -> _Stores:
    if not 1 <= size.n_regions <= len(_REGIONS):
        raise ValueError(f"n_regions must be 1..{len(_REGIONS)}, got {size.n_regions}")
    n_archetypes = 2 if size.n_stores < 24 else 3 if size.n_stores < 120 else 4
    mix = _ARCHETYPE_MIX[n_archetypes]
    counts = _largest_remainder(size.n_stores, [share for _, share in mix])
    archetype_of = np.repeat(np.arange(n_archetypes), counts)
    # Round-robin regions and cities across the whole list so each region gets every format.
    region_of = np.arange(size.n_stores) % size.n_regions
    per_region_seq = np.zeros(size.n_stores, dtype=int)
    for r in range(size.n_regions):
        members = np.flatnonzero(region_of == r)
        per_region_seq[members] = np.arange(members.size)
    city_of = per_region_seq % 3
    # Store ids run by region, city and format, which is how a chain would number them.
    order = np.lexsort((archetype_of, city_of, region_of))
    archetype_of, region_of, city_of = archetype_of[order], region_of[order], city_of[order]

    centres = np.array(
        [
            [_REGIONS[r][1][c][1], _REGIONS[r][1][c][2]]
            for r, c in zip(region_of, city_of, strict=True)
        ]
    )
    jitter_km = np.array([_ARCHETYPES[mix[a][0]].jitter_km for a in archetype_of])
    north_km = rng.normal(0.0, 1.0, size.n_stores) * jitter_km
    east_km = rng.normal(0.0, 1.0, size.n_stores) * jitter_km
    latitude = np.round(centres[:, 0] + north_km / 111.0, 5)
    longitude = np.round(centres[:, 1] + east_km / (111.0 * np.cos(np.radians(centres[:, 0]))), 5)

    format_volume = np.array([_ARCHETYPES[mix[a][0]].volume for a in archetype_of])
    volume = format_volume * rng.lognormal(0.0, 0.25, size.n_stores)
    opened_on = start_epoch - rng.integers(365, 365 * 30, size.n_stores)

    cities = tuple(_REGIONS[r][1][c][0] for r, c in zip(region_of, city_of, strict=True))
    names: list[str] = []
    seen: dict[tuple[str, int], int] = {}
    for city, a in zip(cities, archetype_of, strict=True):
        seen[(city, a)] = seen.get((city, a), 0) + 1
        names.append(f"{city} {mix[a][0].title()} {seen[(city, a)]}")
    return _Stores(
        archetype=archetype_of,
        archetype_names=tuple(name for name, _ in mix),
        region=region_of,
        region_names=tuple(_REGIONS[r][0] for r in range(size.n_regions)),
        city=cities,
        latitude=latitude,
        longitude=longitude,
        volume=volume,
        opened_on=opened_on,
        name=tuple(names),
    )


@dataclass(frozen=True)
class _Products:
    subcategory: np.ndarray  # index into subcategories
    subcategories: tuple[_Subcategory, ...]
    style: np.ndarray  # index into _STYLES
    base_rate: np.ndarray
    unit_price: np.ndarray
    unit_cost: np.ndarray
    pack_size: np.ndarray
    name: tuple[str, ...]
    promo_probability: np.ndarray  # chance per week that a product is on promotion in a region
    elasticity: np.ndarray  # promotional uplift = discount ** -elasticity


def _build_products(size: DemoSize, rng: np.random.Generator) -> _Products:
    n_sub = min(len(_CATALOGUE), max(3, size.n_products // 8))
    if size.n_products < n_sub:
        raise ValueError(f"n_products must be at least {n_sub}")
    subcategories = _CATALOGUE[:n_sub]
    per_sub = _largest_remainder(size.n_products, [1.0] * n_sub)
    sub_of = np.repeat(np.arange(n_sub), per_sub)
    position = np.concatenate([np.arange(k) for k in per_sub])
    # Every subcategory mixes styles; standard first so small subcategories keep a mainstream line.
    style_of = np.array([1, 0, 2, 3])[position % 4]

    sub_rate = np.array([s.base_rate for s in subcategories])[sub_of]
    base_rate = sub_rate * _STYLE_DEMAND[style_of] * rng.lognormal(0.0, 0.45, size.n_products)
    raw_price = np.array([s.base_price for s in subcategories])[sub_of] * _STYLE_PRICE[style_of]
    raw_price = raw_price * rng.lognormal(0.0, 0.12, size.n_products)
    unit_price = np.round(np.floor(raw_price * 10.0) / 10.0 + 0.09, 2)  # shelf prices end in .x9
    unit_cost = np.round(unit_price * rng.uniform(0.55, 0.75, size.n_products), 2)
    pack_size = np.array([s.pack_size for s in subcategories], dtype=float)[sub_of]

    names: list[str] = []
    for p in range(size.n_products):
        sub = subcategories[sub_of[p]]
        style = _STYLES[style_of[p]]
        brands = _STYLE_BRANDS[style]
        noun = sub.nouns[position[p] % len(sub.nouns)]
        names.append(f"{brands[(position[p] // 4) % len(brands)]} {noun}")
    return _Products(
        subcategory=sub_of,
        subcategories=subcategories,
        style=style_of,
        base_rate=base_rate,
        unit_price=unit_price,
        unit_cost=unit_cost,
        pack_size=pack_size,
        name=tuple(names),
        promo_probability=rng.uniform(0.04, 0.12, size.n_products),
        elasticity=rng.uniform(1.6, 2.8, n_sub)[sub_of],
    )


@dataclass(frozen=True)
class _Calendar:
    epoch_days: np.ndarray  # int, one per day
    weekday: np.ndarray  # Monday = 0
    day_of_year: np.ndarray
    holiday: np.ndarray  # bool
    week: np.ndarray  # Monday-based week number counted from the first day


def _build_calendar(end_date: date, n_days: int) -> _Calendar:
    first = end_date - timedelta(days=n_days - 1)
    epoch_days = (first - date(1970, 1, 1)).days + np.arange(n_days)
    as_dates = epoch_days.astype("datetime64[D]")
    weekday = (epoch_days + 3) % 7  # 1970-01-01 was a Thursday
    day_of_year = (as_dates - as_dates.astype("datetime64[Y]")).astype(int) + 1
    holidays = np.array(
        [(d - date(1970, 1, 1)).days for d in us_retail_holidays(first, end_date)], dtype=int
    )
    monday_week = (epoch_days - 4) // 7  # 1970-01-05 was a Monday
    return _Calendar(
        epoch_days=epoch_days,
        weekday=weekday,
        day_of_year=day_of_year,
        holiday=np.isin(epoch_days, holidays),
        week=monday_week - monday_week[0],
    )


@dataclass(frozen=True)
class _RegionDrivers:
    day_subcategory: np.ndarray  # (region, day, subcategory): season x holiday x trend
    discount: np.ndarray  # (region, day, product): price factor, < 1 on promotion days
    uplift: np.ndarray  # (region, day, product): promotional demand multiplier


def _build_region_drivers(
    stores: _Stores, products: _Products, calendar: _Calendar, rng: np.random.Generator
) -> _RegionDrivers:
    n_regions = len(stores.region_names)
    n_days = calendar.epoch_days.size
    n_products = products.base_rate.size
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
        latitude = float(np.mean([c[1] for c in _REGIONS[r][1]]))
        seasonality = float(np.clip(0.5 + (latitude - 30.0) / 30.0, 0.6, 1.2))
        season = 1.0 + seasonality * amplitude[None, :] * np.cos(phase)
        day_subcategory[r] = season * holiday * trend[:, None]

    # Chain-wide promotions run per region, product and Monday-to-Sunday week.
    n_weeks = int(calendar.week[-1]) + 1
    on_promo = (
        rng.random((n_regions, n_weeks, n_products)) < products.promo_probability[None, None, :]
    )
    depth = rng.choice(
        np.array([0.10, 0.15, 0.20, 0.25, 0.30, 0.35]), size=(n_regions, n_weeks, n_products)
    )
    weekly_discount = np.round(np.where(on_promo, 1.0 - depth, 1.0), 2)
    discount = weekly_discount[:, calendar.week, :]
    uplift = np.power(discount, -products.elasticity[None, None, :]).astype(np.float32)
    return _RegionDrivers(day_subcategory=day_subcategory, discount=discount, uplift=uplift)


@dataclass(frozen=True)
class _Assortment:
    products: list[np.ndarray]  # per store: sorted product indices carried
    base_rate: list[np.ndarray]  # per store: mean units/day before calendar effects
    stockout_rate: list[np.ndarray]  # per store: probability of a stockout day per product


def _build_assortment(
    stores: _Stores, products: _Products, rng: np.random.Generator
) -> _Assortment:
    n_sub = len(products.subcategories)
    affinity = np.array([s.affinity for s in products.subcategories])  # (sub, 4)
    carried: list[np.ndarray] = []
    rates: list[np.ndarray] = []
    stockout: list[np.ndarray] = []
    for s in range(stores.archetype.size):
        arch = _ARCHETYPES[stores.archetype_names[stores.archetype[s]]]
        draw = rng.random(products.base_rate.size)
        keep = draw < arch.assortment_share
        # At least two lines per subcategory, so every store has a subcategory mix and a cover.
        for k in range(n_sub):
            members = np.flatnonzero(products.subcategory == k)
            keep[members[np.argsort(draw[members], kind="stable")[:2]]] = True
        idx = np.flatnonzero(keep)
        mix = affinity[:, _AFFINITY_COLUMN[arch.format]] * rng.lognormal(0.0, 0.10, n_sub)
        rate = (
            products.base_rate[idx]
            * stores.volume[s]
            * mix[products.subcategory[idx]]
            * np.asarray(arch.style_affinity)[products.style[idx]]
            * rng.lognormal(0.0, 0.25, idx.size)
        )
        carried.append(idx)
        rates.append(rate)
        stockout.append(np.clip(arch.stockout_rate * rng.lognormal(0.0, 0.5, idx.size), 0.002, 0.2))
    return _Assortment(products=carried, base_rate=rates, stockout_rate=stockout)


@dataclass(frozen=True)
class _Planted:
    store: np.ndarray
    subcategory: np.ndarray
    direction: tuple[str, ...]
    multiplier: np.ndarray


def _plant_imbalances(
    stores: _Stores, products: _Products, assortment: _Assortment, rng: np.random.Generator
) -> _Planted:
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
    return _Planted(
        store=np.array(store_of, dtype=int),
        subcategory=np.array([slots[i][1] for i in chosen], dtype=int),
        direction=tuple(str(d) for d in directions),
        multiplier=np.round(multiplier, 2),
    )


# ---------------------------------------------------------------------------------------------
# Sales and inventory, one store at a time
# ---------------------------------------------------------------------------------------------


@dataclass
class _StoreSales:
    columns: dict[str, np.ndarray]  # flat, product-major
    on_hand: np.ndarray
    in_transit: np.ndarray


def _instock_share_by_stockout_hours() -> np.ndarray:
    """Share of a day's demand still served when the shelf empties `h` hours before midnight."""
    served_before = np.concatenate([[0.0], np.cumsum(_HOURLY_DEMAND)]) / _HOURLY_DEMAND.sum()
    return served_before[24 - np.arange(25)]


def _simulate_store(
    store: int,
    stores: _Stores,
    products: _Products,
    calendar: _Calendar,
    drivers: _RegionDrivers,
    assortment: _Assortment,
    cover_multiplier: np.ndarray,
    rng: np.random.Generator,
) -> _StoreSales:
    region = stores.region[store]
    arch = _ARCHETYPES[stores.archetype_names[stores.archetype[store]]]
    idx = assortment.products[store]
    subs = products.subcategory[idx]
    n_days, n_items = calendar.epoch_days.size, idx.size

    weekly = np.asarray(arch.weekly, dtype=np.float32)
    weekly = weekly / weekly.mean()
    uplift = drivers.uplift[region][:, idx]
    discount = drivers.discount[region][:, idx]
    rate = drivers.day_subcategory[region][:, subs] * weekly[calendar.weekday][:, None]
    rate *= uplift * assortment.base_rate[store].astype(np.float32)[None, :]
    # Gamma-Poisson (negative binomial): day-to-day demand is more variable than Poisson.
    true_demand = rng.poisson(
        rate * rng.gamma(NEG_BINOMIAL_SHAPE, 1.0 / NEG_BINOMIAL_SHAPE, rate.shape)
    )

    on_promo = discount < 1.0
    # Promotions empty shelves more often than ordinary days.
    stockout_p = assortment.stockout_rate[store][None, :] * np.where(on_promo, 2.5, 1.0)
    stocked_out = rng.random(rate.shape) < stockout_p
    hours = np.zeros(rate.shape, dtype=np.int64)
    n_out = int(stocked_out.sum())
    hours[stocked_out] = rng.integers(1, 24, n_out)
    units = true_demand.copy()
    share = _instock_share_by_stockout_hours()[hours[stocked_out]]
    units[stocked_out] = rng.binomial(true_demand[stocked_out], share)
    # The shelf empties at 24 - h and stays empty to midnight; the 06-22 window sees the overlap.
    hours_6_22 = np.clip(22 - np.maximum(6, 24 - hours), 0, 16)

    price = products.unit_price[idx][None, :]
    revenue = np.round(units * price * discount, 2)

    recent_rate = true_demand[-RECENT_DEMAND_DAYS:].mean(axis=0)
    store_cover = TARGET_COVER_DAYS * rng.uniform(0.92, 1.08)
    cover = store_cover * rng.lognormal(0.0, 0.12, n_items) * cover_multiplier[subs]
    on_hand = np.round(recent_rate * cover)
    planted = cover_multiplier[subs] != 1.0
    # Planted pairs get no delivery on the way, which would blur the imbalance.
    arriving = (rng.random(n_items) < 0.15) & ~planted
    in_transit = np.where(arriving, rng.poisson(recent_rate * 3.0), 0).astype(float)

    def flat(values: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(values.T).ravel()

    columns = {
        "date": np.tile(calendar.epoch_days, n_items),
        "product": np.repeat(idx, n_days),
        "units_sold": flat(units).astype(np.float64),
        "revenue": flat(revenue).astype(np.float64),
        "stockout_hours": flat(hours).astype(np.float64),
        "stockout_hours_6_22": flat(hours_6_22).astype(np.float64),
        "discount": flat(discount),
        "promo_flag": flat(on_promo),
        "holiday_flag": np.tile(calendar.holiday, n_items),
    }
    return _StoreSales(columns=columns, on_hand=on_hand, in_transit=in_transit)


def _sales_block_table(
    blocks: list[tuple[int, _StoreSales]],
    schema: pa.Schema,
    store_ids: pa.Array,
    product_ids: pa.Array,
) -> pa.Table:
    store_index = np.concatenate([np.full(b.columns["date"].size, s) for s, b in blocks])
    merged = {k: np.concatenate([b.columns[k] for _, b in blocks]) for k in blocks[0][1].columns}
    arrays = {
        "date": _date32(merged["date"]),
        "store_id": store_ids.take(pa.array(store_index)),
        "product_id": product_ids.take(pa.array(merged["product"])),
    }
    for name in (
        "units_sold",
        "revenue",
        "stockout_hours",
        "stockout_hours_6_22",
        "discount",
        "promo_flag",
        "holiday_flag",
    ):
        arrays[name] = pa.array(merged[name])
    return pa.Table.from_arrays([arrays[f.name] for f in schema], schema=schema)


def _write_sales(
    path: Path,
    stores: _Stores,
    products: _Products,
    calendar: _Calendar,
    drivers: _RegionDrivers,
    assortment: _Assortment,
    cover_multiplier: np.ndarray,
    rng: np.random.Generator,
    store_ids: pa.Array,
    product_ids: pa.Array,
) -> tuple[int, list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Simulate and write sales store by store; return rows, on-hand, in-transit, daily units.

    Blocks of stores are encoded and written on a worker thread while the next block is
    simulated (Arrow releases the GIL); one block in flight keeps memory bounded and the
    row-group order, hence the bytes, fixed.
    """
    n_stores, n_days = stores.archetype.size, calendar.epoch_days.size
    sales_columns = ["date", "store_id", "product_id", "units_sold", "revenue", "stockout_hours", "stockout_hours_6_22", "discount", "promo_flag", "holiday_flag"]  # fmt: skip
    schema = _arrow_schema(SALES_DAILY, sales_columns)
    store_rngs = rng.spawn(n_stores)
    on_hand: list[np.ndarray] = []
    in_transit: list[np.ndarray] = []
    daily_rate = np.zeros(n_stores)
    n_rows = 0
    with (
        pq.ParquetWriter(path, schema, compression=PARQUET_COMPRESSION) as writer,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):

        def write_block(block: list[tuple[int, _StoreSales]]) -> None:
            table = _sales_block_table(block, schema, store_ids, product_ids)
            writer.write_table(table, row_group_size=table.num_rows)

        pending: Future[None] | None = None
        block: list[tuple[int, _StoreSales]] = []
        block_rows = 0
        for s in range(n_stores):
            result = _simulate_store(
                s,
                stores,
                products,
                calendar,
                drivers,
                assortment,
                cover_multiplier[s],
                store_rngs[s],
            )
            on_hand.append(result.on_hand)
            in_transit.append(result.in_transit)
            daily_rate[s] = float(result.columns["units_sold"].sum()) / n_days
            block_rows += result.columns["date"].size
            block.append((s, result))
            if block_rows >= SALES_BLOCK_ROWS or s == n_stores - 1:
                if pending is not None:
                    pending.result()
                pending = pool.submit(write_block, block)
                n_rows += block_rows
                block, block_rows = [], 0
        if pending is not None:
            pending.result()
    return n_rows, on_hand, in_transit, daily_rate


# ---------------------------------------------------------------------------------------------
# Customers and their orders
# ---------------------------------------------------------------------------------------------

# (segment, share of customers, orders per month, lines per order, units per line)
_CUSTOMER_SEGMENTS: tuple[tuple[str, float, float, float, float], ...] = (
    ("champion", 0.10, 6.0, 4.5, 2.5),
    ("loyal", 0.20, 3.0, 3.5, 1.8),
    ("regular", 0.30, 1.2, 2.5, 1.5),
    ("occasional", 0.25, 0.3, 2.0, 1.3),
    ("lapsed", 0.10, 1.5, 2.5, 1.5),
    ("new", 0.05, 2.0, 3.0, 1.6),
)


def _build_orders(
    size: DemoSize,
    stores: _Stores,
    products: _Products,
    calendar: _Calendar,
    drivers: _RegionDrivers,
    assortment: _Assortment,
    rng: np.random.Generator,
) -> dict[str, pa.Array | np.ndarray]:
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
    order_day = day[order_of]
    order_store = store[order_of]
    discount = drivers.discount[stores.region[order_store], order_day, product_of]
    amount = np.round(units * products.unit_price[product_of] * discount, 2)

    order_ids = _prefixed_ids("O", np.arange(1, customer.size + 1), _id_width(customer.size, 7))
    customer_ids = _prefixed_ids("C", np.arange(1, n_cust + 1), _id_width(n_cust, 5))
    return {
        "order_id": order_ids.take(pa.array(order_of)),
        "customer_id": customer_ids.take(pa.array(customer[order_of])),
        "order_date": _date32(calendar.epoch_days[order_day]),
        "store_id": _prefixed_ids("S", order_store + 1, _id_width(stores.volume.size, 3)),
        "amount": amount,
        "product_id": _prefixed_ids("P", product_of + 1, _id_width(products.base_rate.size, 4)),
        "units": units,
    }


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def _assumptions(size: DemoSize, seed: int, end_date: date, n_planted: int) -> dict[str, list[str]]:
    rows = [
        ("synthetic", "All data is synthetic: no real stores, products, customers or sales.", "generator=python_assets/inputs/demo/generator"),
        ("seed", "Generated deterministically; the same seed and size give byte-identical files.", f"seed={seed}"),
        ("size", "Network size of this run.", f"n_regions={size.n_regions}, n_stores={size.n_stores}, n_products={size.n_products}, n_days={size.n_days}, n_customers={size.n_customers}"),
        ("period", "Daily sales end on the snapshot date.", f"end_date={end_date.isoformat()}"),
        ("coordinates", "Store coordinates are real US city centres jittered by a few km (express central, hypermarkets further out).", "jitter_km=3..12"),
        ("store_archetypes", "Each store format has its own subcategory demand mix, weekly profile and assortment breadth.", "formats=supermarket, express, hypermarket, discounter"),
        ("demand", "Daily demand is negative binomial around store x product level x weekly x yearly (subcategory phase) x holiday x promotion x trend.", f"nb_shape={NEG_BINOMIAL_SHAPE}, annual_growth={ANNUAL_GROWTH}"),
        ("promotions", "Promotions run per region, product and week; discount is the price factor (< 1 on promotion), uplift = discount^-elasticity.", "discount=0.65..0.90"),
        ("holidays", "US federal holidays plus Black Friday, Christmas Eve and New Year's Eve lift demand by subcategory.", "holiday_lift=1.05..1.8"),
        ("stockouts", "On a few % of days the shelf empties h hours before midnight; units_sold is the demand served before that (censored).", "stockout_hours=1..23"),
        ("inventory", "On-hand = last 28 days' true demand x about 12 days of cover with lognormal noise; nothing is simulated downstream.", f"cover_days={TARGET_COVER_DAYS:g}, sigma=0.12"),
        ("planted_imbalances", "Some store x subcategory covers are multiplied (over x3-4, under x0.10-0.25), at most one per format and subcategory; listed in planted_imbalances.", f"pairs={n_planted}"),
        ("customer_orders", "Customers have a home store and a behaviour segment (champion, loyal, regular, occasional, lapsed, new) driving recency, frequency and basket size.", "away_share=0.10"),
        ("weather", "No weather columns are generated.", "precipitation, avg_temperature, avg_humidity, avg_wind_level absent"),
    ]  # fmt: skip
    return {
        "dataset": ["demo"] * len(rows),
        "topic": [r[0] for r in rows],
        "assumption": [r[1] for r in rows],
        "setting": [r[2] for r in rows],
    }


def generate_demo_data(
    out_dir: Path, size: DemoSize, seed: int = 42, end_date: date = date(2026, 6, 30)
) -> dict[str, int]:
    """Write the demo network as <out_dir>/<table>.parquet; return rows per table."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    root = np.random.Generator(np.random.PCG64(seed))
    # Independent streams per part, so changing one part leaves the others' draws unchanged.
    network_rng, sales_rng, orders_rng = root.spawn(3)
    calendar = _build_calendar(end_date, size.n_days)
    stores = _build_stores(size, network_rng, int(calendar.epoch_days[0]))
    products = _build_products(size, network_rng)
    drivers = _build_region_drivers(stores, products, calendar, network_rng)
    assortment = _build_assortment(stores, products, network_rng)
    planted = _plant_imbalances(stores, products, assortment, network_rng)

    store_ids = _prefixed_ids("S", np.arange(1, size.n_stores + 1), _id_width(size.n_stores, 3))
    product_ids = _prefixed_ids(
        "P", np.arange(1, size.n_products + 1), _id_width(size.n_products, 4)
    )
    rows: dict[str, int] = {}

    cover_multiplier = np.ones((size.n_stores, len(products.subcategories)))
    cover_multiplier[planted.store, planted.subcategory] = planted.multiplier
    n_sales, on_hand, in_transit, daily_rate = _write_sales(
        out_dir / "sales_daily.parquet",
        stores,
        products,
        calendar,
        drivers,
        assortment,
        cover_multiplier,
        sales_rng,
        store_ids,
        product_ids,
    )
    rows["sales_daily"] = n_sales

    # Storage holds about a month of average sales, and always the snapshot with headroom.
    stock = np.array([float(a.sum() + b.sum()) for a, b in zip(on_hand, in_transit, strict=True)])
    capacity_days = network_rng.uniform(28.0, 36.0, size.n_stores)
    capacity = np.ceil(np.maximum(daily_rate * capacity_days, stock * 1.25) / 100.0) * 100.0
    rows["stores"] = _write_table(
        out_dir / "stores.parquet",
        STORES,
        {
            "store_id": store_ids,
            "city": pa.array(stores.city),
            "region": pa.array([stores.region_names[r] for r in stores.region]),
            "latitude": stores.latitude,
            "longitude": stores.longitude,
            "store_name": pa.array(stores.name),
            "storage_capacity_units": capacity,
            "format": pa.array([stores.archetype_names[a] for a in stores.archetype]),
            "opened_on": _date32(stores.opened_on),
        },
    )
    rows["products"] = _write_table(
        out_dir / "products.parquet",
        PRODUCTS,
        {
            "product_id": product_ids,
            "category": pa.array(
                [products.subcategories[k].category for k in products.subcategory]
            ),
            "subcategory": pa.array([products.subcategories[k].name for k in products.subcategory]),
            "product_name": pa.array(products.name),
            "style": pa.array([_STYLES[k] for k in products.style]),
            "unit_cost": products.unit_cost,
            "unit_price": products.unit_price,
            "pack_size": products.pack_size,
        },
    )

    snapshot_store = np.concatenate([np.full(a.size, s) for s, a in enumerate(assortment.products)])
    snapshot_product = np.concatenate(assortment.products)
    rows["inventory_snapshot"] = _write_table(
        out_dir / "inventory_snapshot.parquet",
        INVENTORY_SNAPSHOT,
        {
            "store_id": store_ids.take(pa.array(snapshot_store)),
            "product_id": product_ids.take(pa.array(snapshot_product)),
            "on_hand_units": np.concatenate(on_hand),
            "snapshot_date": _date32(np.full(snapshot_store.size, calendar.epoch_days[-1])),
            "in_transit_units": np.concatenate(in_transit),
            "on_hand_simulated": np.zeros(snapshot_store.size, dtype=bool),
        },
    )
    rows["customer_orders"] = _write_table(
        out_dir / "customer_orders.parquet",
        CUSTOMER_ORDERS,
        _build_orders(size, stores, products, calendar, drivers, assortment, orders_rng),
    )
    planted_order = np.lexsort((planted.subcategory, planted.store))
    rows["planted_imbalances"] = _write_table(
        out_dir / "planted_imbalances.parquet",
        PLANTED_IMBALANCES,
        {
            "store_id": store_ids.take(pa.array(planted.store[planted_order], type=pa.int64())),
            "subcategory": pa.array(
                [products.subcategories[planted.subcategory[i]].name for i in planted_order],
                type=pa.string(),
            ),
            "direction": pa.array([planted.direction[i] for i in planted_order], type=pa.string()),
            "cover_multiplier": planted.multiplier[planted_order].astype(np.float64),
        },
    )
    assumptions = _assumptions(size, seed, end_date, int(planted.store.size))
    rows["dataset_assumptions"] = _write_table(
        out_dir / "dataset_assumptions.parquet",
        DATASET_ASSUMPTIONS,
        {k: pa.array(v, type=pa.string()) for k, v in assumptions.items()},
    )
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--size", choices=sorted(DEMO_SIZES), default="default")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 6, 30))
    args = parser.parse_args(argv)
    rows = generate_demo_data(
        args.out_dir, DEMO_SIZES[args.size], seed=args.seed, end_date=args.end_date
    )
    for table, count in rows.items():
        print(f"{table}: {count:,} rows")


if __name__ == "__main__":
    main()
