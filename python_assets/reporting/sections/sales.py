"""Sections on the sales history: the regional sales heatmap, store performance, the seasonal
category distribution and the regional treemap."""

from __future__ import annotations

import numpy as np
import pandas as pd

from python_assets.reporting import charts
from python_assets.reporting.data import ReportData
from python_assets.reporting.formatting import num, pct, store_labels, truncate
from python_assets.reporting.markup import Col, chart, empty, note, table

# how many items a chart or table labels before it says "top N of M"
TOP_STORES = 25
TOP_CATEGORIES = 12
TOP_SERIES = 8


def _top_with_other(
    totals: pd.Series, n: int, other_label: str = "Other categories"
) -> tuple[list[str], str | None]:
    """The n largest keys, and the label the rest are merged under (None when nothing is)."""
    ordered = totals.sort_values(ascending=False)
    if len(ordered) <= n:
        return [str(k) for k in ordered.index], None
    return [str(k) for k in ordered.index[: n - 1]], other_label


def _merged_pivot(
    frame: pd.DataFrame, index: str, n: int
) -> tuple[pd.DataFrame, pd.Series, list[str], str | None]:
    """Units sold with `index` as rows and the n largest categories as columns (the rest merged
    into one); also the category totals, the kept categories and the merged label."""
    totals = frame.groupby("category")["units_sold"].sum()
    keep, other = _top_with_other(totals, n)
    frame = frame.assign(
        category=frame["category"].where(frame["category"].isin(keep), other or "")
    )
    units = frame.pivot_table(
        index=index, columns="category", values="units_sold", aggfunc="sum", fill_value=0.0
    )
    return units[[c for c in [*keep, other] if c in units.columns]], totals, keep, other


def heatmap(data: ReportData) -> str:
    frame = data.sales_region_category
    if frame.empty or float(frame["units_sold"].fillna(0).sum()) <= 0:
        return empty("No sales to map: " + data.empty_reason("sales_region_category") + ".")
    units, totals, keep, other = _merged_pivot(frame, "region", TOP_CATEGORIES)
    share = units.div(units.sum(axis=1).replace(0, np.nan), axis=0)
    png = charts.region_category_heatmap(units, share)
    period = data.sales_period
    when = (
        f" from {period.first_date.iloc[0]:%Y-%m-%d} to {period.last_date.iloc[0]:%Y-%m-%d}"
        if len(period)
        else ""
    )
    caption = (
        f"Units sold{when}. The category-mix panel compares the mix of regions of different size."
    )
    if other:
        caption += f" The {len(totals) - len(keep)} smallest categories are merged into '{other}'."
    regions_share = share.idxmax(axis=1)
    strongest = "; ".join(
        f"{truncate(str(r), 24)}: {truncate(str(c), 24)} ({share.loc[r, c]:.0%})"
        for r, c in regions_share.items()
        if isinstance(c, str)
    )
    lead = note(f"Largest category share per region - {strongest}.") if strongest else ""
    return chart(png, "Heatmap of units sold by region and category", caption) + lead


def store_performance(data: ReportData) -> str:
    parts: list[str] = []
    kpi = data.kpi_store
    if kpi.empty:
        parts.append(empty("No store KPIs: " + data.empty_reason("kpi_store") + "."))
    else:
        kpi = kpi.assign(label=store_labels(kpi.store_id, kpi.store_name))
        has_revenue = float(kpi["revenue_28d"].fillna(0).sum()) > 0
        measure = "revenue_28d" if has_revenue else "units_sold_28d"
        measure_label = (
            "revenue, last 4 weeks (currency units)" if has_revenue else "units sold, last 4 weeks"
        )
        ranked = kpi.sort_values(measure, ascending=False)
        shown = ranked.head(TOP_STORES).iloc[::-1]
        regions = kpi["region"].dropna().astype(str).unique()
        png = charts.store_sales_chart(shown, measure, measure_label, regions)
        caption = f"Stores ranked by {measure_label}"
        if len(kpi) > len(shown):
            caption += f"; the top {len(shown)} of {len(kpi)} stores are shown"
        parts.append(
            chart(png, "Store performance: sales and stock-out frequency per store", caption + ".")
        )
        columns = [Col("label", "Store"), Col("region", "Region"), Col("store_format", "Format")]
        if has_revenue:
            columns.append(Col("revenue_28d", "Revenue, 4 weeks", num, True))
        columns += [
            Col("units_sold_28d", "Units sold, 4 weeks", num, True),
            Col("average_order_value_28d", "Average order value", lambda v: num(v, 2), True),
            Col("days_of_supply_before", "Days of supply", lambda v: num(v, 1), True),
            Col("inventory_turnover_before", "Turnover (turns/yr)", lambda v: num(v, 1), True),
            Col("stockout_frequency_28d", "Stock-out frequency", pct, True),
        ]
        parts.append(table(ranked.head(TOP_STORES), columns))
        if kpi["average_order_value_28d"].isna().all():
            parts.append(note("Average order value is n/a: this dataset has no customer orders."))
    parts.append(_customer_segments(data))
    return "".join(parts)


def _customer_segments(data: ReportData) -> str:
    segments = data.customer_segments
    if segments.empty:
        return empty(
            "No customer segments: this dataset has no customer orders ("
            + data.empty_reason("customer_segments")
            + ")."
        )
    one_decimal, two_decimals = (lambda v: num(v, 1)), (lambda v: num(v, 2))
    return "<h3>Customer segments (from customer orders)</h3>" + table(
        segments,
        [
            Col("segment_id", "Segment"),
            Col("customer_count", "Customers", num, True),
            Col("mean_recency_days", "Days since last order (mean)", one_decimal, True),
            Col("mean_frequency_orders", "Orders per customer (mean)", one_decimal, True),
            Col("mean_monetary_amount", "Spend per customer (mean)", two_decimals, True),
            Col("mean_average_order_value", "Average order value (mean)", two_decimals, True),
        ],
    )


def seasonal(data: ReportData) -> str:
    frame = data.sales_month_category
    if frame.empty or float(frame["units_sold"].fillna(0).sum()) <= 0:
        return empty("No monthly sales: " + data.empty_reason("sales_month_category") + ".")
    frame = frame.assign(month=pd.to_datetime(frame["month"]))
    # days with sales per month, so partial first/last months are not read as dips
    days = frame.groupby("month")["days"].max()
    units, totals, keep, other = _merged_pivot(frame, "month", TOP_SERIES)
    per_day = units.div(days, axis=0)
    # seasonal index: the month against the category's own average month (1.0 = average)
    index = per_day / per_day.mean(axis=0).replace(0, np.nan)
    png = charts.seasonal_chart(per_day, index)
    partial = [
        f"{m:%b %Y} ({int(d)} days)" for m, d in days.items() if d < pd.Timestamp(m).days_in_month
    ]
    caption = "Units per day of data in each month, so partial months compare fairly"
    if partial:
        caption += "; partial months: " + ", ".join(partial)
    if other:
        caption += f". The {len(totals) - len(keep)} smallest categories are merged into '{other}'"
    peaks = "; ".join(
        f"{truncate(str(c), 24)}: {index[c].idxmax():%b %Y} ({index[c].max():.2f})"
        for c in index.columns
        if index[c].notna().any()
    )
    return chart(
        png, "Seasonal category distribution: monthly units per day by category", caption + "."
    ) + note(f"Peak month per category (seasonal index) - {peaks}.")


def treemap(data: ReportData) -> str:
    frame = data.sales_region_category
    # revenue when the data has prices, otherwise units (FreshRetailNet has no revenue)
    if len(frame) and float(frame["revenue"].fillna(0).sum()) > 0:
        measure, measure_label = "revenue", "revenue (currency units)"
    else:
        measure, measure_label = "units_sold", "units sold"
    if frame.empty or float(frame[measure].fillna(0).sum()) <= 0:
        return empty(
            "No sales for the treemap: " + data.empty_reason("sales_region_category") + "."
        )
    png = charts.region_category_treemap(frame[frame[measure].fillna(0) > 0], measure)
    caption = (
        f"Area = {measure_label} over the whole sales history, region > category; the share in "
        "brackets is of the region (region titles: of the network). Tiles too small to label are "
        "left unlabelled."
    )
    return chart(png, f"Treemap of {measure_label} by region and category", caption)
