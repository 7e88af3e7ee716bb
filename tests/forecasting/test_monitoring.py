"""Forecast history and monitoring on hand-made cases: two runs in sequence, the second seeing
more sales; the history appends per run; the drift test flags a shift and not a stationary
series."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from python_assets import handoff
from python_assets.forecasting.drift import demand_drift, drift_check
from python_assets.forecasting.history import forecast_history_rows
from python_assets.forecasting.monitoring import (
    MonitoringSettings,
    accuracy_degradation_check,
    score_forecast_history,
)
from python_assets.forecasting.selection import CHOSEN_MODEL
from python_assets.run_history import append_run_tables, carry_over_warehouse_table

DAY = pd.Timedelta(days=1)
FIRST_ORIGIN = pd.Timestamp("2025-03-02")
STORES = pd.DataFrame({"store_id": ["S1", "S2"], "region": ["North", "South"]})
CLASSES = pd.DataFrame(
    {"store_id": ["S1", "S2"], "product_id": ["P1", "P1"], "demand_class": ["smooth", "lumpy"]}
)


def forecast_at(origin: pd.Timestamp, units: dict[str, float], horizon: int = 3) -> pd.DataFrame:
    """A constant forecast per store from origin, intervals forecast +- 1 (80%) and +- 3 (95%)."""
    rows = [
        {
            "store_id": store,
            "product_id": "P1",
            "forecast_date": origin + step * DAY,
            "origin_date": origin,
            "model": "moving_average_7",
            "forecast_units": value,
            "lower_80": value - 1,
            "upper_80": value + 1,
            "lower_95": value - 3,
            "upper_95": value + 3,
            "demand_std_horizon": 1.0,
            "is_chosen": True,
        }
        for store, value in units.items()
        for step in range(1, horizon + 1)
    ]
    return pd.DataFrame(rows)


def sales_until(last: pd.Timestamp, censored_day: pd.Timestamp | None = None) -> pd.DataFrame:
    """S1 sells 10, 12, 8, 10, ... (day k after the first origin: 10, 12, 8 repeating); S2 sells
    2 every day; from the first origin to `last`."""
    days = pd.date_range(FIRST_ORIGIN, last)
    s1 = [10.0, 12.0, 8.0]
    frame = pd.DataFrame(
        {
            "store_id": ["S1"] * len(days) + ["S2"] * len(days),
            "product_id": "P1",
            "sales_date": list(days) * 2,
            "units_sold": [s1[(d - FIRST_ORIGIN).days % 3] for d in days] + [2.0] * len(days),
            "is_stockout_censored": False,
        }
    )
    if censored_day is not None:
        frame.loc[
            (frame["store_id"] == "S2") & (frame["sales_date"] == censored_day),
            ["units_sold", "is_stockout_censored"],
        ] = [0.0, True]
    return frame


def history_of(*runs: tuple[str, pd.Timestamp]) -> pd.DataFrame:
    return pd.concat(
        [
            forecast_history_rows(
                forecast_at(origin, {"S1": 10.0, "S2": 3.0}),
                CLASSES,
                run_id,
                origin + pd.Timedelta(hours=5),
            )
            for run_id, origin in runs
        ],
        ignore_index=True,
    )


def test_a_forecast_without_arrived_sales_gives_no_rows() -> None:
    history = history_of(("run-1", FIRST_ORIGIN))
    assert score_forecast_history(history, sales_until(FIRST_ORIGIN), STORES).empty


def test_the_next_run_scores_the_previous_forecast_by_hand() -> None:
    # run 1 forecasts from the first origin; run 2 comes two days later and sees two more days
    second_origin = FIRST_ORIGIN + 2 * DAY
    history = history_of(("run-1", FIRST_ORIGIN), ("run-2", second_origin))
    sales = sales_until(second_origin, censored_day=FIRST_ORIGIN + 2 * DAY)
    monitoring = score_forecast_history(history, sales, STORES)
    # only run 1 has days after its origin with sales; run 2's forecast waits for the next run
    assert set(monitoring["run_id"]) == {"run-1"}
    overall = monitoring[monitoring["segment_type"] == "all"].iloc[0]
    # days 1 and 2: S1 actual 12, 8 vs 10 (|e| 2 + 2); S2 day 1 actual 2 vs 3 (|e| 1), day 2
    # censored and left out. WAPE = 5 / 22, WPE = (-2 + 2 + 1) / 22.
    assert overall["scored_rows"] == 3 and overall["censored_rows_excluded"] == 1
    assert overall["actual_units"] == pytest.approx(22.0)
    assert overall["wape"] == pytest.approx(5 / 22)
    assert overall["wpe"] == pytest.approx(1 / 22)
    # 80% interval is forecast +- 1: S1's 12 and 8 fall outside, S2's 2 inside; 95% holds all
    assert overall["coverage_80"] == pytest.approx(1 / 3)
    assert overall["coverage_95"] == pytest.approx(1.0)
    assert overall["last_scored_date"] == FIRST_ORIGIN + 2 * DAY
    by_class = monitoring[monitoring["segment_type"] == "demand_class"].set_index("segment_value")
    assert by_class.loc["smooth", "wape"] == pytest.approx(4 / 20)
    assert by_class.loc["lumpy", "wape"] == pytest.approx(1 / 2)
    by_region = monitoring[monitoring["segment_type"] == "region"].set_index("segment_value")
    assert by_region.loc["South", "wpe"] == pytest.approx(1 / 2)


def test_accuracy_check_warns_beyond_the_setting() -> None:
    history = history_of(("run-1", FIRST_ORIGIN))
    monitoring = score_forecast_history(history, sales_until(FIRST_ORIGIN + 3 * DAY), STORES)
    wape = monitoring.loc[monitoring["segment_type"] == "all", "wape"].iloc[0]
    backtest = pd.DataFrame(
        {"model": [CHOSEN_MODEL], "segment_type": ["all"], "window": [0], "wape": [wape / 1.2]}
    )
    loose = accuracy_degradation_check(
        monitoring, backtest, MonitoringSettings(max_wape_increase=0.25)
    )
    tight = accuracy_degradation_check(
        monitoring, backtest, MonitoringSettings(max_wape_increase=0.1)
    )
    assert loose.passed and not tight.passed
    assert tight.metadata["monitored_wape"] == pytest.approx(wape, abs=1e-4)


def test_history_appends_per_run_and_a_rerun_replaces_its_own_rows(tmp_path) -> None:
    one = history_of(("run-1", FIRST_ORIGIN))
    two = history_of(("run-2", FIRST_ORIGIN + 7 * DAY))
    append_run_tables(tmp_path, "forecasting", {"forecast_history": one}, "run-1")
    append_run_tables(tmp_path, "forecasting", {"forecast_history": two}, "run-2")
    count = "select count(*) from forecasting.forecast_history"
    with handoff.connect(tmp_path) as con:
        assert con.execute(count).fetchall()[0][0] == 2 * len(one)
    # the same run materialised again: its rows replaced, the other run's kept
    append_run_tables(tmp_path, "forecasting", {"forecast_history": two}, "run-2")
    with handoff.connect(tmp_path) as con:
        assert con.execute(count).fetchall()[0][0] == 2 * len(one)
        per_run = con.execute(
            "select run_id, count(*), min(origin_date) from forecasting.forecast_history "
            "group by run_id order by run_id"
        ).fetchall()
    assert [r[:2] for r in per_run] == [("run-1", len(one)), ("run-2", len(two))]
    assert per_run[1][2] == FIRST_ORIGIN + 7 * DAY
    with pytest.raises(ValueError, match="name a file"):
        append_run_tables(tmp_path, "forecasting", {"forecast_history": two}, "../run-3")


def test_history_takes_a_new_column_of_a_later_run(tmp_path) -> None:
    one = history_of(("run-1", FIRST_ORIGIN))
    two = history_of(("run-2", FIRST_ORIGIN + 7 * DAY)).assign(lower_50=1.0)
    append_run_tables(tmp_path, "forecasting", {"forecast_history": one}, "run-1")
    append_run_tables(tmp_path, "forecasting", {"forecast_history": two}, "run-2")
    with handoff.connect(tmp_path) as con:
        rows = con.execute(
            "select run_id, count(lower_50), count(*) from forecasting.forecast_history "
            "group by run_id order by run_id"
        ).fetchall()
    assert rows == [("run-1", 0, len(one)), ("run-2", len(two), len(two))]


def test_history_kept_in_the_warehouse_file_is_carried_over_once(tmp_path) -> None:
    """A warehouse of an earlier version kept its history as a table in the file: its rows move
    to the hand-off with the first run that appends, and the file is only read."""
    one = history_of(("run-1", FIRST_ORIGIN))
    root = tmp_path / "handoff"
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert carry_over_warehouse_table(con, root, "forecasting", "forecast_history") == 0
        con.execute("create schema forecasting")
        con.execute("create table forecasting.forecast_history as select * from one")
        assert carry_over_warehouse_table(con, root, "forecasting", "forecast_history") == len(one)
        # the hand-off table has its files now: nothing is carried twice
        assert carry_over_warehouse_table(con, root, "forecasting", "forecast_history") == 0
    two = history_of(("run-2", FIRST_ORIGIN + 7 * DAY))
    append_run_tables(root, "forecasting", {"forecast_history": two}, "run-2")
    history = handoff.read_table(root, "forecasting", "forecast_history")
    assert history.groupby("run_id").size().to_dict() == {"run-1": len(one), "run-2": len(two)}


def daily_sales(level_before: float, level_after: float, seed: int = 0) -> pd.DataFrame:
    """Poisson daily units of 20 smooth series over 119 days, the mean changing 28 days before
    the end."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2025-01-01", periods=119)
    means = np.where(np.arange(len(days)) >= len(days) - 28, level_after, level_before)
    frames = [
        pd.DataFrame(
            {
                "store_id": f"S{i}",
                "product_id": "P1",
                "sales_date": days,
                "units_sold": rng.poisson(means).astype(float),
                "is_stockout_censored": False,
            }
        )
        for i in range(20)
    ]
    return pd.concat(frames, ignore_index=True)


def classes_of(sales: pd.DataFrame) -> pd.DataFrame:
    return sales[["store_id", "product_id"]].drop_duplicates().assign(demand_class="smooth")


def test_drift_flags_a_shift_and_not_a_stationary_series() -> None:
    shifted = daily_sales(5.0, 9.0)
    stationary = daily_sales(5.0, 5.0)
    drift = demand_drift(shifted, classes_of(shifted)).set_index("demand_class")
    steady = demand_drift(stationary, classes_of(stationary)).set_index("demand_class")
    assert drift.loc["smooth", "drifted"] and drift.loc["smooth", "p_value"] < 0.01
    assert (
        drift.loc["smooth", "n_recent"] == 20 * 28 and drift.loc["smooth", "n_reference"] == 20 * 91
    )
    assert not steady["drifted"].any()
    assert steady.loc["smooth", "statistic"] < MonitoringSettings().drift_min_statistic
    assert drift_check(steady.reset_index()).passed
    outcome = drift_check(drift.reset_index())
    assert not outcome.passed and "smooth" in outcome.description


def test_drift_does_not_test_the_classes_their_recent_sales_define() -> None:
    """`inactive` (no sale in the last 28 days) and `new` (a first sale in them) differ from
    their training window by definition: counted, not tested, so the check passes on them."""
    stopped = daily_sales(5.0, 0.0).assign(product_id="P_stopped")
    launched = daily_sales(0.0, 5.0).assign(product_id="P_launched")
    steady = daily_sales(5.0, 5.0)
    sales = pd.concat([stopped, launched, steady], ignore_index=True)
    classes = classes_of(sales)
    classes["demand_class"] = classes["product_id"].map(
        {"P_stopped": "inactive", "P_launched": "new", "P1": "smooth"}
    )
    drift = demand_drift(sales, classes).set_index("demand_class")
    assert drift.loc["inactive", "mean_recent"] == 0.0 < drift.loc["inactive", "mean_reference"]
    assert drift.loc["new", "mean_reference"] == 0.0 < drift.loc["new", "mean_recent"]
    assert drift.loc[["inactive", "new"], "statistic"].isna().all()
    assert not drift.loc[["inactive", "new", "smooth"], "drifted"].any()
    assert drift_check(drift.reset_index()).passed


def test_the_drift_check_says_when_it_had_nothing_to_test() -> None:
    # 20 days of history: the recent window has no reference days before it
    sales = daily_sales(5.0, 5.0)
    sales = sales[sales["sales_date"] > sales["sales_date"].max() - 20 * DAY]
    drift = demand_drift(sales, classes_of(sales))
    assert drift["statistic"].isna().all()
    outcome = drift_check(drift)
    assert outcome.passed and "nothing to check" in outcome.description
    assert outcome.metadata["classes_tested"] == 0
    # with the history, the same check tests and passes
    full = daily_sales(5.0, 5.0)
    assert (
        drift_check(demand_drift(full, classes_of(full))).description == "no demand class drifted"
    )


def test_drift_leaves_out_censored_days() -> None:
    # half the recent days are stockouts selling nothing: not a fall in demand
    sales = daily_sales(5.0, 5.0)
    recent = pd.to_datetime(sales["sales_date"]) > sales["sales_date"].max() - 28 * DAY
    stockout = recent.to_numpy() & (sales.index % 2 == 0)
    sales.loc[stockout, ["units_sold", "is_stockout_censored"]] = [0.0, True]
    drift = demand_drift(sales, classes_of(sales)).set_index("demand_class")
    assert drift.loc["smooth", "n_recent"] == 20 * 14
    assert not drift.loc["smooth", "drifted"]
    counted = demand_drift(sales.assign(is_stockout_censored=False), classes_of(sales))
    assert counted.set_index("demand_class").loc["smooth", "drifted"]


def test_a_day_the_store_was_closed_is_left_out_like_a_stockout() -> None:
    """marts.fct_sales_daily.is_store_closed: a closure's zero is not demand, neither for the
    scores of earlier forecasts nor for the drift test."""
    second_origin = FIRST_ORIGIN + 2 * DAY
    history = history_of(("run-1", FIRST_ORIGIN), ("run-2", second_origin))
    stockout = sales_until(second_origin, censored_day=second_origin)
    closed = stockout.assign(
        is_store_closed=stockout["is_stockout_censored"], is_stockout_censored=False
    )
    pd.testing.assert_frame_equal(
        score_forecast_history(history, closed, STORES),
        score_forecast_history(history, stockout, STORES),
    )

    sales = daily_sales(5.0, 5.0)
    recent = pd.to_datetime(sales["sales_date"]) > sales["sales_date"].max() - 28 * DAY
    shut = recent.to_numpy() & (sales.index % 2 == 0)
    sales["is_store_closed"] = shut
    sales.loc[shut, "units_sold"] = 0.0
    drift = demand_drift(sales, classes_of(sales)).set_index("demand_class")
    assert drift.loc["smooth", "n_recent"] == 20 * 14
    assert not drift.loc["smooth", "drifted"]
