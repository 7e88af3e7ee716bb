"""Charts of the demand forecast: accuracy per model in the report, and a few series with their
intervals for the Dagster UI."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from python_assets.reporting.charts.style import (
    AFTER_COLOUR,
    figure_png,
    legend_below,
    style_axes,
    thousands,
)


def forecast_accuracy_chart(
    accuracy: pd.DataFrame, overall: pd.DataFrame, frn: pd.DataFrame, model: str | None
) -> bytes:
    """Pooled WAPE per model (`overall`, indexed by model, best first; `frn` the FreshRetailNet
    convention, may be empty) and WAPE per backtest window (from `accuracy`)."""
    models = list(overall.index)
    fig, axes = plt.subplots(
        1, 2, figsize=(12, 1.6 + 0.5 * len(models)), gridspec_kw={"width_ratios": [1, 1]}
    )
    y = np.arange(len(models))[::-1]
    h = 0.38 if len(frn) else 0.6
    axes[0].barh(
        y + (h / 2 if len(frn) else 0),
        overall.wape.astype(float),
        h,
        color=[AFTER_COLOUR if m == model else "#90a4ae" for m in models],
        label="all scored rows",
    )
    for yi, v in zip(y, overall.wape.astype(float), strict=True):
        axes[0].text(v, yi + (h / 2 if len(frn) else 0), f" {v:.1%}", va="center", fontsize=7)
    if len(frn):
        vals = frn.reindex(models).wape.astype(float)
        axes[0].barh(
            y - h / 2, vals, h, color="#ffb74d", label="FreshRetailNet benchmark convention"
        )
        for yi, v in zip(y, vals, strict=True):
            if np.isfinite(v):
                axes[0].text(v, yi - h / 2, f" {v:.1%}", va="center", fontsize=7)
    axes[0].set_yticks(y)
    axes[0].set_yticklabels([f"{m} (chosen)" if m == model else str(m) for m in models], fontsize=8)
    axes[0].set_xlabel("WAPE, all backtest windows pooled (lower is better)", fontsize=8)
    axes[0].set_title("Forecast error per model", fontsize=10, loc="left")
    axes[0].margins(x=0.2)
    thousands(axes[0], percent=True)
    windows = accuracy[(accuracy.backtest_window > 0) & (accuracy.segment_type == "all")]
    if len(windows):
        for i, m in enumerate(models):
            w = windows[windows.model_name == m].sort_values("backtest_window")
            axes[1].plot(
                w.backtest_window.astype(int),
                w.wape.astype(float),
                marker="o",
                ms=3,
                lw=2.2 if m == model else 1.2,
                color=plt.get_cmap("tab10").colors[i % 10],
                label=str(m),
            )
        axes[1].set_xlabel("backtest window (1 = oldest)", fontsize=8)
        axes[1].set_ylabel("WAPE", fontsize=8)
        axes[1].set_xticks(sorted(windows.backtest_window.astype(int).unique()))
        axes[1].set_title("Error per backtest window", fontsize=10, loc="left")
        axes[1].legend(fontsize=7)
        thousands(axes[1], "y", percent=True)
        axes[1].grid(axis="y", color="#e0e0e0", lw=0.6)
    else:
        axes[1].axis("off")
        axes[1].text(
            0.5,
            0.5,
            "single backtest window",
            ha="center",
            va="center",
            fontsize=9,
            color="#666666",
            transform=axes[1].transAxes,
        )
    for ax in axes:
        style_axes(ax)
    if len(frn):
        legend_below(fig, axes[0], 2)
    else:
        fig.tight_layout()
    return figure_png(fig)


_INTERVAL_COLOURS = {95: "#9ecae1", 80: "#4292c6"}


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
        for level, colour in _INTERVAL_COLOURS.items():  # wide first, so the narrow one is on top
            ax.fill_between(
                ahead.forecast_date,
                ahead[f"lower_{level}"],
                ahead[f"upper_{level}"],
                color=colour,
                alpha=0.5,
                label=f"{level}% interval",
            )
        ax.plot(
            ahead.forecast_date, ahead.forecast_units, color="#08519c", lw=1.6, label="forecast"
        )
        ax.set_title(f"store {store_id} x product {product_id}", fontsize=9, loc="left")
        ax.set_ylabel("units")
        ax.tick_params(labelsize=8)
    axes[0, 0].legend(fontsize=7, ncols=4, loc="upper left")
    return figure_png(fig)
