"""Charts as PNG bytes (matplotlib, no display needed), for Dagster metadata and the report."""

from __future__ import annotations

import base64
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd


def figure_png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def forecast_series_png(
    history: pd.DataFrame,
    forecast: pd.DataFrame,
    series: list[tuple[str, str]],
    days_shown: int = 35,
) -> bytes:
    """A few store x product series: recent sales, the forecast and its 80% / 95% intervals."""
    fig, axes = plt.subplots(len(series), 1, figsize=(9, 2.4 * len(series)), squeeze=False)
    for ax, (store_id, product_id) in zip(axes[:, 0], series, strict=True):
        past = history[
            (history.store_id == store_id) & (history.product_id == product_id)
        ].sort_values("sales_date")
        past = past.tail(days_shown)
        ahead = forecast[
            (forecast.store_id == store_id) & (forecast.product_id == product_id)
        ].sort_values("forecast_date")
        ax.plot(past.sales_date, past.units_sold, color="#333333", lw=1.2, label="sales")
        ax.fill_between(
            ahead.forecast_date,
            ahead.lower_95,
            ahead.upper_95,
            color="#9ecae1",
            alpha=0.5,
            label="95% interval",
        )
        ax.fill_between(
            ahead.forecast_date,
            ahead.lower_80,
            ahead.upper_80,
            color="#4292c6",
            alpha=0.5,
            label="80% interval",
        )
        ax.plot(
            ahead.forecast_date, ahead.forecast_units, color="#08519c", lw=1.6, label="forecast"
        )
        ax.set_title(f"store {store_id} x product {product_id}", fontsize=9, loc="left")
        ax.set_ylabel("units")
        ax.tick_params(labelsize=8)
    axes[0, 0].legend(fontsize=7, ncols=4, loc="upper left")
    return figure_png(fig)
