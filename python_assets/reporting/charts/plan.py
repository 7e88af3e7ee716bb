"""Charts of the recommended plan: transfers, balance before and after, costs against the
alternatives and scenarios, store recommendations and the monitoring KPIs."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from python_assets.reporting.charts.style import (
    AFTER_COLOUR,
    BEFORE_COLOUR,
    COMPONENT_COLOURS,
    figure_png,
    legend_below,
    region_colours,
    style_axes,
    thousands,
)
from python_assets.reporting.data import COST_COMPONENTS
from python_assets.reporting.formatting import num, short, truncate, units


def transfers_chart(shown: pd.DataFrame, regions: Sequence[str]) -> bytes:
    """The largest transfers (`shown`, bottom bar first), coloured by the receiving region."""
    fig, ax = plt.subplots(figsize=(11, 1.0 + 0.42 * len(shown)))
    y = np.arange(len(shown))
    colours = region_colours(regions)
    ax.barh(
        y,
        shown.units.astype(float),
        color=[colours.get(str(r), "#999999") for r in shown.to_region],
    )
    ax.set_yticks(y)
    ax.set_yticklabels(
        [
            f"{short(f, 30)} → {short(t, 30)}\n{short(p, 44)}"
            for f, t, p in zip(shown.from_label, shown.to_label, shown.product_label, strict=True)
        ],
        fontsize=7,
    )
    for yi, (u, d) in zip(
        y, zip(shown.units.astype(float), shown.distance_km.astype(float), strict=True), strict=True
    ):
        ax.text(u, yi, f" {units(u)} units, {d:,.0f} km", va="center", fontsize=7)
    ax.set_xlabel("units transferred", fontsize=8)
    ax.set_title(
        "Largest store-to-store transfers of the recommended plan", fontsize=10, loc="left"
    )
    ax.margins(x=0.25)
    style_axes(ax)
    thousands(ax)
    fig.tight_layout()
    return figure_png(fig)


def balance_index_chart(region: pd.DataFrame) -> bytes:
    """The regional balance index before and after the plan, one pair of bars per region."""
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.55 * len(region)))
    y = np.arange(len(region))[::-1]
    h = 0.38
    before = region.regional_balance_index_before.astype(float)
    after = region.regional_balance_index_after.astype(float)
    ax.barh(y + h / 2, before, h, color=BEFORE_COLOUR, label="before the plan")
    ax.barh(y - h / 2, after, h, color=AFTER_COLOUR, label="after the plan")
    for yi, b, a in zip(y, before, after, strict=True):
        ax.text(b, yi + h / 2, f" {b:.3f}", va="center", fontsize=7)
        ax.text(a, yi - h / 2, f" {a:.3f}", va="center", fontsize=7)
    ax.set_yticks(y)
    ax.set_yticklabels([truncate(str(r), 26) for r in region.region], fontsize=8)
    ax.set_xlabel(
        "regional balance index (coefficient of variation of store days of supply; 0 = even)",
        fontsize=8,
    )
    ax.set_title("Regional balance index before and after the plan", fontsize=10, loc="left")
    ax.legend(fontsize=8, loc="lower right")
    ax.margins(x=0.15)
    style_axes(ax)
    fig.tight_layout()
    return figure_png(fig)


def days_of_supply_chart(
    frame: pd.DataFrame, region: pd.DataFrame, regions: Sequence[str]
) -> bytes:
    """Days of supply per store (`frame`) before and after the plan, with each region's level
    after the plan (`region`, kpi_region) as a dotted line."""
    fig, ax = plt.subplots(figsize=(11, 1.3 + 0.3 * len(frame)))
    y = np.arange(len(frame))
    b = frame.days_of_supply_before.astype(float).to_numpy()
    a = frame.days_of_supply_after.astype(float).to_numpy()
    ax.hlines(y, np.minimum(a, b), np.maximum(a, b), color="#90caf9", lw=2)
    ax.scatter(b, y, color=BEFORE_COLOUR, s=22, label="before the plan", zorder=3)
    ax.scatter(a, y, color=AFTER_COLOUR, s=22, label="after the plan", zorder=3)
    colours = region_colours(regions)
    ax.set_yticks(y)
    ax.set_yticklabels(
        [
            f"{truncate(str(r), 14)} | {short(s, 34)}"
            for r, s in zip(frame.region, frame.label, strict=True)
        ],
        fontsize=7,
    )
    for tick, r in zip(ax.get_yticklabels(), frame.region, strict=True):
        tick.set_color(colours.get(str(r), "#333333"))
    medians = region.set_index("region")
    for r in frame.region.unique():
        positions = y[frame.region.to_numpy() == r]
        level = float(medians.loc[r, "days_of_supply_after"]) if r in medians.index else np.nan
        if np.isfinite(level):
            ax.vlines(
                level,
                positions.min() - 0.4,
                positions.max() + 0.4,
                color=colours.get(str(r), "#333"),
                lw=1,
                ls=":",
            )
    ax.set_xlabel("days of supply (units on hand / blended daily demand)", fontsize=8)
    ax.set_title("Days of supply per store, before and after the plan", fontsize=10, loc="left")
    ax.set_ylim(-0.7, len(frame) - 0.3)  # no blank rows above and below the stores
    ax.legend(fontsize=8, loc="lower right")
    style_axes(ax)
    fig.tight_layout()
    return figure_png(fig)


def cost_chart(
    frame: pd.DataFrame,
    labels: Sequence[str],
    title: str,
    row_height: float,
    extra: Sequence[str] = (),
) -> bytes:
    """Total cost per plan or scenario (one row of `frame` each), stacked by cost component;
    `extra` is printed after each total."""
    fig, ax = plt.subplots(figsize=(11, 1.4 + row_height * len(frame)))
    y = np.arange(len(frame))[::-1]
    left = np.zeros(len(frame))
    for (column, name), colour in zip(COST_COMPONENTS, COMPONENT_COLOURS, strict=True):
        vals = frame[column].fillna(0).astype(float).to_numpy()
        ax.barh(y, vals, left=left, color=colour, label=name, height=0.6)
        left += vals
    for i, (yi, total) in enumerate(zip(y, frame.total_cost.astype(float), strict=True)):
        suffix = f"  {extra[i]}" if extra else ""
        ax.text(left[i], yi, f" {num(total)}{suffix}", va="center", fontsize=7)
    ax.set_yticks(y)
    ax.set_yticklabels([truncate(label, 58) for label in labels], fontsize=8)
    ax.set_xlabel("cost over the planning horizon (currency units)", fontsize=8)
    ax.margins(x=0.28)
    style_axes(ax)
    thousands(ax)
    ax.set_title(title, fontsize=10, loc="left")
    legend_below(fig, ax, 5)
    return figure_png(fig)


def recommendations_chart(shown: pd.DataFrame) -> bytes:
    """Units on hand the plan adds or removes per store x category (`shown`, bottom first)."""
    fig, ax = plt.subplots(figsize=(11, 1.2 + 0.34 * len(shown)))
    y = np.arange(len(shown))
    vals = shown.units_change.astype(float)
    ax.barh(y, vals, color=np.where(vals > 0, "#2e7d32", "#c62828"))
    ax.axvline(0, color="#333333", lw=0.8)
    for yi, v, b, a in zip(
        y,
        vals,
        shown.days_of_supply_before.astype(float),
        shown.days_of_supply_after.astype(float),
        strict=True,
    ):
        ax.text(
            v,
            yi,
            f" {v:+,.0f} units ({b:.1f} → {a:.1f} days) " if abs(v) >= 1 else "",
            va="center",
            ha="left" if v > 0 else "right",
            fontsize=7,
        )
    ax.set_yticks(y)
    ax.set_yticklabels(
        [
            f"{short(s, 34)} | {truncate(str(c), 20)}"
            for s, c in zip(shown.label, shown.category, strict=True)
        ],
        fontsize=7,
    )
    ax.set_xlabel("units on hand the plan adds (+) or removes (-)", fontsize=8)
    ax.set_title("Store x category changes recommended by the plan", fontsize=10, loc="left")
    span = float(vals.abs().max()) or 1.0
    ax.set_xlim(min(-span * 1.6, ax.get_xlim()[0]), max(span * 1.6, ax.get_xlim()[1]))
    style_axes(ax)
    thousands(ax)
    fig.tight_layout()
    return figure_png(fig)


KPI_PANELS = (
    ("days_of_supply", "Days of supply", "days", False),
    ("inventory_turnover", "Inventory turnover", "turns per year", False),
    ("fill_rate", "Fill rate of forecast demand", "share of demand served", True),
)


def kpi_chart(region: pd.DataFrame) -> bytes:
    """The monitoring KPIs per region (kpi_region): before/after pairs and stock-out frequency."""
    fig, axes = plt.subplots(1, 4, figsize=(13, 1.6 + 0.45 * len(region)), sharey=True)
    y = np.arange(len(region))[::-1]
    h = 0.38
    for ax, (stem, title, unit, percent) in zip(axes, KPI_PANELS, strict=False):
        b = region[f"{stem}_before"].astype(float)
        a = region[f"{stem}_after"].astype(float)
        ax.barh(y + h / 2, b, h, color=BEFORE_COLOUR, label="before the plan")
        ax.barh(y - h / 2, a, h, color=AFTER_COLOUR, label="after the plan")
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_xlabel(unit, fontsize=8)
        thousands(ax, percent=percent)
        # few ticks: four panels side by side, the last tick must not run into the next panel
        ax.xaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 5, 10]))
        if percent:
            low = float(np.nanmin(np.concatenate([b.to_numpy(), a.to_numpy()])))
            ax.set_xlim(max(0.0, low - 0.1), 1.0)
    s = region.stockout_frequency_28d.astype(float)
    axes[3].barh(y, s, 0.6, color="#e6550d")
    for yi, v in zip(y, s, strict=True):
        if np.isfinite(v):
            axes[3].text(v, yi, f" {v:.1%}", va="center", fontsize=7)
    axes[3].set_title("Stock-out frequency", fontsize=9, loc="left")
    axes[3].set_xlabel("share of store x product days, last 4 weeks", fontsize=8)
    axes[3].margins(x=0.3)
    thousands(axes[3], percent=True)
    axes[3].xaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 5, 10]))
    axes[0].set_yticks(y)
    axes[0].set_yticklabels([truncate(str(r), 20) for r in region.region], fontsize=8)
    for ax in axes:
        style_axes(ax)
    legend_below(fig, axes[0], 2, fontsize=8)
    return figure_png(fig)
