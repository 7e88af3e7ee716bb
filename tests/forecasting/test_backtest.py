"""The rolling-origin backtest: origins, no look-ahead, and the table against hand computation."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from forecasting_helpers import FAST, START, make_history

from python_assets.forecasting.backtest import SegmentRows, backtest_origins, run_backtest
from python_assets.forecasting.benchmark_data import synthetic_history
from python_assets.forecasting.forecast import forecast_demand, forecast_panel
from python_assets.forecasting.models import ModelRunner
from python_assets.forecasting.panel import build_panel, estimate_latent_demand
from python_assets.forecasting.settings import ForecastSettings

# ----------------------------------------------------------------------------- no look-ahead


def test_forecasts_at_an_origin_do_not_change_when_later_data_changes() -> None:
    history, products = synthetic_history(n_series=40, n_days=63, seed=5)
    settings = replace(FAST, backtest_windows=2)
    dates = pd.to_datetime(history["sales_date"])
    n_days = dates.nunique()
    _, scored = backtest_origins(n_days, settings)
    origin_date = dates.min() + pd.Timedelta(days=scored[0])

    later = dates > origin_date
    rng = np.random.default_rng(11)
    changed = history.copy()
    changed.loc[later, "units_sold"] = rng.poisson(30, later.sum()).astype(float)
    changed.loc[later, "stockout_hours"] = rng.integers(0, 20, later.sum()).astype(float)
    changed["is_stockout_censored"] = changed["stockout_hours"] > 0
    changed["stockout_hours_6_22"] = changed["stockout_hours"]
    changed.loc[later, "is_promo"] = ~changed.loc[later, "is_promo"]
    changed["latent_demand_units"] = estimate_latent_demand(changed).to_numpy()

    first = forecast_demand(history, products, settings).backtest_predictions
    second = forecast_demand(changed, products, settings).backtest_predictions
    columns = ["forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
    for model in settings.models:
        a = first[(first["window"] == 1) & (first["model"] == model)]
        b = second[(second["window"] == 1) & (second["model"] == model)]
        assert len(a) == 40 * 7
        np.testing.assert_array_equal(a[columns].to_numpy(), b[columns].to_numpy(), model)
    # the later window does see the change
    a = first[(first["window"] == 2) & (first["model"] == "moving_average_7")]
    b = second[(second["window"] == 2) & (second["model"] == "moving_average_7")]
    assert not np.allclose(a["forecast"].to_numpy(), b["forecast"].to_numpy())


def test_backtest_origins_end_on_the_last_day_and_respect_min_history() -> None:
    calibration, scored = backtest_origins(83, ForecastSettings())
    assert scored == [54, 61, 68, 75]
    assert calibration == [47]
    assert scored[-1] + 7 == 82  # the last window ends on the last day (index 82)
    assert backtest_origins(40, ForecastSettings()) == ([], [32])
    assert backtest_origins(47, ForecastSettings()) == ([32], [39])
    assert backtest_origins(20, ForecastSettings()) == ([], [])


def test_backtest_table_matches_hand_computation_on_a_trend() -> None:
    units = np.tile(np.arange(1.0, 50.0), (1, 1))  # y_t = t + 1 over 49 days
    history, products = make_history(units)
    settings = ForecastSettings(models=("moving_average_7",), backtest_windows=2)
    result = forecast_demand(history, products, settings)
    table = result.backtest
    # last window: origin day index 41 (value 42); MA7 = mean(36..42) = 39, actuals 43..49
    row = table[(table["window"] == 2) & (table["segment_type"] == "all")].iloc[0]
    actual = np.arange(43.0, 50.0)
    assert row["wape"] == pytest.approx(np.abs(39 - actual).sum() / actual.sum())
    assert row["wpe"] == pytest.approx((39 - actual).sum() / actual.sum())
    assert row["mase"] == pytest.approx(np.mean(np.abs(39 - actual)) / 7)  # in-sample lag-7 MAE = 7
    assert row["n_rows"] == 7
    frn = table[(table["window"] == 2) & (table["segment_type"] == "frn_benchmark")].iloc[0]
    assert frn["wape"] == pytest.approx(np.mean(np.abs(39 - actual) / actual))
    segments = set(table["segment_type"])
    assert segments == {
        "all",
        "frn_benchmark",
        "category",
        "volume_band",
        "demand_class",
        "selling_rate",
    }
    # the one series sells about 40 a day: its selling-rate row is the whole table's
    rate = table[
        (table["window"] == 2)
        & (table["segment_type"] == "selling_rate")
        & (table["model"] == "moving_average_7")
    ]
    assert rate["segment_value"].tolist() == ["1_or_more_per_day"]
    assert rate.iloc[0]["wape"] == pytest.approx(row["wape"])
    assert set(result.model_per_class.values()) == {"moving_average_7"}
    # H-day totals: one series, last window: |7 * 39 - sum(43..49)| / sum(43..49)
    assert row["score_total_wape"] == pytest.approx(abs(7 * 39 - actual.sum()) / actual.sum())
    assert row["wpe_total"] == pytest.approx((7 * 39 - actual.sum()) / actual.sum())


# ----------------------------------------------------------------------------- ETS, latent demand


def test_a_series_launched_after_an_origin_is_not_scored_at_that_origin() -> None:
    units = np.full((6, 63), 5.0)
    units[5, :50] = np.nan  # no rows before its launch on day 50
    history, products = make_history(units)
    history = history.dropna(subset=["units_sold"])
    settings = replace(FAST, models=("moving_average_7",))
    backtest = forecast_demand(history, products, settings).backtest
    rows = backtest[(backtest["segment_type"] == "all") & (backtest["window"] > 0)]
    rows = rows[rows["model"] == "moving_average_7"].set_index("origin_date")["n_rows"]
    launch = START + pd.Timedelta(days=50)
    for origin, n_rows in rows.items():
        # before the launch only the five old series count; after it all six, 7 days each
        assert n_rows == (5 if origin < launch else 6) * 7, origin
    classes = backtest[backtest["segment_type"] == "demand_class"]["segment_value"]
    assert "inactive" not in set(classes)


# ------------------------------------------------------- the global model's thread of its own


def test_the_final_global_model_fitted_beside_the_choice_is_the_one_fitted_alone() -> None:
    """forecast_panel fits the final global model on a thread of its own while it scores the
    model choice: that model forecasts what one fitted on the calling thread forecasts."""
    history, products = synthetic_history(n_series=30, n_days=63, seed=3)
    settings = replace(FAST, backtest_windows=2, forecast_all_models=True)
    panel = build_panel(history, products)
    fitted = forecast_panel(panel, settings, predict=False).fitted
    last = panel.n_days - 1
    serial = ModelRunner(panel, settings, ())
    alone = serial.fit_gradient_boosting(last)
    assert fitted.gradient_boosting is not None and alone is not None
    np.testing.assert_array_equal(
        serial.gradient_boosting(fitted.gradient_boosting, last, {})["gradient_boosting"],
        serial.gradient_boosting(alone, last, {})["gradient_boosting"],
    )


def test_the_global_models_backtest_forecasts_are_those_made_one_after_another_and_its_errors_stop_the_backtest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """run_backtest computes gradient boosting on a background thread: each window's forecast is
    the one the model makes at that origin on the calling thread, and an error there is raised
    by the backtest."""
    history, products = synthetic_history(n_series=30, n_days=63, seed=3)
    settings = replace(FAST, backtest_windows=2)
    panel = build_panel(history, products)
    run = run_backtest(panel, settings, (), lambda _line: None)
    serial = ModelRunner(panel, settings, ())
    gbm = [out for out in run.outputs if out.model == "gradient_boosting"]
    assert len(gbm) == settings.backtest_windows
    for out in gbm:
        np.testing.assert_array_equal(out.forecast, serial.run("gradient_boosting", out.origin, {}))

    def broken(self: ModelRunner, origin: int) -> None:
        raise RuntimeError(f"no model at origin {origin}")

    monkeypatch.setattr(ModelRunner, "fit_gradient_boosting", broken)
    with pytest.raises(RuntimeError, match="no model at origin"):
        run_backtest(panel, settings, (), lambda _line: None)


def test_the_pooled_segments_are_those_of_the_windows_rows_one_after_another() -> None:
    """The pooled backtest rows reuse each window's segments (SegmentRows.concat): the same
    segments, in the same order, with the same rows as segmenting the pooled rows afresh, also
    when a segment (here "lumpy", and a missing label) is absent from a window."""
    windows = [
        np.array(["smooth", "erratic", "smooth", None], dtype=object),
        np.array(["lumpy", "smooth", "smooth"], dtype=object),
        np.array(["erratic", None, "erratic", "smooth", "lumpy"], dtype=object),
    ]
    pooled = SegmentRows.concat([SegmentRows.of(w) for w in windows], [len(w) for w in windows])
    afresh = SegmentRows.of(np.concatenate(windows))
    pd.testing.assert_index_equal(pd.Index(pooled.values), pd.Index(afresh.values))
    assert len(pooled.rows) == len(afresh.rows) == 4
    for got, expected in zip(pooled.rows, afresh.rows, strict=True):
        np.testing.assert_array_equal(got, expected)
