"""The policy replay's chart: cost and fill rate of every policy at every replayed origin."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from python_assets.reporting.charts.style import figure_png, legend_below, style_axes, thousands

POLICY_COLOURS = {
    "optimised": "#1565c0",
    "do_nothing": "#9e9e9e",
    "decentralised": "#31a354",
    "zscore_rule": "#756bb1",
    "perfect_foresight": "#e6550d",
}


def replay_chart(replay: pd.DataFrame, labels: dict[str, str]) -> bytes:
    """Two panels over the origins: total cost and fill rate, one line per policy."""
    fig, (cost_ax, fill_ax) = plt.subplots(1, 2, figsize=(11, 3.8))
    origins = sorted(replay.origin_date.unique())
    x = np.arange(len(origins))
    for policy, rows in replay.groupby("policy_name", sort=False):
        rows = rows.set_index("origin_date").reindex(origins)
        style = {
            "color": POLICY_COLOURS.get(str(policy), "#555555"),
            "marker": "o",
            "label": labels.get(str(policy), str(policy)),
        }
        cost_ax.plot(x, rows.total_cost.astype(float), **style)
        fill_ax.plot(x, rows.fill_rate.astype(float), **style)
    ticks = [pd.Timestamp(o).strftime("%Y-%m-%d") for o in origins]
    for ax, title in (
        (cost_ax, "Cost of the week that followed"),
        (fill_ax, "Share of the realised demand served"),
    ):
        ax.set_xticks(x)
        ax.set_xticklabels(ticks, fontsize=7)
        ax.set_xlabel("origin (last day known when deciding)", fontsize=8)
        ax.set_title(title, fontsize=10, loc="left")
        style_axes(ax)
    thousands(cost_ax, "y")
    thousands(fill_ax, "y", percent=True)
    legend_below(fig, cost_ax, 4)
    return figure_png(fig)
