"""Charts as PNG bytes (matplotlib, no display needed), for Dagster metadata and the report."""

from python_assets.reporting.charts.style import figure_png, forecast_series_png, png_data_uri

__all__ = ["figure_png", "forecast_series_png", "png_data_uri"]
