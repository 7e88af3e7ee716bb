"""Deterministic generator of the synthetic demo retail network (stores, products, sales,
inventory, customer orders) that `make run` feeds through the whole pipeline."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from python_assets.inputs.contract import (
    CUSTOMER_ORDERS,
    DATASET_ASSUMPTIONS,
    INVENTORY_SNAPSHOT,
    PLANNED_COVARIATES,
    PLANTED_IMBALANCES,
    PRODUCTS,
    STORES,
    TRANSFERS_EXECUTED,
)
from python_assets.inputs.demo.assortment import build_assortment, build_products, product_columns
from python_assets.inputs.demo.dates import build_calendar
from python_assets.inputs.demo.demand import ANNUAL_GROWTH, NEG_BINOMIAL_SHAPE, build_region_drivers
from python_assets.inputs.demo.files import id_width, prefixed_ids, write_table
from python_assets.inputs.demo.imbalances import plant_imbalances, planted_columns
from python_assets.inputs.demo.inventory import (
    RECENT_DEMAND_DAYS,
    TARGET_COVER_DAYS,
    snapshot_columns,
    storage_capacity,
)
from python_assets.inputs.demo.network import build_stores, store_columns
from python_assets.inputs.demo.orders import build_orders
from python_assets.inputs.demo.parameters import DEMO_SIZES, DemoSize
from python_assets.inputs.demo.planned import PLANNED_DAYS, planned_covariate_columns
from python_assets.inputs.demo.profiles import (
    DEFAULT_PROFILE,
    DEMO_PROFILES,
    SeriesPatterns,
    build_patterns,
)
from python_assets.inputs.demo.sales import SalesInputs, write_sales
from python_assets.inputs.demo.transfers import executed_transfer_columns
from python_assets.inputs.inventory_history import history_offsets


def _assumptions(
    size: DemoSize,
    seed: int,
    end_date: date,
    n_planted: int,
    patterns: SeriesPatterns,
    offsets: tuple[int, ...],
) -> dict[str, list[str]]:
    rows = [
        ("synthetic", "All data is synthetic: no real stores, products, customers or sales.", "generator=python_assets/inputs/demo/generator"),
        ("seed", "Generated deterministically; the same seed, size and profile give byte-identical files.", f"seed={seed}"),
        ("size", "Network size of this run.", size.setting()),
        ("period", "Daily sales end on the latest inventory snapshot date.", f"end_date={end_date.isoformat()}"),
        ("coordinates", "Store coordinates are real US city centres jittered by a few km (express central, hypermarkets further out).", "jitter_km=3..12"),
        ("store_archetypes", "Each store format has its own subcategory demand mix, weekly profile and assortment breadth.", "formats=supermarket, express, hypermarket, discounter"),
        ("demand", "Daily demand is negative binomial around store x product level x weekly x yearly (subcategory phase) x holiday x promotion x trend.", f"nb_shape={NEG_BINOMIAL_SHAPE}, annual_growth={ANNUAL_GROWTH}"),
        ("promotions", "Promotions run per region, product and week; discount is the price factor (< 1 on promotion), uplift = discount^-elasticity.", "discount=0.65..0.90"),
        ("holidays", "US federal holidays plus Black Friday, Christmas Eve and New Year's Eve lift demand by subcategory.", "holiday_lift=1.05..1.8"),
        ("stockouts", "On a few % of days the shelf empties h hours before midnight; units_sold is the demand served before that (censored).", "stockout_hours=1..23"),
        ("inventory", f"On-hand = last {RECENT_DEMAND_DAYS} days' true demand x about 12 days of cover with lognormal noise; nothing is simulated downstream.", f"cover_days={TARGET_COVER_DAYS:g}, sigma=0.12"),
        ("inventory_history", f"Weekly history snapshots before the latest one follow the same rule: the {RECENT_DEMAND_DAYS} days' true demand ending on the snapshot day x the pair's same cover, nothing in transit.", "days_before_last=" + ",".join(str(o) for o in offsets)),
        ("planted_imbalances", "Some store x subcategory covers are multiplied (over x3-4, under x0.10-0.25), at most one per format and subcategory; listed in planted_imbalances.", f"pairs={n_planted}"),
        ("customer_orders", "Customers have a home store and a behaviour segment (champion, loyal, regular, occasional, lapsed, new) driving recency, frequency and basket size.", "away_share=0.10"),
        _profile_assumption(patterns),
        ("planned_covariates", "Planned covariates cover the days after the history for every store x product still on sale: the promotions planned (the last week's continue, later weeks drawn like the history's) and the holidays.", f"days={PLANNED_DAYS}"),
        ("transfers_executed", "Executed transfers are simulated: each store sends a few products to a store of its region in the last week; 20% of lines are short-shipped (50-90% of plan), 5% arrive one unit short.", "generator=python_assets/inputs/demo/transfers"),
        ("weather", "No weather columns are generated.", "precipitation, avg_temperature, avg_humidity, avg_wind_level absent"),
    ]  # fmt: skip
    return {
        "dataset": ["demo"] * len(rows),
        "topic": [r[0] for r in rows],
        "assumption": [r[1] for r in rows],
        "setting": [r[2] for r in rows],
    }


def _profile_assumption(patterns: SeriesPatterns) -> tuple[str, str, str]:
    p = patterns.profile
    if p.is_smooth:
        return (
            "profile",
            "Demand profile smooth: every series follows the negative binomial demand above, carried all history.",
            "profile=smooth",
        )
    launched = int((patterns.launch_day > 0).sum())
    stopped = int((patterns.stop_day < patterns.n_days).sum())
    return (
        "profile",
        f"Demand profile {p.name}: a long tail of store x product series sells sparse integer units (intermittent: mostly one unit; lumpy: several at once), "
        "some products launch during the history (no rows before, a first-day spike; one two days before the last day) and some are discontinued weeks before the end (zero sales after).",
        f"profile={p.name}, tail_share={p.tail_share:g}, lumpy_share={p.lumpy_share:g}, launches={launched}, discontinued={stopped}, late_launch_spike={p.late_launch_spike:g}",
    )  # fmt: skip


def generate_demo_data(
    out_dir: Path,
    size: DemoSize,
    seed: int = 42,
    end_date: date = date(2026, 6, 30),
    profile: str = DEFAULT_PROFILE,
) -> dict[str, int]:
    """Write the demo network as <out_dir>/<table>.parquet; return rows per table.

    profile names a DEMO_PROFILES entry; `smooth` gives the generator's original demand.
    """
    if profile not in DEMO_PROFILES:
        raise ValueError(f"DEMO_PROFILE must be one of {sorted(DEMO_PROFILES)}, got {profile!r}")
    demand_profile = DEMO_PROFILES[profile]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    root = np.random.Generator(np.random.PCG64(seed))
    # Independent streams per part, so changing one part leaves the others' draws unchanged.
    network_rng, sales_rng, orders_rng, profile_rng, planned_rng = root.spawn(5)
    (transfers_rng,) = root.spawn(1)
    calendar = build_calendar(end_date, size.n_days)
    stores = build_stores(size, network_rng, int(calendar.epoch_days[0]))
    products = build_products(size, network_rng)
    drivers = build_region_drivers(stores, products, calendar, network_rng)
    assortment = build_assortment(stores, products, network_rng)
    planted = plant_imbalances(stores, products, assortment, network_rng)
    patterns = build_patterns(demand_profile, products, assortment, size.n_days, profile_rng)

    store_ids = prefixed_ids("S", np.arange(1, size.n_stores + 1), id_width(size.n_stores, 3))
    product_ids = prefixed_ids("P", np.arange(1, size.n_products + 1), id_width(size.n_products, 4))
    rows: dict[str, int] = {}

    cover_multiplier = np.ones((size.n_stores, len(products.subcategories)))
    cover_multiplier[planted.store, planted.subcategory] = planted.multiplier
    offsets = history_offsets(size.n_days, RECENT_DEMAND_DAYS)
    inputs = SalesInputs(
        stores, products, calendar, drivers, assortment, patterns, cover_multiplier, offsets
    )
    n_sales, stock, daily_rate = write_sales(
        out_dir / "sales_daily.parquet", inputs, sales_rng, profile_rng, store_ids, product_ids
    )
    rows["sales_daily"] = n_sales

    on_hand, in_transit = [s.on_hand for s in stock], [s.in_transit for s in stock]
    capacity = storage_capacity(on_hand, in_transit, daily_rate, network_rng)
    rows["stores"] = write_table(
        out_dir / "stores.parquet", STORES, store_columns(stores, store_ids, capacity)
    )
    rows["products"] = write_table(
        out_dir / "products.parquet", PRODUCTS, product_columns(products, product_ids)
    )
    rows["inventory_snapshot"] = write_table(
        out_dir / "inventory_snapshot.parquet",
        INVENTORY_SNAPSHOT,
        snapshot_columns(assortment, stock, calendar, store_ids, product_ids, offsets),
    )
    rows["customer_orders"] = write_table(
        out_dir / "customer_orders.parquet",
        CUSTOMER_ORDERS,
        build_orders(
            size,
            stores,
            products,
            calendar,
            drivers,
            assortment,
            orders_rng,
            None if demand_profile.is_smooth else patterns.active_days(),
        ),
    )
    rows["planned_covariates"] = write_table(
        out_dir / "planned_covariates.parquet",
        PLANNED_COVARIATES,
        planned_covariate_columns(
            end_date,
            stores,
            products,
            calendar,
            drivers,
            assortment,
            patterns,
            store_ids,
            product_ids,
            planned_rng,
        ),
    )
    rows["transfers_executed"] = write_table(
        out_dir / "transfers_executed.parquet",
        TRANSFERS_EXECUTED,
        executed_transfer_columns(
            stores, assortment, calendar, store_ids, product_ids, transfers_rng
        ),
    )
    rows["planted_imbalances"] = write_table(
        out_dir / "planted_imbalances.parquet",
        PLANTED_IMBALANCES,
        planted_columns(planted, products, store_ids),
    )
    assumptions = _assumptions(size, seed, end_date, int(planted.store.size), patterns, offsets)
    rows["dataset_assumptions"] = write_table(
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
    parser.add_argument("--profile", choices=sorted(DEMO_PROFILES), default=DEFAULT_PROFILE)
    args = parser.parse_args(argv)
    rows = generate_demo_data(
        args.out_dir,
        DEMO_SIZES[args.size],
        seed=args.seed,
        end_date=args.end_date,
        profile=args.profile,
    )
    for table, count in rows.items():
        print(f"{table}: {count:,} rows")


if __name__ == "__main__":
    main()
