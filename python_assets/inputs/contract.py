"""The input contract: which files a user brings, their columns and types.

One place describes every input table; the validator, the loader and the data
generators all read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

# Dates: none before EARLIEST_DATE anywhere; a date of something that already happened (a
# Column with past_only) at most FUTURE_TOLERANCE_DAYS after the day of the run; planned
# covariates at most PLANNED_HORIZON_DAYS after the last sales day.
EARLIEST_DATE = date(1900, 1, 1)
FUTURE_TOLERANCE_DAYS = 1
PLANNED_HORIZON_DAYS = 366

# Absurd-value ceilings (the README's input contract lists them): units of one store x product
# on one day, and stock of one store x product.
MAX_DAILY_UNITS = 1_000_000
MAX_STOCK_UNITS = 10_000_000


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str  # DuckDB type the raw table stores it as
    required: bool = True
    non_negative: bool = False
    min_value: float | None = None
    max_value: float | None = None
    past_only: bool = False  # a date of something that happened: not after the run's day + 1

    @property
    def is_id(self) -> bool:
        return self.sql_type == "varchar" and self.name.endswith("_id")


@dataclass(frozen=True)
class InputTable:
    name: str
    grain: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    required: bool = True
    # column -> referenced input table (whose key is a single column of the same name)
    references: dict[str, str] = field(default_factory=dict)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


STORES = InputTable(
    name="stores",
    grain="one row per store",
    key=("store_id",),
    columns=(
        Column("store_id", "varchar"),
        Column("city", "varchar"),
        Column("region", "varchar"),
        Column("latitude", "double", min_value=-90, max_value=90),
        Column("longitude", "double", min_value=-180, max_value=180),
        Column("store_name", "varchar", required=False),
        Column("storage_capacity_units", "double", required=False, non_negative=True),
        Column("format", "varchar", required=False),
        Column("opened_on", "date", required=False),
        # set by adapters whose source has no coordinates (FreshRetailNet): true = derived
        Column("coordinates_assumed", "boolean", required=False),
    ),
)

PRODUCTS = InputTable(
    name="products",
    grain="one row per product",
    key=("product_id",),
    columns=(
        Column("product_id", "varchar"),
        Column("category", "varchar"),
        Column("subcategory", "varchar"),
        Column("product_name", "varchar", required=False),
        Column("style", "varchar", required=False),
        Column("unit_cost", "double", required=False, non_negative=True),
        Column("unit_price", "double", required=False, non_negative=True),
        Column("pack_size", "double", required=False, non_negative=True),
    ),
)

SALES_DAILY = InputTable(
    name="sales_daily",
    grain="one row per store per product per day",
    key=("date", "store_id", "product_id"),
    references={"store_id": "stores", "product_id": "products"},
    columns=(
        Column("date", "date", past_only=True),
        Column("store_id", "varchar"),
        Column("product_id", "varchar"),
        Column("units_sold", "double", non_negative=True, max_value=MAX_DAILY_UNITS),
        Column("revenue", "double", required=False, non_negative=True),
        Column("stockout_hours", "double", required=False, min_value=0, max_value=24),
        # out-of-stock hours between 06:00 and 22:00 (FreshRetailNet's evaluation mask)
        Column("stockout_hours_6_22", "double", required=False, min_value=0, max_value=16),
        Column("discount", "double", required=False, non_negative=True),
        Column("promo_flag", "boolean", required=False),
        Column("holiday_flag", "boolean", required=False),
        # weather within physical bounds: mm per day, degrees Celsius, percent, Beaufort force
        Column("precipitation", "double", required=False, min_value=0, max_value=2000),
        Column("avg_temperature", "double", required=False, min_value=-90, max_value=60),
        Column("avg_humidity", "double", required=False, min_value=0, max_value=100),
        Column("avg_wind_level", "double", required=False, min_value=0, max_value=17),
    ),
)

# Known ahead for the days after the last sales day: planned prices and promotions, the holiday
# calendar, weather forecasts. Same meaning and checks as the sales_daily columns of that name.
PLANNED_COVARIATE_COLUMNS = (
    "discount",
    "promo_flag",
    "holiday_flag",
    "precipitation",
    "avg_temperature",
    "avg_humidity",
    "avg_wind_level",
)
PLANNED_COVARIATES = InputTable(
    name="planned_covariates",
    grain="one row per store per product per day after the last sales day",
    key=("date", "store_id", "product_id"),
    required=False,
    references={"store_id": "stores", "product_id": "products"},
    columns=(
        # planned days lie ahead of the run by design: bounded by PLANNED_HORIZON_DAYS instead
        replace(SALES_DAILY.column("date"), past_only=False),
        SALES_DAILY.column("store_id"),
        SALES_DAILY.column("product_id"),
        *(SALES_DAILY.column(name) for name in PLANNED_COVARIATE_COLUMNS),
    ),
)

# The latest snapshot_date is the stock the plan starts from; earlier dates are the inventory
# history a replay of past plans reads. A single date (no history) is valid.
INVENTORY_SNAPSHOT = InputTable(
    name="inventory_snapshot",
    grain="one row per store per product per snapshot date",
    key=("store_id", "product_id", "snapshot_date"),
    references={"store_id": "stores", "product_id": "products"},
    columns=(
        Column("store_id", "varchar"),
        Column("product_id", "varchar"),
        Column("on_hand_units", "double", non_negative=True, max_value=MAX_STOCK_UNITS),
        Column("snapshot_date", "date", past_only=True),
        Column(
            "in_transit_units",
            "double",
            required=False,
            non_negative=True,
            max_value=MAX_STOCK_UNITS,
        ),
        # set by adapters whose source has no inventory (FreshRetailNet): true = simulated
        Column("on_hand_simulated", "boolean", required=False),
    ),
)

CUSTOMER_ORDERS = InputTable(
    name="customer_orders",
    grain="one row per order line",
    key=("order_id", "product_id"),
    required=False,
    references={"store_id": "stores", "product_id": "products"},
    columns=(
        Column("order_id", "varchar"),
        Column("customer_id", "varchar"),
        Column("order_date", "date", past_only=True),
        Column("store_id", "varchar"),
        Column("amount", "double", non_negative=True),
        Column("product_id", "varchar", required=False),
        Column("units", "double", required=False, non_negative=True, max_value=MAX_DAILY_UNITS),
    ),
)

# What was actually shipped and received of planned store-to-store transfers (e.g. the last
# plan's), as a warehouse or transport system logs it; feeds the transfer completion KPI.
TRANSFERS_EXECUTED = InputTable(
    name="transfers_executed",
    grain="one row per planned transfer: ship date, sending store, receiving store, product",
    key=("ship_date", "from_store_id", "to_store_id", "product_id"),
    required=False,
    references={"from_store_id": "stores", "to_store_id": "stores", "product_id": "products"},
    columns=(
        Column("ship_date", "date", past_only=True),
        Column("from_store_id", "varchar"),
        Column("to_store_id", "varchar"),
        Column("product_id", "varchar"),
        Column("planned_units", "double", non_negative=True, max_value=MAX_STOCK_UNITS),
        Column("shipped_units", "double", non_negative=True, max_value=MAX_STOCK_UNITS),
        Column("received_units", "double", non_negative=True, max_value=MAX_STOCK_UNITS),
        Column("transfer_id", "varchar", required=False),
    ),
)

# Not part of what a user must bring: written by the generators to document the data.
PLANTED_IMBALANCES = InputTable(
    name="planted_imbalances",
    grain="one row per store per subcategory the demo generator unbalanced",
    key=("store_id", "subcategory"),
    required=False,
    references={"store_id": "stores"},
    columns=(
        Column("store_id", "varchar"),
        Column("subcategory", "varchar"),
        Column("direction", "varchar"),  # 'over' | 'under'
        Column("cover_multiplier", "double", non_negative=True),
    ),
)

DATASET_ASSUMPTIONS = InputTable(
    name="dataset_assumptions",
    grain="one row per assumption the dataset's adapter or generator made",
    key=("topic",),
    required=False,
    columns=(
        Column("dataset", "varchar"),
        Column("topic", "varchar"),
        Column("assumption", "varchar"),
        Column("setting", "varchar", required=False),
    ),
)

INPUT_TABLES: tuple[InputTable, ...] = (
    STORES,
    PRODUCTS,
    SALES_DAILY,
    INVENTORY_SNAPSHOT,
    CUSTOMER_ORDERS,
    PLANNED_COVARIATES,
    TRANSFERS_EXECUTED,
    PLANTED_IMBALANCES,
    DATASET_ASSUMPTIONS,
)
TABLES_BY_NAME = {t.name: t for t in INPUT_TABLES}
FILE_SUFFIXES = (".parquet", ".csv")
