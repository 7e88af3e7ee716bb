"""The report's chart style: palettes, axes, legends, and a figure as PNG bytes (matplotlib with
no display, so it runs on a pipeline worker)."""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

COMPONENT_COLOURS = ("#6baed6", "#e6550d", "#31a354", "#756bb1", "#bdbdbd")
# neutral palette, one colour per region (cycled when there are more regions)
REGION_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
BEFORE_COLOUR = "#9e9e9e"
AFTER_COLOUR = "#1565c0"


def figure_png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def region_colours(regions: Sequence[str]) -> dict[str, str]:
    return {r: REGION_PALETTE[i % len(REGION_PALETTE)] for i, r in enumerate(sorted(regions))}


def style_axes(ax: plt.Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.grid(axis="x", color="#e0e0e0", lw=0.6)
    ax.set_axisbelow(True)


def thousands(ax: plt.Axes, axis: str = "x", percent: bool = False) -> None:
    def fmt(v: float, _pos: int) -> str:
        if percent:
            return f"{v:.0%}"
        # whole ticks without decimals (2, 4, 6), fractional ones with one (0.5)
        return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.1f}"

    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(FuncFormatter(fmt))


def legend_below(
    fig: plt.Figure,
    ax: plt.Axes,
    ncols: int,
    title: str | None = None,
    fontsize: float = 7,
    entries: tuple[list, list[str]] | None = None,
) -> None:
    """A legend under the whole figure, with room reserved for it in inches (a fraction of the
    axes would land it on the tick labels of short charts or far below tall ones). `entries`
    = (handles, labels) when they are not the axes' own artists."""
    handles, labels = entries or ax.get_legend_handles_labels()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    rows = math.ceil(len(labels) / max(ncols, 1)) + (1 if title else 0)
    reserve = (0.12 + 0.2 * rows) / fig.get_figheight()
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncols=ncols,
        fontsize=fontsize,
        frameon=False,
        title=title,
        title_fontsize=fontsize,
    )
    fig.tight_layout(rect=(0, reserve, 1, 1))
