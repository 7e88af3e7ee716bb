"""HTML fragments the sections are built from: escaped text, tagged figures, tables, charts."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from python_assets.reporting.charts import png_data_uri
from python_assets.reporting.figures import FIGURE_SPECS, format_figure
from python_assets.reporting.formatting import text


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def fig(figures: dict[str, float], key: str) -> str:
    """A figure in running text, tagged with its key so a test can check it against the mart."""
    spec = FIGURE_SPECS[key]
    return (
        f'<b class="fig" data-figure="{key}" title="{esc(spec.source)}">'
        f"{esc(format_figure(spec.kind, figures[key]))}</b>"
    )


def name(value: object) -> str:
    """A name from the data in running text (a region, a model): may contain digits."""
    return f'<span class="name">{esc(value)}</span>'


def empty(message: str) -> str:
    return f'<p class="empty">{esc(message)}</p>'


def note(message: str) -> str:
    return f'<p class="note">{esc(message)}</p>'


@dataclass(frozen=True)
class Col:
    """One table column: the frame column, its header and how its cells are printed."""

    column: str
    header: str
    fmt: Callable[[object], str] = text
    numeric: bool = False


def table(frame: pd.DataFrame, columns: Sequence[Col], caption: str = "") -> str:
    head = "".join(
        f'<th class="{"num" if c.numeric else "txt"}">{esc(c.header)}</th>' for c in columns
    )
    body = []
    for _, row in frame.iterrows():
        cells = "".join(
            f'<td class="{"num" if c.numeric else "txt"}">{esc(c.fmt(row[c.column]))}</td>'
            for c in columns
        )
        body.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="tablewrap"><table>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def chart(png: bytes, alt: str, caption: str = "") -> str:
    """A chart embedded as a PNG data URI, so the page opens offline."""
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f'<figure class="chart"><img src="{png_data_uri(png)}" alt="{esc(alt)}">{cap}</figure>'
