"""Adapt FreshRetailNet-50K (Dingdong Inc., arXiv 2505.16319, CC-BY-4.0) onto the input contract.

Also writes synthetic files in the dataset's published layout, for tests and benchmarks.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from python_assets.inputs.contract import (
    DATASET_ASSUMPTIONS,
    FILE_SUFFIXES,
    INPUT_TABLES,
    INVENTORY_SNAPSHOT,
    PRODUCTS,
    SALES_DAILY,
    STORES,
    InputTable,
)

DATASET = "freshretailnet"
CREDIT = "FreshRetailNet-50K (Dingdong Inc., arXiv 2505.16319, CC-BY-4.0)"
KM_PER_DEGREE_LAT = 111.32
OUTPUT_TABLES: tuple[InputTable, ...] = (
    STORES,
    PRODUCTS,
    SALES_DAILY,
    INVENTORY_SNAPSHOT,
    DATASET_ASSUMPTIONS,
)
# Only what the adapter reads: hours_sale (the largest column) and management_group_id are
# never touched, so DuckDB's projection pushdown skips them.
SOURCE_COLUMNS: tuple[str, ...] = (
    "city_id",
    "store_id",
    "first_category_id",
    "second_category_id",
    "third_category_id",
    "product_id",
    "dt",
    "sale_amount",
    "stock_hour6_22_cnt",
    "hours_stock_status",
    "discount",
    "holiday_flag",
    "activity_flag",
    "precpt",
    "avg_temperature",
    "avg_humidity",
    "avg_wind_level",
)


@dataclass(frozen=True)
class FreshRetailNetAssumptions:
    """Every value the adapter derives rather than reads; all go into dataset_assumptions."""

    seed: int = 7
    # The publisher is a fresh-food retailer in eastern China. The box (roughly Hunan, Jiangxi,
    # Hubei, Anhui, Henan) stays inland of the coast, so no invented store lands in the sea.
    latitude_range: tuple[float, float] = (24.5, 36.0)
    longitude_range: tuple[float, float] = (110.0, 117.5)
    # Stores are spread uniformly over a disc of this radius around their city centre.
    store_jitter_km: float = 15.0
    # Cities are grouped into equal-width latitude bands of the box, region_1 the northernmost,
    # so a city's region never depends on which other cities are present.
    n_regions: int = 4
    # on_hand = mean daily sales over the last demand_window_days
    #           x a cover in days per store x product x a factor per store
    demand_window_days: int = 14
    cover_median_days: float = 3.0  # perishable food: a few days of stock
    cover_sigma: float = 0.4  # lognormal sigma of the per store x product cover
    store_factor_sigma: float = 0.5  # lognormal sigma (median 1) of the per-store factor
    # The published training split runs to 2024-06-25; its last 7 days are the forecast test
    # window here, so rows from this date on are dropped even if the source contains them.
    withhold_from: date | None = date(2024, 6, 19)

    def __post_init__(self) -> None:
        lat_lo, lat_hi = self.latitude_range
        lon_lo, lon_hi = self.longitude_range
        if not (-90 <= lat_lo < lat_hi <= 90 and -180 <= lon_lo < lon_hi <= 180):
            raise ValueError("latitude_range/longitude_range must be (low, high) inside the globe")
        if self.store_jitter_km < 0 or self.n_regions < 1 or self.demand_window_days < 1:
            raise ValueError(
                "store_jitter_km >= 0, n_regions >= 1, demand_window_days >= 1 required"
            )
        if self.cover_median_days <= 0 or self.cover_sigma < 0 or self.store_factor_sigma < 0:
            raise ValueError("cover_median_days > 0 and non-negative sigmas required")


# ---------------------------------------------------------------------------------------------
# Deterministic draws keyed by ids
# ---------------------------------------------------------------------------------------------
# A counter-based generator (SplitMix64 finaliser over seed, stream and ids) rather than one
# sequential numpy Generator: a store's or series' draw then depends only on its own ids, so
# restricting to some cities, or a source that lists rows in another order, changes nothing else.


def _splitmix64(x: np.ndarray) -> np.ndarray:
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _uniform(seed: int, stream: str, *keys: np.ndarray) -> np.ndarray:
    n = len(keys[0])
    start = (seed % 2**64) ^ zlib.crc32(stream.encode())
    h = _splitmix64(np.full(n, start, dtype=np.uint64))
    for key in keys:
        h = _splitmix64(h ^ np.asarray(key, dtype=np.int64).astype(np.uint64))
    # 53 random bits, shifted half a step so the result lies strictly inside (0, 1)
    return ((h >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


def _normal(seed: int, stream: str, *keys: np.ndarray) -> np.ndarray:
    u1 = _uniform(seed, stream + ".u1", *keys)
    u2 = _uniform(seed, stream + ".u2", *keys)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def city_centres(
    city_ids: Sequence[int] | np.ndarray, assumptions: FreshRetailNetAssumptions
) -> tuple[np.ndarray, np.ndarray]:
    """Assumed (latitude, longitude) of each city centre, uniform in the assumed bounding box."""
    ids = np.asarray(city_ids, dtype=np.int64)
    lat_lo, lat_hi = assumptions.latitude_range
    lon_lo, lon_hi = assumptions.longitude_range
    lat = lat_lo + (lat_hi - lat_lo) * _uniform(assumptions.seed, "city.lat", ids)
    lon = lon_lo + (lon_hi - lon_lo) * _uniform(assumptions.seed, "city.lon", ids)
    return lat, lon


def region_of_latitude(latitude: np.ndarray, assumptions: FreshRetailNetAssumptions) -> np.ndarray:
    """region_1 .. region_n: equal-width latitude bands of the box, numbered from the north."""
    lat_lo, lat_hi = assumptions.latitude_range
    band = np.floor((lat_hi - np.asarray(latitude)) / (lat_hi - lat_lo) * assumptions.n_regions)
    band = np.clip(band, 0, assumptions.n_regions - 1).astype(np.int64)
    return np.array([f"region_{b + 1}" for b in band], dtype=object)


def _store_coordinates(
    store_ids: np.ndarray, city_lat: np.ndarray, city_lon: np.ndarray, a: FreshRetailNetAssumptions
) -> tuple[np.ndarray, np.ndarray]:
    # sqrt makes the points uniform over the disc's area, not bunched at the centre
    dist_km = a.store_jitter_km * np.sqrt(_uniform(a.seed, "store.radius", store_ids))
    bearing = 2.0 * np.pi * _uniform(a.seed, "store.bearing", store_ids)
    lat = city_lat + dist_km * np.cos(bearing) / KM_PER_DEGREE_LAT
    lon = city_lon + dist_km * np.sin(bearing) / (KM_PER_DEGREE_LAT * np.cos(np.radians(city_lat)))
    return lat, lon


# ---------------------------------------------------------------------------------------------
# Adapter
# ---------------------------------------------------------------------------------------------


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _source_relation(source: str | Path) -> str:
    # str(), not Path(): Path would collapse "hf://datasets/..." into "hf:/datasets/..."
    return f"read_parquet({_sql_string(str(source))})"


def _check_out_dir(out_dir: Path) -> None:
    # Files of the same table in the other format, or of tables this adapter does not write,
    # would be loaded alongside FreshRetailNet's and silently mix two datasets.
    ours = {(t.name, ".parquet") for t in OUTPUT_TABLES}
    stale = sorted(
        p.name
        for t in INPUT_TABLES
        for suffix in FILE_SUFFIXES
        if (t.name, suffix) not in ours and (p := out_dir / f"{t.name}{suffix}").exists()
    )
    if stale:
        raise FileExistsError(
            f"{out_dir} already holds input files the adapter would not replace: {stale}; "
            "use an empty directory"
        )


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> None:
    con.execute(f"COPY ({query}) TO {_sql_string(str(path))} (FORMAT parquet, COMPRESSION zstd)")


def _assumption_rows(
    a: FreshRetailNetAssumptions, city_ids: Sequence[int] | None, snapshot: date
) -> list[tuple[str, str, str | None]]:
    lat_lo, lat_hi = a.latitude_range
    lon_lo, lon_hi = a.longitude_range
    withheld = a.withhold_from.isoformat() if a.withhold_from else None
    return [
        (
            "credit",
            f"Sales, stock-outs, promotions and weather are {CREDIT}: real data of a fresh-food "
            "retailer, 50,000 store x product series. Credit it wherever results are shown.",
            "CC-BY-4.0",
        ),
        (
            "units",
            "units_sold is the published sale_amount, which the publisher normalised: it is not "
            "a count of items and is kept fractional.",
            None,
        ),
        (
            "costs",
            "There are no costs in the data: no unit_cost, unit_price or revenue is produced.",
            None,
        ),
        (
            "customers",
            "The data has no customer ids, so no customer_orders table is produced.",
            None,
        ),
        (
            "storage_capacity",
            "The data has no store capacity; storage_capacity_units is left out.",
            None,
        ),
        (
            "coordinates",
            "The data names only anonymous cities. Each city centre is placed deterministically "
            "(from the seed and city id) uniformly in a box over eastern China, and each store "
            "uniformly within a disc around its city centre. Not real locations.",
            f"lat {lat_lo}..{lat_hi}, lon {lon_lo}..{lon_hi}, store radius {a.store_jitter_km} km",
        ),
        (
            "regions",
            "Cities are grouped into regions by location: equal-width latitude bands of the "
            "box, region_1 the northernmost. Regions are not in the data.",
            str(a.n_regions),
        ),
        (
            "inventory",
            "The data has no stock on hand. on_hand_units is simulated: mean daily sales over "
            "the last window days x a cover in days per store x product (lognormal) x a "
            "per-store factor (lognormal, median 1), so stock is deliberately unbalanced between "
            "stores of a city. "
            "Sales are censored by stock-outs, so recent sales understate demand.",
            f"window {a.demand_window_days} d, cover median {a.cover_median_days} d "
            f"sigma {a.cover_sigma}, store factor sigma {a.store_factor_sigma}",
        ),
        (
            "snapshot_date",
            "The inventory snapshot is taken on the last day in the adapted data.",
            snapshot.isoformat(),
        ),
        (
            "holdout",
            "The last 7 days of the training split (2024-06-19..25) are withheld: forecasts are "
            "judged on those unseen days. "
            + (
                "Source rows from this date on are dropped."
                if withheld
                else "This run kept every source row (withhold_from=None)."
            ),
            withheld,
        ),
        (
            "stockouts",
            "stockout_hours counts the hours flagged out of stock (hours_stock_status = 1); "
            "stockout_hours_6_22 is the published stock_hour6_22_cnt.",
            None,
        ),
        (
            "promotions",
            "promo_flag is activity_flag = 1; discount is the published price ratio "
            "(1.0 = full price); holiday_flag is holiday_flag = 1.",
            None,
        ),
        (
            "products",
            "category, subcategory and style are first, second and third_category_id; "
            "management_group_id is not used. Product and store names are made up from ids.",
            None,
        ),
        (
            "cities",
            "Cities the adapter was restricted to.",
            "all" if city_ids is None else ",".join(str(c) for c in sorted(set(city_ids))),
        ),
        (
            "seed",
            "Seed of every simulated draw; draws are keyed by ids, so they do not change when "
            "other cities are included or left out.",
            str(a.seed),
        ),
    ]


def adapt_freshretailnet(
    source: str | Path,
    out_dir: Path,
    assumptions: FreshRetailNetAssumptions = FreshRetailNetAssumptions(),
    city_ids: Sequence[int] | None = None,
) -> dict[str, int]:
    """Write stores, products, sales_daily, inventory_snapshot and dataset_assumptions parquet
    files into out_dir from a file (or glob) in FreshRetailNet-50K's published layout.

    `source` goes straight to DuckDB's read_parquet, so a local path, a glob or a remote URL such
    as "hf://datasets/Dingdong-Inc/FreshRetailNet-50K/..." works wherever DuckDB can load its
    httpfs extension. `city_ids` restricts the output to those cities. Output is deterministic:
    the same source and assumptions give byte-identical files. Returns rows written per table.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    _check_out_dir(out_dir)
    a = assumptions
    src = _source_relation(source)

    filters = []
    if city_ids is not None:
        ids = sorted({int(c) for c in city_ids})
        if not ids:
            raise ValueError("city_ids is empty; pass None for all cities")
        filters.append(f"city_id IN ({', '.join(str(c) for c in ids)})")
    if a.withhold_from is not None:
        filters.append(f"CAST(dt AS DATE) < DATE '{a.withhold_from.isoformat()}'")
    where = ("WHERE " + " AND ".join(filters)) if filters else ""

    paths = {t.name: out_dir / f"{t.name}.parquet" for t in OUTPUT_TABLES}
    # One thread: parallel writers cut parquet row groups where threads happen to finish, and
    # parallel float sums depend on the order partial sums meet; both would break byte-identical
    # output. Streaming one pass on one thread also keeps memory small (no sort, no table).
    with duckdb.connect(":memory:", config={"threads": 1}) as con:
        present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
        missing = [c for c in SOURCE_COLUMNS if c not in present]
        if missing:
            raise ValueError(f"{source} lacks FreshRetailNet columns {missing}")

        # Rows keep the source's order (the published file runs series by series, day by day).
        _copy(
            con,
            f"""
            SELECT
                CAST(dt AS DATE) AS date,
                CAST(store_id AS VARCHAR) AS store_id,
                CAST(product_id AS VARCHAR) AS product_id,
                CAST(sale_amount AS DOUBLE) AS units_sold,
                CAST(len(list_filter(hours_stock_status, lambda h: h = 1)) AS DOUBLE)
                    AS stockout_hours,
                CAST(stock_hour6_22_cnt AS DOUBLE) AS stockout_hours_6_22,
                CAST(discount AS DOUBLE) AS discount,
                activity_flag = 1 AS promo_flag,
                holiday_flag = 1 AS holiday_flag,
                CAST(precpt AS DOUBLE) AS precipitation,
                CAST(avg_temperature AS DOUBLE) AS avg_temperature,
                CAST(avg_humidity AS DOUBLE) AS avg_humidity,
                CAST(avg_wind_level AS DOUBLE) AS avg_wind_level
            FROM {src}
            {where}
            """,
            paths["sales_daily"],
        )
        sales_path = _sql_string(str(paths["sales_daily"]))
        n_sales, snapshot = con.execute(
            f"SELECT count(*), max(date) FROM read_parquet({sales_path})"
        ).fetchone()
        if n_sales == 0:
            raise ValueError(f"no rows in {source} for city_ids={city_ids} before the holdout")

        # One row per series, with its city, product hierarchy and recent sales.
        series = con.execute(
            f"""
            SELECT
                store_id, product_id,
                min(city_id) AS city_id, max(city_id) AS city_id_max,
                min(first_category_id) AS cat, max(first_category_id) AS cat_max,
                min(second_category_id) AS sub, max(second_category_id) AS sub_max,
                min(third_category_id) AS style, max(third_category_id) AS style_max,
                coalesce(avg(sale_amount) FILTER (
                    WHERE CAST(dt AS DATE) > DATE '{snapshot.isoformat()}'
                        - INTERVAL {int(a.demand_window_days)} DAY
                ), 0.0) AS recent_daily_sales
            FROM {src}
            {where}
            GROUP BY store_id, product_id
            ORDER BY store_id, product_id
            """
        ).df()
        _check_functional(series)

        stores = _stores_frame(series, a)
        products = _products_frame(series)
        inventory = _inventory_frame(series, a)
        assumptions_df = pd.DataFrame(
            _assumption_rows(a, city_ids, snapshot), columns=["topic", "assumption", "setting"]
        )
        con.register("stores_df", stores)
        con.register("products_df", products)
        con.register("inventory_df", inventory)
        con.register("assumptions_df", assumptions_df)
        _copy(
            con,
            """
            SELECT CAST(store_id AS VARCHAR) AS store_id, CAST(city AS VARCHAR) AS city,
                CAST(region AS VARCHAR) AS region, CAST(latitude AS DOUBLE) AS latitude,
                CAST(longitude AS DOUBLE) AS longitude,
                CAST(store_name AS VARCHAR) AS store_name,
                CAST(TRUE AS BOOLEAN) AS coordinates_assumed
            FROM stores_df ORDER BY store_int
            """,
            paths["stores"],
        )
        _copy(
            con,
            """
            SELECT CAST(product_id AS VARCHAR) AS product_id,
                CAST(category AS VARCHAR) AS category,
                CAST(subcategory AS VARCHAR) AS subcategory,
                CAST(product_name AS VARCHAR) AS product_name, CAST(style AS VARCHAR) AS style
            FROM products_df ORDER BY product_int
            """,
            paths["products"],
        )
        _copy(
            con,
            f"""
            SELECT CAST(store_id AS VARCHAR) AS store_id,
                CAST(product_id AS VARCHAR) AS product_id,
                CAST(on_hand_units AS DOUBLE) AS on_hand_units,
                DATE '{snapshot.isoformat()}' AS snapshot_date,
                CAST(TRUE AS BOOLEAN) AS on_hand_simulated
            FROM inventory_df ORDER BY store_int, product_int
            """,
            paths["inventory_snapshot"],
        )
        _copy(
            con,
            f"""
            SELECT CAST({_sql_string(DATASET)} AS VARCHAR) AS dataset,
                CAST(topic AS VARCHAR) AS topic, CAST(assumption AS VARCHAR) AS assumption,
                CAST(setting AS VARCHAR) AS setting
            FROM assumptions_df
            """,
            paths["dataset_assumptions"],
        )

    return {
        "stores": len(stores),
        "products": len(products),
        "sales_daily": int(n_sales),
        "inventory_snapshot": len(inventory),
        "dataset_assumptions": len(assumptions_df),
    }


def _check_functional(series: pd.DataFrame) -> None:
    # The contract keys stores and products by id alone, so the source must not give one store
    # two cities or one product two places in the hierarchy.
    checks = (("store_id", ("city_id",)), ("product_id", ("cat", "sub", "style")))
    for key, columns in checks:
        spans = series.groupby(key).agg(
            **{f"{c}_lo": (c, "min") for c in columns},
            **{f"{c}_hi": (f"{c}_max", "max") for c in columns},
        )
        for c in columns:
            if (spans[f"{c}_lo"] != spans[f"{c}_hi"]).any():
                raise ValueError(f"a {key} has more than one {c} in the source")


def _stores_frame(series: pd.DataFrame, a: FreshRetailNetAssumptions) -> pd.DataFrame:
    stores = series[["store_id", "city_id"]].drop_duplicates("store_id").sort_values("store_id")
    store_ids = stores["store_id"].to_numpy(np.int64)
    city_ids = stores["city_id"].to_numpy(np.int64)
    city_lat, city_lon = city_centres(city_ids, a)
    lat, lon = _store_coordinates(store_ids, city_lat, city_lon, a)
    return pd.DataFrame(
        {
            "store_int": store_ids,
            "store_id": [str(s) for s in store_ids],
            "city": [f"city_{c}" for c in city_ids],
            "region": region_of_latitude(city_lat, a),
            "latitude": lat,
            "longitude": lon,
            "store_name": [
                f"Store {s} (city_{c})" for s, c in zip(store_ids, city_ids, strict=True)
            ],
        }
    )


def _products_frame(series: pd.DataFrame) -> pd.DataFrame:
    products = (
        series[["product_id", "cat", "sub", "style"]]
        .drop_duplicates("product_id")
        .sort_values("product_id")
    )
    ids = products["product_id"].to_numpy(np.int64)
    return pd.DataFrame(
        {
            "product_int": ids,
            "product_id": [str(p) for p in ids],
            "category": [f"cat_{c}" for c in products["cat"]],
            "subcategory": [f"sub_{c}" for c in products["sub"]],
            "style": [f"style_{c}" for c in products["style"]],
            "product_name": [f"Product {p}" for p in ids],
        }
    )


def _inventory_frame(series: pd.DataFrame, a: FreshRetailNetAssumptions) -> pd.DataFrame:
    store_ids = series["store_id"].to_numpy(np.int64)
    product_ids = series["product_id"].to_numpy(np.int64)
    cover_days = a.cover_median_days * np.exp(
        a.cover_sigma * _normal(a.seed, "inventory.cover", store_ids, product_ids)
    )
    store_factor = np.exp(a.store_factor_sigma * _normal(a.seed, "inventory.store", store_ids))
    on_hand = series["recent_daily_sales"].to_numpy(np.float64) * cover_days * store_factor
    return pd.DataFrame(
        {
            "store_int": store_ids,
            "product_int": product_ids,
            "store_id": [str(s) for s in store_ids],
            "product_id": [str(p) for p in product_ids],
            "on_hand_units": on_hand,
        }
    )


# ---------------------------------------------------------------------------------------------
# Synthetic data in the published layout
# ---------------------------------------------------------------------------------------------

PUBLISHED_SCHEMA = pa.schema(
    [
        pa.field("city_id", pa.int32(), nullable=False),
        pa.field("store_id", pa.int32(), nullable=False),
        pa.field("management_group_id", pa.int32(), nullable=False),
        pa.field("first_category_id", pa.int32(), nullable=False),
        pa.field("second_category_id", pa.int32(), nullable=False),
        pa.field("third_category_id", pa.int32(), nullable=False),
        pa.field("product_id", pa.int32(), nullable=False),
        pa.field("dt", pa.string(), nullable=False),
        pa.field("sale_amount", pa.float64(), nullable=False),
        pa.field("hours_sale", pa.list_(pa.field("element", pa.float64())), nullable=False),
        pa.field("stock_hour6_22_cnt", pa.int32(), nullable=False),
        pa.field("hours_stock_status", pa.list_(pa.field("element", pa.int32())), nullable=False),
        pa.field("discount", pa.float64(), nullable=False),
        pa.field("holiday_flag", pa.int32(), nullable=False),
        pa.field("activity_flag", pa.int32(), nullable=False),
        pa.field("precpt", pa.float64(), nullable=False),
        pa.field("avg_temperature", pa.float64(), nullable=False),
        pa.field("avg_humidity", pa.float64(), nullable=False),
        pa.field("avg_wind_level", pa.float64(), nullable=False),
    ]
)
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
