"""Demand classes on hand-made series: one per Syntetos-Boylan class, a launch, an inactive item,
and censored days that must not count as zero demand."""

from __future__ import annotations

import numpy as np
import pandas as pd
from forecasting_helpers import make_history

from python_assets.forecasting.classes import classify_demand
from python_assets.forecasting.panel import build_panel
from python_assets.forecasting.settings import DemandClassSettings

N_DAYS = 100


def hand_made_series() -> tuple[dict[str, np.ndarray], np.ndarray]:
    day = np.arange(N_DAYS)
    every_third = day % 3 == 0
    series = {
        "smooth": np.full(N_DAYS, 5.0),
        "erratic": np.where(day % 2 == 0, 1.0, 10.0),
        "intermittent": np.where(every_third, 4.0, 0.0),
        "lumpy": np.where(every_third, np.where(day % 6 == 0, 1.0, 10.0), 0.0),
        "new": np.where(day >= 90, 3.0, np.nan),  # no row before its first sale: a launch
        "inactive": np.where(day < 50, 5.0, 0.0),
        "censored": np.where(day % 2 == 0, 5.0, 0.0),
    }
    hours = np.zeros((len(series), N_DAYS))
    hours[-1] = np.where(day % 2 == 0, 0.0, 24.0)  # the zero days were stocked out
    return series, hours


def test_each_hand_made_series_gets_its_class() -> None:
    series, hours = hand_made_series()
    history, products = make_history(np.vstack(list(series.values())), hours)
    panel = build_panel(history, products)
    classes = classify_demand(panel, N_DAYS - 1, DemandClassSettings())
    # build_panel orders series by store then product: map back through make_history's ids
    order = [f"S{i // 5}|P{i % 5}" for i in range(len(series))]
    got = classes.assign(key=classes.store_id + "|" + classes.product_id).set_index("key")
    by_name = dict(zip(series, got.loc[order, "demand_class"], strict=True))
    assert by_name == {
        "smooth": "smooth",
        "erratic": "erratic",
        "intermittent": "intermittent",
        "lumpy": "lumpy",
        "new": "new",
        "inactive": "inactive",
        # stocked-out days are left out, not counted as zeros: demand every known day
        "censored": "smooth",
    }
    censored = got.loc[order[-1]]
    assert censored["adi"] == 1.0
    assert censored["demand_days"] < DemandClassSettings().window_days
    intermittent = got.loc[order[2]]
    assert 2.8 < intermittent["adi"] < 3.1 and intermittent["cv2"] == 0.0
    assert got.loc[order[0], "days_since_last_sale"] == 0
    assert got.loc[order[4], "days_since_first_sale"] == 9


def test_a_first_sale_is_a_launch_only_without_an_earlier_sale_or_a_long_listing() -> None:
    """The history is the last days of the mart. The series with no row before its first sale,
    ten days before the origin, is a launch (also when first_sale_date confirms it, or is not
    there to tell). A slow mover that sold before the history and sells again is not, nor one
    with rows of no sale since long before (listed, not launched)."""
    series, hours = hand_made_series()
    history, products = make_history(np.vstack(list(series.values())), hours)
    launch = (history["store_id"] == "S0") & (history["product_id"] == "P4")  # the "new" series
    first_sale = history.loc[launch & (history["units_sold"] > 0), "sales_date"].min()

    def class_of_launch(first_sale_date: pd.Timestamp | None, listed: bool = False) -> str:
        frame = history.copy()
        if listed:
            frame.loc[launch, "units_sold"] = frame.loc[launch, "units_sold"].fillna(0.0)
        if first_sale_date is not None:  # the other series' first sale: the history's first day
            frame["first_sale_date"] = history["sales_date"].min()
            frame.loc[launch, "first_sale_date"] = first_sale_date
        classes = classify_demand(build_panel(frame, products), N_DAYS - 1, DemandClassSettings())
        row = classes[(classes["store_id"] == "S0") & (classes["product_id"] == "P4")]
        return str(row["demand_class"].iloc[0])

    assert class_of_launch(None) == "new"
    assert class_of_launch(first_sale) == "new"
    # sold on each of its 10 days
    assert class_of_launch(history["sales_date"].min() - pd.Timedelta(days=300)) == "smooth"
    # sold on 10 of the last 91 days
    assert class_of_launch(None, listed=True) == "intermittent"


def test_a_first_sale_days_into_a_history_the_series_is_listed_from_is_no_launch() -> None:
    """A series with rows from the history's first day whose first sale comes three days in may
    have been listed, and sold, before the data (a short or dense export): not a launch. The
    same first sale with rows from the day before it is one."""
    units = np.full((2, 20), np.nan)
    units[:, 3:] = np.tile([2.0, 0.0, 3.0, 0.0], 5)[:17]
    units[0, :3] = 0.0  # listed from the history's first day
    units[1, 2] = 0.0  # listed the day before its first sale
    history, products = make_history(units, np.zeros_like(units))
    classes = classify_demand(build_panel(history, products), 19, DemandClassSettings())
    assert classes["demand_class"].tolist() == ["intermittent", "new"]


def test_classes_read_nothing_after_the_origin() -> None:
    series, hours = hand_made_series()
    units = np.vstack(list(series.values()))
    history, products = make_history(units, hours)
    changed = units.copy()
    changed[:, 80:] = 50.0
    later, _ = make_history(changed, hours)
    settings = DemandClassSettings()
    a = classify_demand(build_panel(history, products), 79, settings)
    b = classify_demand(build_panel(later, products), 79, settings)
    assert a["demand_class"].tolist() == b["demand_class"].tolist()
    assert not classify_demand(build_panel(later, products), 99, settings).equals(a)
