"""FreshRetailNet-50K's published layout, and the one mapping of its columns onto the input
contract that the adapter and the forecast benchmark both use."""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

# The published Parquet schema, column -> type; no column is nullable.
_PUBLISHED_TYPES: dict[str, pa.DataType] = {
    "city_id": pa.int32(),
    "store_id": pa.int32(),
    "management_group_id": pa.int32(),
    "first_category_id": pa.int32(),
    "second_category_id": pa.int32(),
    "third_category_id": pa.int32(),
    "product_id": pa.int32(),
    "dt": pa.string(),
    "sale_amount": pa.float64(),
    "hours_sale": pa.list_(pa.field("element", pa.float64())),
    "stock_hour6_22_cnt": pa.int32(),
    "hours_stock_status": pa.list_(pa.field("element", pa.int32())),
    "discount": pa.float64(),
    "holiday_flag": pa.int32(),
    "activity_flag": pa.int32(),
    "precpt": pa.float64(),
    "avg_temperature": pa.float64(),
    "avg_humidity": pa.float64(),
    "avg_wind_level": pa.float64(),
}
PUBLISHED_SCHEMA = pa.schema(
    [pa.field(name, dtype, nullable=False) for name, dtype in _PUBLISHED_TYPES.items()]
)
# Only what the adapter reads: hours_sale (the largest column) and management_group_id are
# never touched, so DuckDB's projection pushdown skips them.
SOURCE_COLUMNS: tuple[str, ...] = tuple(
    name for name in _PUBLISHED_TYPES if name not in ("hours_sale", "management_group_id")
)
# The layout ends with the day's covariates (discount to avg_wind_level): the part of a row
# that is known ahead of the day.
_COVARIATE_COLUMNS: tuple[str, ...] = SOURCE_COLUMNS[SOURCE_COLUMNS.index("discount") :]

# Contract column of sales_daily -> SQL expression over one row of the published layout. The
# stock status is 1 for an out-of-stock hour, so the flagged hours are counted, not summed.
SALES_DAILY_MAPPING: dict[str, str] = {
    "date": "CAST(dt AS DATE)",
    "store_id": "CAST(store_id AS VARCHAR)",
    "product_id": "CAST(product_id AS VARCHAR)",
    "units_sold": "CAST(sale_amount AS DOUBLE)",
    "stockout_hours": "CAST(len(list_filter(hours_stock_status, lambda h: h = 1)) AS DOUBLE)",
    "stockout_hours_6_22": "CAST(stock_hour6_22_cnt AS DOUBLE)",
    "discount": "CAST(discount AS DOUBLE)",
    "promo_flag": "activity_flag = 1",
    "holiday_flag": "holiday_flag = 1",
    "precipitation": "CAST(precpt AS DOUBLE)",
    "avg_temperature": "CAST(avg_temperature AS DOUBLE)",
    "avg_humidity": "CAST(avg_humidity AS DOUBLE)",
    "avg_wind_level": "CAST(avg_wind_level AS DOUBLE)",
}
# Contract column of products -> (published id column, label prefix): ids become "cat_12".
PRODUCT_HIERARCHY: dict[str, tuple[str, str]] = {
    "category": ("first_category_id", "cat_"),
    "subcategory": ("second_category_id", "sub_"),
    "style": ("third_category_id", "style_"),
}


def mapped_columns(mapping: dict[str, str], columns: Sequence[str] | None = None) -> str:
    """SQL select list `<expression> AS <contract column>` for the given (default: all) columns."""
    names = list(mapping) if columns is None else list(columns)
    return ",\n".join(f"{mapping[name]} AS {name}" for name in names)


def hierarchy_label(column: str, id_expression: str | None = None) -> str:
    """SQL for a products hierarchy column (category, subcategory, style) from its published id;
    id_expression replaces the id column, e.g. with an aggregate over it."""
    id_column, prefix = PRODUCT_HIERARCHY[column]
    return f"'{prefix}' || CAST({id_expression or id_column} AS VARCHAR)"


# What a file of the days after the history must hold: its sales and stock columns, if
# present, are never read (they are unknown for days still to come).
FUTURE_SOURCE_COLUMNS: tuple[str, ...] = (
    "city_id",
    "store_id",
    "product_id",
    "dt",
    *_COVARIATE_COLUMNS,
)
