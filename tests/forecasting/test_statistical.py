"""The per-series models on hand-checkable arrays, and the vectorised ETS against statsmodels."""

from __future__ import annotations

import numpy as np
import pytest

from python_assets.forecasting.statistical import (
    holt_winters_forecast,
    holt_winters_snapshots,
    moving_average_forecast,
    seasonal_naive_forecast,
    shrunk_mean_forecast,
)


def test_moving_average_and_seasonal_naive_skip_unknown_days() -> None:
    signal = np.array([[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, np.nan, 10.0, 11.0, 12.0, 13.0]])
    fallback = np.full_like(signal, 99.0)
    origin = 12
    moving = moving_average_forecast(signal, fallback, origin, horizon=3, window=7)
    np.testing.assert_allclose(moving, np.mean([7, 8, 10, 11, 12, 13]))
    naive = seasonal_naive_forecast(signal, fallback, origin, horizon=3)
    # day 13 <- day 6 (7.0); day 14 <- day 7 (8.0); day 15 <- day 8 unknown -> day 1 (2.0)
    np.testing.assert_allclose(naive, [[7.0, 8.0, 2.0]])


def test_vectorised_holt_winters_matches_statsmodels() -> None:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    rng = np.random.default_rng(0)
    y = 20 + 5 * np.sin(np.arange(56) * 2 * np.pi / 7) + rng.normal(0, 1, 56) + 0.05 * np.arange(56)
    level0, trend0 = 20.0, 0.0
    seasonal0 = 5 * np.sin(np.arange(7) * 2 * np.pi / 7)
    alpha, beta, gamma, phi = 0.3, 0.05, 0.2, 0.9
    reference = ExponentialSmoothing(
        y,
        trend="add",
        damped_trend=True,
        seasonal="add",
        seasonal_periods=7,
        initialization_method="known",
        initial_level=level0,
        initial_trend=trend0,
        initial_seasonal=seasonal0,
    ).fit(
        smoothing_level=alpha,
        smoothing_trend=beta,
        smoothing_seasonal=gamma,
        damping_trend=phi,
        optimized=False,
    )
    one = np.ones(1)
    level, trend, seasonal, _ = holt_winters_snapshots(
        y[None, :], [len(y) - 1], alpha * one, beta * one, gamma * one, phi * one,
        level0 * one, seasonal0[None, :],
    )[len(y) - 1]  # fmt: skip
    ours = holt_winters_forecast(level, trend, seasonal, phi * one, len(y) - 1, 10)[0]
    assert level[0] == pytest.approx(reference.level[-1])
    assert trend[0] == pytest.approx(reference.trend[-1])
    np.testing.assert_allclose(seasonal[0], reference.season[-7:])  # 56 days: slot = day order
    # Hyndman's forecast l_T + (phi + .. + phi^h) b_T + s_{T+h-m(k+1)} from statsmodels' own
    # states. statsmodels' forecast() itself agrees except at h = m, where releases before the
    # fix of statsmodels issue #9538 use the season of T - m instead of T.
    steps = np.arange(1, 11)
    textbook = (
        reference.level[-1]
        + np.cumsum(phi**steps) * reference.trend[-1]
        + reference.season[len(y) - 1 + steps - 7 * ((steps - 1) // 7 + 1)]
    )
    np.testing.assert_allclose(ours, textbook, rtol=1e-9)
    not_season_multiple = steps % 7 != 0
    np.testing.assert_allclose(
        ours[not_season_multiple], reference.forecast(10)[not_season_multiple], rtol=1e-9
    )


def test_shrunk_mean_matches_buhlmann_straub_by_hand() -> None:
    nan = np.nan
    signal = np.array(
        [
            [1.0, 0.0, 1.0, 0.0],  # product A: means 0.5, 2, 0.75; pooled 13/12
            [2.0, 2.0, 2.0, 2.0],
            [0.0, 0.0, 0.0, 3.0],
            [5.0, nan, 5.0, 5.0],  # product B alone: its own mean
            [1.0, 1.0, 1.0, 1.0],  # product C: no spread between series, every one the pooled mean
            [1.0, 1.0, 1.0, 1.0],
            [nan, nan, nan, nan],
            [2.0, 2.0, nan, 2.0],  # product D: one series with known days, one without
            [nan, nan, nan, nan],
        ]
    )
    groups = np.array(["A", "A", "A", "B", "C", "C", "C", "D", "D"])
    forecast = shrunk_mean_forecast(signal, np.full_like(signal, nan), groups, 3, 2, window=4)
    # A: EPV = (3 * 1/3 + 0 + 3 * 2.25) / 9 = 31/36; VHM = (4 * 31/24 - 2 * 31/36) / 8 = 31/72;
    # K = EPV / VHM = 2, so each series (s + 2 * 13/12) / (4 + 2)
    pooled = 13 / 12
    expected = [(s + 2 * pooled) / 6 for s in (2.0, 8.0, 3.0)] + [5.0, 1.0, 1.0, 1.0, 2.0, 2.0]
    np.testing.assert_allclose(forecast[:, 0], expected)
    np.testing.assert_allclose(forecast[:, 1], forecast[:, 0])


def test_a_launch_spike_moves_no_other_series_of_the_shrunk_mean() -> None:
    nan = np.nan
    established = np.array(
        [
            [1.0, 0.0, 1.0, 0.0],  # product A, the example above: K = 2, pooled 13/12
            [2.0, 2.0, 2.0, 2.0],
            [0.0, 0.0, 0.0, 3.0],
        ]
    )
    launches = np.array(
        [
            [nan, 700.0, 40.0, 30.0],  # product N, launched in two stores, a spike in one
            [nan, 50.0, 10.0, 8.0],
            [nan, nan, 90.0, 6.0],  # product A launched in a fourth store
        ]
    )
    signal = np.vstack([established, launches])
    groups = np.array(["A", "A", "A", "N", "N", "A"])
    is_launch = np.array([False, False, False, True, True, True])
    fallback = np.full_like(signal, nan)
    forecast = shrunk_mean_forecast(signal, fallback, groups, 3, 2, window=4, launches=is_launch)
    alone = shrunk_mean_forecast(established, fallback[:3], groups[:3], 3, 2, window=4)
    # the established series are forecast as if the launch were not there
    np.testing.assert_allclose(forecast[:3], alone)
    # launches of a new product keep their own means; the spike stays in its store
    np.testing.assert_allclose(forecast[3:5, 0], [770 / 3, 68 / 3])
    # a launch of an established product is shrunk towards that product's series (K = 2)
    np.testing.assert_allclose(forecast[5, 0], (96 + 2 * 13 / 12) / (2 + 2))
    # without the mask the spike reaches the other store of its product
    pooled = shrunk_mean_forecast(signal, fallback, groups, 3, 2, window=4)
    assert pooled[4, 0] > 100


def test_shrunk_mean_is_not_biased_by_selecting_the_series_that_sold_lately() -> None:
    # slow movers: the ones that sold in the last 28 days look faster than they are to their own
    # 28-day mean; shrunk towards their product's mean, they do not
    rng = np.random.default_rng(0)
    rates = rng.gamma(1.0, 0.03, 4000) * np.repeat(rng.uniform(0.5, 2.0, 20), 200)
    days = rng.poisson(rates[:, None], (4000, 140)).astype(float)
    past, future = days[:, :112], days[:, 112:]
    sold = past[:, -28:].sum(axis=1) > 0
    groups = np.repeat(np.arange(20), 200)
    no_fallback = np.full_like(past, np.nan)

    def bias(forecast: np.ndarray) -> float:
        return forecast[sold].sum() / future[sold].sum() - 1.0

    recent = moving_average_forecast(past, no_fallback, 111, 28, window=28)
    longer = moving_average_forecast(past, no_fallback, 111, 28, window=112)
    shrunk = shrunk_mean_forecast(past, no_fallback, groups, 111, 28)
    assert bias(recent) > 0.2
    assert abs(bias(shrunk)) < 0.05 < bias(longer)  # a longer window alone is not enough
