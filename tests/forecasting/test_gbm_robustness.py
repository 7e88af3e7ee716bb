"""The global gradient-boosting model on a long-tail network: one launch or spike cannot move the
other series' forecasts, and a steady seller is never forecast zero among intermittent ones."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from python_assets.forecasting.gbm import (
    PREDICT_BLOCK_ROWS,
    GradientBoostingSettings,
    fit_gradient_boosting,
    gradient_boosting_forecast,
)
from python_assets.forecasting.gbm_features import PanelArrays, origin_features
from python_assets.forecasting.panel import DemandPanel, build_panel
from python_assets.forecasting.robust import (
    launch_forecast,
    outlier_caps,
    series_keys_hash,
    series_uniforms,
)

HORIZON = 7
DAYS = 120
START = pd.Timestamp("2025-01-06")
LAUNCH_SALES = (700.0, 120.0, 90.0)  # its first day two days before the origin, then two more
# Small and fast: what is under test does not need a big model.
SMALL = GradientBoostingSettings(
    max_iter=40,
    max_train_rows=20_000,
    min_samples_leaf=20,
    train_origins=28,
    n_models=1,
    n_threads=1,
)


def long_tail_units(
    n_steady: int, n_intermittent: int, n_lumpy: int, seed: int = 0, sale_rate: float = 0.06
) -> np.ndarray:
    """(series, DAYS) daily sales: steady sellers (Poisson around 6-33 a day with a weekly
    pattern), intermittent ones (a 1-3 unit sale on `sale_rate` of days) and lumpy ones
    (geometric sizes on 3% of days)."""
    rng = np.random.default_rng(seed)
    weekly = np.array([0.8, 0.9, 0.9, 1.0, 1.2, 1.4, 1.1])[np.arange(DAYS) % 7]
    steady = rng.poisson((6.0 + 3.0 * np.arange(n_steady))[:, None] * weekly)
    intermittent = (rng.random((n_intermittent, DAYS)) < sale_rate) * rng.integers(
        1, 4, (n_intermittent, DAYS)
    )
    lumpy = (rng.random((n_lumpy, DAYS)) < 0.03) * rng.geometric(0.15, (n_lumpy, DAYS))
    return np.vstack([steady, intermittent, lumpy]).astype(float)


def history(units: np.ndarray, launch: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A mart-shaped history, 4 stores; launch: 'first_sale' adds product PNEW in store S0 with
    rows from its first sale only (as the mart spines it), 'zero_rows' with zero sales before."""
    n_series = units.shape[0]
    dates = pd.date_range(START, periods=DAYS, freq="D")
    frame = pd.DataFrame(
        {
            "store_id": np.repeat([f"S{i % 4}" for i in range(n_series)], DAYS),
            "product_id": np.repeat([f"P{i:02d}" for i in range(n_series)], DAYS),
            "sales_date": np.tile(dates, n_series),
            "units_sold": units.reshape(-1),
        }
    )
    if launch is not None:
        sales = np.zeros(DAYS) if launch == "zero_rows" else np.full(DAYS, np.nan)
        sales[-len(LAUNCH_SALES) :] = LAUNCH_SALES
        new = pd.DataFrame({"store_id": "S0", "product_id": "PNEW", "sales_date": dates})
        new["units_sold"] = sales
        frame = pd.concat([frame, new.dropna()], ignore_index=True)
    frame["stockout_hours"] = 0.0
    frame["is_stockout_censored"] = False
    frame["price_ratio"] = 1.0
    frame["is_promo"] = False
    frame["is_holiday"] = False
    product_ids = [f"P{i:02d}" for i in range(n_series)] + ["PNEW"]
    products = pd.DataFrame(
        {
            "product_id": product_ids,
            "category": [("fruit", "veg", "dairy")[i % 3] for i in range(len(product_ids))],
            "subcategory": "any",
        }
    )
    return frame, products


def forecast_at_last_day(
    frame: pd.DataFrame, products: pd.DataFrame, settings: GradientBoostingSettings = SMALL
) -> tuple[DemandPanel, np.ndarray]:
    panel = build_panel(frame, products)
    origin = panel.n_days - 1
    model = fit_gradient_boosting(panel, origin, HORIZON, settings)
    forecast = gradient_boosting_forecast(model, panel, origin, HORIZON, n_threads=1)
    assert forecast is not None
    return panel, forecast


def totals_by_series(panel: DemandPanel, forecast: np.ndarray) -> pd.Series:
    """H-day forecast total per store x product."""
    index = pd.MultiIndex.from_arrays([panel.store_id, panel.product_id])
    return pd.Series(forecast.sum(axis=1), index=index)


# ----------------------------------------------------------------------------- launches


@pytest.mark.parametrize("launch", ["first_sale", "zero_rows"])
def test_a_launch_two_days_before_the_origin_does_not_move_the_other_series(launch: str) -> None:
    """Change = |total with the launch - total without| of each other series' 7-day forecast,
    relative to max(total without, 1 unit) (so series forecast near zero are judged in units),
    and the same over the sum of all other series. Both must stay below 2%."""
    units = long_tail_units(n_steady=4, n_intermittent=36, n_lumpy=20)
    panel, before = forecast_at_last_day(*history(units))
    panel_launch, after = forecast_at_last_day(*history(units, launch))

    total_before = totals_by_series(panel, before)
    total_after = totals_by_series(panel_launch, after)
    launched = total_after.pop(("S0", "PNEW"))
    total_after = total_after.loc[total_before.index]
    change = (total_after - total_before).abs() / np.maximum(total_before, 1.0)
    assert change.max() < 0.02, change.sort_values().tail()
    assert abs(total_after.sum() / total_before.sum() - 1) < 0.02
    # the launch itself: the days after its first one, not the launch-day spike, nor zero
    assert 90 * HORIZON <= launched <= 120 * HORIZON


def test_launch_profile_drops_the_launch_day_once_later_days_are_known() -> None:
    nan = np.nan
    demand = np.array(
        [
            [nan, nan, nan, 700.0, 120.0, 90.0],  # median of the days after the first
            [0.0, 0.0, 0.0, 0.0, 0.0, 40.0],  # first day only: counts at the weight
            [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],  # never sold
            [nan, nan, 10.0, nan, 2.0, 4.0],  # unknown days skipped
        ]
    )
    first_sale = np.array([3, 5, 6, 2])
    forecast = launch_forecast(demand, first_sale, origin=5, horizon=3, first_day_weight=0.5)
    assert forecast.shape == (4, 3)
    np.testing.assert_allclose(forecast[:, 0], [105.0, 20.0, 0.0, 3.0])
    np.testing.assert_allclose(forecast, forecast[:, :1].repeat(3, axis=1))


# ----------------------------------------------------------------------------- outliers


def test_outlier_caps_cap_a_spike_relative_to_the_days_before_it_only() -> None:
    demand = np.array([[2.0, 0.0, 2.0, 0.0, 700.0, 2.0, 0.0, 3.0, 50.0]])
    caps = outlier_caps(demand, multiple=5.0, floor=1.0)
    assert np.isinf(caps[0, 0])  # nothing sold before: nothing to judge a spike by
    assert caps[0, 4] == pytest.approx(10.0)  # 5 x the typical selling day (2 units)
    # the capped spike (10) counts in later caps, not the 700
    assert caps[0, 8] == pytest.approx(5.0 * (2 + 2 + 10 + 2 + 3) / 5)
    assert np.minimum(demand, caps)[0, 8] == pytest.approx(19.0)
    # causal: a later spike leaves earlier caps unchanged
    later = demand.copy()
    later[0, 8] = 10_000.0
    np.testing.assert_array_equal(outlier_caps(later, 5.0, 1.0)[0, :9], caps[0])


def test_a_spike_in_an_established_series_does_not_set_its_level() -> None:
    """A 700-unit day two days before the origin in a steady seller of about 6 units a day: its
    level is taken from capped days (at most 5 x its typical day), so its forecast total rises
    by a few units, not by the spike spread over the level's 28 days times the horizon."""
    units = long_tail_units(n_steady=4, n_intermittent=36, n_lumpy=20)
    spiked = units.copy()
    spiked[0, -3] = 700.0
    _, before = forecast_at_last_day(*history(units))
    _, after = forecast_at_last_day(*history(spiked))
    assert after[0].sum() - before[0].sum() < 0.05 * 700


# ----------------------------------------------------------------------------- long tail


def test_a_steady_seller_is_never_forecast_zero_on_a_mostly_zero_network() -> None:
    """One series sells 6-42 units every day; the other 59 are intermittent or lumpy, so 94% of
    the network's store x product days have no sale and most training targets are zero; and a
    product launched two days before the origin sold 700 units on its first day. (Without the
    tie-breaking jitter every series, this one included, was forecast zero here without the
    launch, and not with it: one launch flipped the whole model.)"""
    units = long_tail_units(n_steady=1, n_intermittent=45, n_lumpy=14, seed=3, sale_rate=0.035)
    steady = np.clip(np.random.default_rng(7).poisson(5.0, DAYS), 6, 42).astype(float)
    units[0] = steady
    assert (units == 0).mean() >= 0.94
    for launch in (None, "first_sale"):
        panel, forecast = forecast_at_last_day(*history(units, launch))
        row = np.flatnonzero(panel.product_id == "P00")[0]
        assert (forecast[row] > 0).all(), forecast[row]
        recent = steady[-28:].mean() * HORIZON
        assert 0.7 * recent <= forecast[row].sum() <= 1.3 * recent


# ----------------------------------------------------------------------------- holidays


def test_a_holiday_gives_no_training_target_unless_the_forecast_days_holidays_are_given() -> None:
    """Weekends flagged as holidays are usual for their weekday and stay training targets; two
    weekday holidays (a jump in sales the model could not foresee without the holiday flags of
    the forecast days) give none, unless those flags are given as known future covariates or
    the settings ask for them."""
    units = long_tail_units(n_steady=12, n_intermittent=10, n_lumpy=0)
    frame, products = history(units)
    dates = frame["sales_date"]
    weekend = dates.dt.day_of_week >= 5
    holidays = dates.isin(dates.drop_duplicates().iloc[[DAYS - 33, DAYS - 12]])
    assert not (weekend & holidays).any()
    frame.loc[holidays, "units_sold"] *= 4

    def rows(
        flags: pd.Series,
        future_names: tuple[str, ...] = (),
        settings: GradientBoostingSettings = SMALL,
    ) -> int:
        panel = build_panel(frame.assign(is_holiday=flags), products)
        model = fit_gradient_boosting(
            panel, panel.n_days - 1, HORIZON, settings, future_names=future_names
        )
        assert model is not None
        return model.n_train_rows

    no_holiday = rows(pd.Series(False, index=frame.index))
    assert rows(weekend) == no_holiday
    with_holidays = rows(weekend | holidays)
    assert 0 < no_holiday - with_holidays < 0.15 * no_holiday
    assert rows(weekend | holidays, future_names=("is_holiday",)) == no_holiday
    trained_on_them = replace(SMALL, train_on_unusual_days=True)
    assert rows(weekend | holidays, settings=trained_on_them) == no_holiday


def test_a_same_weekday_lag_is_read_against_how_the_whole_network_sold_that_day() -> None:
    """Every series sold half its usual on one day (a holiday without a flag, a storm): the
    step whose same-weekday lag is that day sees the network's ratio to that weekday's mean
    over four weeks, 0.5 / ((0.5 + 3) / 4); every other step sees 1."""
    units = np.repeat(np.arange(2.0, 14.0)[:, None], DAYS, axis=1)
    origin = DAYS - 1
    units[:, origin - 3] /= 2
    panel = build_panel(*history(units))
    features, _, names = origin_features(PanelArrays(panel, 10.0, 14), origin, HORIZON)
    ratio = features[:, :, names.index("same_weekday_network_ratio")]
    expected = np.ones(HORIZON)
    expected[3] = 0.5 / (3.5 / 4)  # step 4: its lag, 7 days before, is origin - 3
    np.testing.assert_allclose(ratio, np.broadcast_to(expected, ratio.shape), rtol=1e-6)


# ----------------------------------------------------------------------------- draws


def test_training_draws_follow_the_series_key_not_its_row() -> None:
    stores = np.array(["S0", "S0", "S1"], dtype=object)
    products = np.array(["A", "B", "A"], dtype=object)
    draws = series_uniforms(series_keys_hash(stores, products), 0, 20, HORIZON)
    with_another = series_uniforms(
        series_keys_hash(np.append(stores[:1], stores), np.append(["NEW"], products)),
        0,
        20,
        HORIZON,
    )
    np.testing.assert_array_equal(with_another[1:], draws)
    assert ((draws >= 0) & (draws < 1)).all()
    assert not np.array_equal(draws, series_uniforms(series_keys_hash(stores, products), 0, 21, 7))
    # roughly uniform over many keys
    many = series_uniforms(series_keys_hash(np.arange(2000), np.zeros(2000)), 0, 1, HORIZON)
    assert abs(many.mean() - 0.5) < 0.01


def test_predicting_in_blocks_gives_what_one_prediction_of_every_row_gives() -> None:
    """GradientBoostingModel.predict takes the rows a block at a time (faster: the block stays
    in the cache through every tree); the values are those of one call over every row."""
    units = long_tail_units(n_steady=12, n_intermittent=30, n_lumpy=8)
    panel = build_panel(*history(units))
    model = fit_gradient_boosting(panel, panel.n_days - 1, HORIZON, replace(SMALL, n_models=2))
    assert model is not None
    rng = np.random.default_rng(0)
    features = rng.normal(size=(2 * PREDICT_BLOCK_ROWS + 5, len(model.feature_names)))
    features = features.astype(np.float32)
    whole = np.mean([member.predict(features) for member in model.members], axis=0)
    np.testing.assert_array_equal(model.predict(features, n_threads=1), whole)
    np.testing.assert_array_equal(model.predict(features[:3], n_threads=1), whole[:3])


def test_settings_reject_nonsense() -> None:
    for bad in (
        {"outlier_multiple": 1.0},
        {"launch_days": 0},
        {"launch_first_day_weight": 1.5},
        {"tie_break": 0.0},
    ):
        with pytest.raises(ValueError, match=next(iter(bad))):
            replace(SMALL, **bad)
