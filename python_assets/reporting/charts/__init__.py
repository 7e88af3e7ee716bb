"""The report's charts, one function per chart, each returning PNG bytes (matplotlib, no
display needed); also used for Dagster metadata."""

from python_assets.reporting.charts.forecast import forecast_accuracy_chart, forecast_series_png
from python_assets.reporting.charts.imbalance import zscore_cases_chart
from python_assets.reporting.charts.plan import (
    balance_index_chart,
    cost_chart,
    days_of_supply_chart,
    kpi_chart,
    recommendations_chart,
    transfers_chart,
)
from python_assets.reporting.charts.replay import replay_chart
from python_assets.reporting.charts.sales import (
    region_category_heatmap,
    seasonal_chart,
    store_sales_chart,
)
from python_assets.reporting.charts.style import figure_png, png_data_uri
from python_assets.reporting.charts.treemap import region_category_treemap, squarify

__all__ = [
    "balance_index_chart",
    "cost_chart",
    "days_of_supply_chart",
    "figure_png",
    "forecast_accuracy_chart",
    "forecast_series_png",
    "kpi_chart",
    "png_data_uri",
    "recommendations_chart",
    "region_category_heatmap",
    "region_category_treemap",
    "replay_chart",
    "seasonal_chart",
    "squarify",
    "store_sales_chart",
    "transfers_chart",
    "zscore_cases_chart",
]
