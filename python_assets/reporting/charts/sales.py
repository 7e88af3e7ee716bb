"""Charts of the sales history: region x category heatmaps, sales per store, seasonality."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from python_assets.reporting.charts.style import (
    figure_png,
    legend_below,
    region_colours,
    style_axes,
    thousands,
)
from python_assets.reporting.formatting import compact, short, truncate


def _heatmap(
    ax: plt.Axes,
    matrix: pd.DataFrame,
    fmt: Callable[[float], str],
    cmap: str,
    label: str,
    percent: bool = False,
) -> None:
    values = matrix.to_numpy(dtype=float)
    image = ax.imshow(values, aspect="auto", cmap=cmap)
    ax.set_xticks(range(matrix.shape[1]))
    rotate = matrix.shape[1] > 6 or max((len(str(c)) for c in matrix.columns), default=0) > 10
    ax.set_xticklabels(
        [truncate(str(c), 22) for c in matrix.columns],
        rotation=40 if rotate else 0,
        ha="right" if rotate else "center",
        fontsize=8,
    )
    ax.set_yticks(range(matrix.shape[0]))
    ax.set_yticklabels([truncate(str(r), 22) for r in matrix.index], fontsize=8)
    finite = values[np.isfinite(values)]
    threshold = (finite.min() + finite.max()) / 2 if finite.size else 0
    # annotate cells only while they are wide enough for the text
    if matrix.shape[1] <= 16:
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                if np.isfinite(values[i, j]):
                    ax.text(
                        j,
                        i,
                        fmt(values[i, j]),
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if values[i, j] > threshold else "#222222",
                    )
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label(label, fontsize=8)
    bar.ax.tick_params(labelsize=7)
    thousands(bar.ax, "y", percent=percent)


def region_category_heatmap(units: pd.DataFrame, share: pd.DataFrame) -> bytes:
    """Units sold by region (rows) and category (columns), and each region's category mix."""
    height = 1.4 + 0.5 * units.shape[0]
    if units.shape[1] <= 6:  # few categories: the two panels side by side
        fig, axes = plt.subplots(1, 2, figsize=(12, height + 0.6))
    else:  # many: stacked, each as wide as the page
        width = max(9.0, min(14.0, 3.0 + 0.7 * units.shape[1]))
        fig, axes = plt.subplots(2, 1, figsize=(width, 2 * height + 2.0))
    _heatmap(axes[0], units, compact, "Blues", "units sold")
    axes[0].set_title("Units sold by region and category", fontsize=10, loc="left")
    _heatmap(axes[1], share, lambda v: f"{v:.0%}", "Greens", "share of the region's units", True)
    axes[1].set_title("Category mix: share of each region's units sold", fontsize=10, loc="left")
    fig.tight_layout()
    return figure_png(fig)


def store_sales_chart(
    shown: pd.DataFrame, measure: str, measure_label: str, regions: Sequence[str]
) -> bytes:
    """Sales and stock-out frequency per store (`shown`, bottom row first), coloured by region."""
    colours = region_colours(regions)
    height = 1.2 + 0.32 * len(shown)
    fig, axes = plt.subplots(
        1, 2, figsize=(12, height), sharey=True, gridspec_kw={"width_ratios": [3, 2]}
    )
    y = np.arange(len(shown))
    bar_colours = [colours.get(str(r), "#999999") for r in shown.region]
    axes[0].barh(y, shown[measure].astype(float), color=bar_colours)
    axes[0].set_yticks(y)
    axes[0].set_yticklabels([short(s, 34) for s in shown.label], fontsize=8)
    axes[0].set_xlabel(measure_label, fontsize=8)
    axes[0].set_title("Sales per store", fontsize=10, loc="left")
    for yi, v in zip(y, shown[measure].astype(float), strict=True):
        axes[0].text(v, yi, " " + compact(v), va="center", fontsize=7)
    thousands(axes[0])
    axes[1].barh(y, shown["stockout_frequency_28d"].astype(float), color=bar_colours, alpha=0.8)
    axes[1].set_xlabel("stock-out frequency, last 4 weeks (% of store x product days)", fontsize=8)
    axes[1].set_title("Stock-out frequency", fontsize=10, loc="left")
    thousands(axes[1], percent=True)
    for ax in axes:
        style_axes(ax)
        ax.margins(x=0.12)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
    legend_below(
        fig, axes[0], min(6, len(colours)), title="region", entries=(handles, list(colours))
    )
    return figure_png(fig)


def seasonal_chart(per_day: pd.DataFrame, index: pd.DataFrame) -> bytes:
    """Average daily units per month stacked by category, and each category's seasonal index."""
    labels = [f"{m:%b %Y}" for m in per_day.index]
    colours = plt.get_cmap("tab10").colors
    fig, axes = plt.subplots(2, 1, figsize=(12, 8.2), sharex=True)
    bottom = np.zeros(len(per_day))
    x = np.arange(len(per_day))
    for i, category in enumerate(per_day.columns):
        vals = per_day[category].to_numpy(dtype=float)
        axes[0].bar(
            x,
            vals,
            bottom=bottom,
            color=colours[i % 10],
            label=truncate(str(category), 26),
            width=0.8,
        )
        bottom += vals
    axes[0].set_ylabel("average units sold per day", fontsize=8)
    axes[0].set_title("Average daily units sold per month, by category", fontsize=10, loc="left")
    thousands(axes[0], "y")
    for i, category in enumerate(index.columns):
        axes[1].plot(
            x,
            index[category].to_numpy(dtype=float),
            marker="o",
            ms=3,
            lw=1.4,
            color=colours[i % 10],
        )
    axes[1].axhline(1.0, color="#555555", lw=0.8, ls="--")
    axes[1].set_ylabel("seasonal index (1.0 = category's average month)", fontsize=8)
    axes[1].set_title("Seasonality of each category", fontsize=10, loc="left")
    axes[1].set_xticks(x)
    axes[1].set_xticklabels(
        labels,
        rotation=45 if len(labels) > 8 else 0,
        ha="right" if len(labels) > 8 else "center",
        fontsize=8,
    )
    for ax in axes:
        style_axes(ax)
        ax.grid(axis="y", color="#e0e0e0", lw=0.6)
        ax.grid(axis="x", visible=False)
    legend_below(fig, axes[0], min(5, len(per_day.columns)), title="category", fontsize=8)
    return figure_png(fig)
