"""Daily sales, one store at a time: negative binomial demand, censored by stockouts, written
as sales_daily in row groups of whole stores."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from python_assets.inputs.contract import SALES_DAILY
from python_assets.inputs.demo.assortment import Assortment, Products
from python_assets.inputs.demo.dates import Calendar
from python_assets.inputs.demo.demand import NEG_BINOMIAL_SHAPE, RegionDrivers
from python_assets.inputs.demo.files import PARQUET_COMPRESSION, arrow_schema, date32
from python_assets.inputs.demo.inventory import StoreStock, store_stock
from python_assets.inputs.demo.network import ARCHETYPES, Stores
from python_assets.inputs.demo.profiles import SeriesPatterns, apply_patterns

# Rows per sales row group; about two such blocks are in memory at once (see write_sales).
SALES_BLOCK_ROWS = 1_000_000

# Share of a day's demand by hour: a stockout from late afternoon loses more than its hours.
_HOURLY_DEMAND = np.array(
    [0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.5, 2.5, 3.5, 4.5, 5.5,
     6.0, 5.5, 5.0, 5.0, 5.5, 6.5, 7.0, 6.0, 4.5, 3.0, 1.5, 0.5]
)  # fmt: skip


@dataclass(frozen=True)
class SalesInputs:
    """Everything the sales simulation reads, built once for the whole network."""

    stores: Stores
    products: Products
    calendar: Calendar
    drivers: RegionDrivers
    assortment: Assortment
    patterns: SeriesPatterns
    cover_multiplier: np.ndarray  # (store, subcategory): 1 except planted imbalances
    history_offsets: tuple[int, ...] = ()  # days before the last day of history snapshots


@dataclass
class StoreSales:
    columns: dict[str, np.ndarray]  # flat, product-major
    stock: StoreStock


def _instock_share_by_stockout_hours() -> np.ndarray:
    """Share of a day's demand still served when the shelf empties `h` hours before midnight."""
    served_before = np.concatenate([[0.0], np.cumsum(_HOURLY_DEMAND)]) / _HOURLY_DEMAND.sum()
    return served_before[24 - np.arange(25)]


def simulate_store(
    store: int, inputs: SalesInputs, rng: np.random.Generator, profile_rng: np.random.Generator
) -> StoreSales:
    """One store's daily sales, stock and deliveries; profile_rng draws only the profile's
    patterns, so the smooth profile's draws are those of the generator without profiles."""
    stores, products, calendar = inputs.stores, inputs.products, inputs.calendar
    drivers, assortment, patterns = inputs.drivers, inputs.assortment, inputs.patterns
    cover_multiplier = inputs.cover_multiplier[store]
    region = stores.region[store]
    arch = ARCHETYPES[stores.archetype_names[stores.archetype[store]]]
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

    smooth = patterns.profile.is_smooth
    if not smooth:
        true_demand = apply_patterns(true_demand, rate, idx, store, patterns, profile_rng)

    on_promo = discount < 1.0
    # Promotions empty shelves more often than ordinary days.
    stockout_p = assortment.stockout_rate[store][None, :] * np.where(on_promo, 2.5, 1.0)
    stocked_out = rng.random(rate.shape) < stockout_p
    if not smooth:
        # no shelf to empty before a launch or after a discontinuation
        stocked_out &= patterns.active_days()[:, idx]
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

    stock = store_stock(true_demand, cover_multiplier[subs], rng, inputs.history_offsets)

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
    if not smooth:
        # A product has no sales rows before its launch (too little history, as in real data).
        launched = flat(np.arange(n_days)[:, None] >= patterns.launch_day[idx][None, :])
        columns = {name: values[launched] for name, values in columns.items()}
    return StoreSales(columns=columns, stock=stock)


def _sales_block_table(
    blocks: list[tuple[int, StoreSales]],
    schema: pa.Schema,
    store_ids: pa.Array,
    product_ids: pa.Array,
) -> pa.Table:
    store_index = np.concatenate([np.full(b.columns["date"].size, s) for s, b in blocks])
    merged = {k: np.concatenate([b.columns[k] for _, b in blocks]) for k in blocks[0][1].columns}
    arrays = {
        "date": date32(merged["date"]),
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


def write_sales(
    path: Path,
    inputs: SalesInputs,
    rng: np.random.Generator,
    profile_rng: np.random.Generator,
    store_ids: pa.Array,
    product_ids: pa.Array,
) -> tuple[int, list[StoreStock], np.ndarray]:
    """Simulate and write sales store by store; return rows, stock per store, daily units.

    Blocks of stores are encoded and written on a worker thread while the next block is
    simulated (Arrow releases the GIL); one block in flight keeps memory bounded and the
    row-group order, hence the bytes, fixed.
    """
    n_stores, n_days = inputs.stores.archetype.size, inputs.calendar.epoch_days.size
    sales_columns = ["date", "store_id", "product_id", "units_sold", "revenue", "stockout_hours", "stockout_hours_6_22", "discount", "promo_flag", "holiday_flag"]  # fmt: skip
    schema = arrow_schema(SALES_DAILY, sales_columns)
    store_rngs = rng.spawn(n_stores)
    profile_rngs = profile_rng.spawn(n_stores)
    stock: list[StoreStock] = []
    daily_rate = np.zeros(n_stores)
    n_rows = 0
    with (
        pq.ParquetWriter(path, schema, compression=PARQUET_COMPRESSION) as writer,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):

        def write_block(block: list[tuple[int, StoreSales]]) -> None:
            table = _sales_block_table(block, schema, store_ids, product_ids)
            writer.write_table(table, row_group_size=table.num_rows)

        pending: Future[None] | None = None
        block: list[tuple[int, StoreSales]] = []
        block_rows = 0
        for s in range(n_stores):
            result = simulate_store(s, inputs, store_rngs[s], profile_rngs[s])
            stock.append(result.stock)
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
    return n_rows, stock, daily_rate
