"""The Z-score rule's flagged cases: each case's metric before and after the rule's moves,
against its cluster's mean."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from python_assets.reporting.charts.style import AFTER_COLOUR, figure_png, legend_below, style_axes
from python_assets.reporting.formatting import short, truncate


def zscore_cases_chart(shown: pd.DataFrame, metric: str) -> bytes:
    """One row per case of `shown` (bottom first): metric before, after and the cluster mean."""
    fig, ax = plt.subplots(figsize=(11, 1.4 + 0.36 * len(shown)))
    y = np.arange(len(shown))
    before = shown.metric_value.astype(float).to_numpy()
    after = shown.metric_after.astype(float).to_numpy()
    mean = shown.cluster_mean.astype(float).to_numpy()
    has_after = np.isfinite(after)
    ax.hlines(
        y[has_after],
        np.minimum(before, after)[has_after],
        np.maximum(before, after)[has_after],
        color="#90caf9",
        lw=2,
    )
    ax.scatter(mean, y, marker="|", s=160, color="#333333", label="cluster mean", zorder=3)
    colours = np.where(shown.imbalance_flag == "over", "#d62728", "#ff9800")
    ax.scatter(
        before,
        y,
        color=colours,
        s=28,
        zorder=4,
        label="before the rule's moves (red over, orange under)",
    )
    ax.scatter(
        after[has_after],
        y[has_after],
        color=AFTER_COLOUR,
        s=28,
        zorder=4,
        label="after the rule's moves",
    )
    ax.set_yticks(y)
    ax.set_yticklabels(
        [
            f"{short(s, 32)} | {truncate(str(c), 18)} (z {z:+.1f})"
            for s, c, z in zip(
                shown.label, shown.subcategory, shown.z_score.astype(float), strict=True
            )
        ],
        fontsize=7,
    )
    ax.set_xlabel(f"{metric} of the subcategory in the store", fontsize=8)
    ax.set_title(f"Flagged cases: {metric} against the store's cluster", fontsize=10, loc="left")
    style_axes(ax)
    legend_below(fig, ax, 3)
    return figure_png(fig)
