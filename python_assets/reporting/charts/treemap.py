"""The regional sales treemap, with its own squarified layout (Bruls, Huizing & van Wijk 2000)
so the report needs no extra dependency."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import pandas as pd

from python_assets.reporting.charts.style import figure_png, region_colours
from python_assets.reporting.formatting import compact, share, truncate

Rect = tuple[float, float, float, float]  # x, y, width, height


def _worst_ratio(row: Sequence[float], side: float) -> float:
    total = sum(row)
    return max(
        max(side * side * r / (total * total), (total * total) / (side * side * r)) for r in row
    )


def squarify(values: Sequence[float], rect: Rect) -> list[Rect]:
    """Rectangles tiling `rect` with areas proportional to `values` (same order as given, which
    should be descending for squarish tiles). Values <= 0 get a zero-size rectangle."""
    x, y, width, height = rect
    positive = [max(float(v), 0.0) for v in values]
    total = sum(positive)
    out: list[Rect] = [(x, y, 0.0, 0.0)] * len(positive)
    if total <= 0 or width <= 0 or height <= 0:
        return out
    scale = width * height / total
    pending = [(i, v * scale) for i, v in enumerate(positive) if v > 0]
    while pending:
        side = min(width, height)
        row = [pending[0]]
        k = 1
        while k < len(pending) and _worst_ratio(
            [a for _, a in row] + [pending[k][1]], side
        ) <= _worst_ratio([a for _, a in row], side):
            row.append(pending[k])
            k += 1
        row_area = sum(a for _, a in row)
        # lay the row along the shorter side: as a column at the left edge of a wide rectangle,
        # as a row at the bottom edge of a tall one
        as_column = width >= height
        thickness = row_area / (height if as_column else width)
        along = y if as_column else x
        for i, a in row:
            length = a / thickness
            out[i] = (x, along, thickness, length) if as_column else (along, y, length, thickness)
            along += length
        if as_column:
            x, width = x + thickness, width - thickness
        else:
            y, height = y + thickness, height - thickness
        pending = pending[k:]
    return out


# ---------------------------------------------------------------------------------------------
# Sections


def _fits(label: str, width_in: float, height_in: float, fontsize: float, lines: int = 1) -> bool:
    char_w = fontsize * 0.6 / 72  # inches per character, a little generous for DejaVu Sans
    line_h = fontsize * 1.35 / 72
    return len(label) * char_w <= width_in * 0.92 and lines * line_h <= height_in * 0.9


def region_category_treemap(frame: pd.DataFrame, measure: str) -> bytes:
    """Area = `measure` per region, then per category inside each region (rows with a positive
    measure only)."""
    by_region = frame.groupby("region")[measure].sum().sort_values(ascending=False)
    fig_w, fig_h = 12.0, 7.0
    fig, ax = plt.subplots(figsize=(fig_w, fig_h))
    ax.set_xlim(0, fig_w)
    ax.set_ylim(0, fig_h)
    ax.invert_yaxis()  # lay out from the top left like a page
    ax.axis("off")
    grand = float(by_region.sum())
    colours = region_colours(by_region.index.astype(str))
    header = 0.28  # inches reserved for the region's name
    for (region, total), (rx, ry, rw, rh) in zip(
        by_region.items(), squarify(by_region.tolist(), (0, 0, fig_w, fig_h)), strict=True
    ):
        ax.add_patch(plt.Rectangle((rx, ry), rw, rh, facecolor="white", edgecolor="white", lw=3))
        base = colours[str(region)]
        title = f"{region} - {compact(total)} ({share(total / grand)})"
        show_header = rh > header * 2 and _fits(title, rw, header, 9)
        inner_y = ry + (header if show_header else 0.04)
        inner = (rx + 0.04, inner_y, max(rw - 0.08, 0), max(rh - (inner_y - ry) - 0.04, 0))
        if show_header:
            ax.text(
                rx + 0.08,
                ry + header / 2,
                title,
                va="center",
                ha="left",
                fontsize=9,
                fontweight="bold",
                color=base,
            )
        cats = frame[frame.region == region].sort_values(measure, ascending=False)
        tiles = squarify(cats[measure].tolist(), inner)
        for k, ((_, row), (cx, cy, cw, ch)) in enumerate(zip(cats.iterrows(), tiles, strict=True)):
            alpha = 0.95 - 0.55 * (k / max(len(cats) - 1, 1))
            ax.add_patch(
                plt.Rectangle(
                    (cx, cy), cw, ch, facecolor=base, alpha=alpha, edgecolor="white", lw=1.2
                )
            )
            name = truncate(str(row["category"]), 22)
            value = f"{compact(float(row[measure]))} ({share(float(row[measure]) / total)})"
            label = dict(ha="center", va="center", color="white" if alpha > 0.6 else "#222222")
            centre = (cx + cw / 2, cy + ch / 2)
            if _fits(max(name, value, key=len), cw, ch, 8, lines=2):
                ax.text(*centre, f"{name}\n{value}", fontsize=8, **label)
            elif _fits(name, cw, ch, 7):
                ax.text(*centre, name, fontsize=7, **label)
            elif _fits(max(name, value, key=len), ch, cw, 7, lines=2):
                # tall narrow tile: write along it
                ax.text(*centre, f"{name}\n{value}", fontsize=7, rotation=90, **label)
    # regions too narrow for their title are still named in the legend
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[str(r)]) for r in by_region.index]
    labels = [
        f"{truncate(str(r), 24)}: {compact(v)} ({share(v / grand)})" for r, v in by_region.items()
    ]
    fig.legend(
        handles, labels, loc="lower center", ncols=min(5, len(labels)), fontsize=8, frameon=False
    )
    rows = math.ceil(len(labels) / min(5, len(labels)))
    fig.tight_layout(pad=0.2, rect=(0, (0.15 + 0.22 * rows) / fig_h, 1, 1))
    return figure_png(fig)
