"""How the report prints numbers and labels, in tables, running text and chart annotations."""

from __future__ import annotations

import pandas as pd


def is_missing(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def num(value: object, decimals: int = 0) -> str:
    if is_missing(value):
        return "n/a"
    return f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]


def units(value: object) -> str:
    """Units: whole numbers as such (a whole-unit plan), and from 100 up; one decimal for a
    fraction below 100 (a fractional plan)."""
    if is_missing(value):
        return "n/a"
    v = float(value)  # type: ignore[arg-type]
    return f"{v:,.0f}" if abs(v) >= 100 or v == round(v) else f"{v:,.1f}"


def pct(value: object, decimals: int = 1) -> str:
    if is_missing(value):
        return "n/a"
    text = f"{float(value):.{decimals}%}"  # type: ignore[arg-type]
    return text[1:] if text.startswith("-") and not text.strip("-0.%") else text  # no "-0.0%"


def share(value: float) -> str:
    """A share for labels: whole percent, but never a misleading 0% for a small non-zero part."""
    return "<1%" if 0 < value < 0.005 else f"{value:.0%}"


def compact(value: float) -> str:
    """Short numbers for chart annotations (12.3k, 4.5M)."""
    v = abs(value)
    if v >= 1e6:
        return f"{value / 1e6:,.1f}M"
    if v >= 1e4:
        return f"{value / 1e3:,.0f}k"
    if v >= 1e3:
        return f"{value / 1e3:,.1f}k"
    return f"{value:,.0f}" if v >= 10 else f"{value:,.1f}"


def text(value: object) -> str:
    return "n/a" if is_missing(value) else str(value)


def optional_text(value: object) -> str:
    """A free-text cell that is simply blank when there is nothing to say."""
    return "" if is_missing(value) else str(value)


def truncate(label: str, width: int = 32) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def short(label: str, width: int) -> str:
    """Truncate a 'name (id)' label in the name, so the id stays readable."""
    if len(label) <= width or not label.endswith(")") or " (" not in label:
        return truncate(label, width)
    name, _, ident = label.rpartition(" (")
    room = width - len(ident) - 2
    return f"{truncate(name, room)} ({ident}" if room >= 6 else truncate(label, width)


def store_label(store_id: object, store_name: object) -> str:
    """The store's name, with its id when the name does not contain it (products alike)."""
    sid = text(store_id)
    name = "" if is_missing(store_name) else str(store_name)
    if not name or name == sid:
        return sid
    return name if sid in name else f"{name} ({sid})"


def store_labels(ids: pd.Series, names: pd.Series) -> list[str]:
    """store_label of each row of two aligned columns."""
    return [store_label(i, n) for i, n in zip(ids, names, strict=True)]
