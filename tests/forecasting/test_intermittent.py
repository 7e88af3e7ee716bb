"""SBA and TSB against values computed by hand on short series."""

from __future__ import annotations

import numpy as np
import pytest

from python_assets.forecasting.intermittent import croston_rate, sba_forecast, tsb_forecast

NO_FALLBACK = np.full((1, 5), np.nan)


def test_sba_on_a_hand_computed_series() -> None:
    # first demand (3) on the 2nd known day: size 3, interval 2; next demand (2) three days later:
    # size 3 + 0.5 (2 - 3) = 2.5, interval 2 + 0.5 (3 - 2) = 2.5; SBA = (1 - 0.25) * 2.5 / 2.5
    signal = np.array([[0.0, 3.0, 0.0, 0.0, 2.0]])
    np.testing.assert_allclose(sba_forecast(signal, NO_FALLBACK, 4, 3, alpha=0.5), 0.75)


def test_sba_skips_unknown_days() -> None:
    # the censored day counts neither as a zero nor a demand: the interval seen is 2, not 3
    signal = np.array([[0.0, 3.0, np.nan, 0.0, 2.0]])
    rate, started = croston_rate(signal, 4, 0.5)
    np.testing.assert_allclose(rate, [2.5 / 2.0])
    assert started.all()
    np.testing.assert_allclose(sba_forecast(signal, NO_FALLBACK, 4, 2, alpha=0.5), 0.9375)


def test_tsb_on_a_hand_computed_series() -> None:
    # start: probability 2/5, size (3 + 2) / 2; probability 0.2, 0.6, 0.3, 0.15, 0.575;
    # size 2.75 after the 3, 2.375 after the 2
    signal = np.array([[0.0, 3.0, 0.0, 0.0, 2.0]])
    forecast = tsb_forecast(signal, NO_FALLBACK, 4, 2, alpha_size=0.5, alpha_probability=0.5)
    np.testing.assert_allclose(forecast, 0.575 * 2.375)


def test_tsb_follows_an_item_dying_out_and_sba_does_not() -> None:
    signal = np.array([[2.0] * 20 + [0.0] * 20])
    fallback = np.full_like(signal, np.nan)
    tsb = tsb_forecast(signal, fallback, 39, 1, 0.2, 0.2)[0, 0]
    sba = sba_forecast(signal, fallback, 39, 1, 0.2)[0, 0]
    assert tsb < 0.05 < sba


def test_vectorised_over_series_equals_one_at_a_time() -> None:
    rng = np.random.default_rng(1)
    signal = rng.poisson(0.4, (6, 30)).astype(float)
    signal[rng.random(signal.shape) < 0.1] = np.nan
    fallback = np.full_like(signal, np.nan)
    together = tsb_forecast(signal, fallback, 29, 1)
    alone = [tsb_forecast(signal[[i]], fallback[[i]], 29, 1)[0, 0] for i in range(6)]
    np.testing.assert_allclose(together[:, 0], alone)
    assert sba_forecast(signal, fallback, 29, 1)[:, 0] == pytest.approx(
        [sba_forecast(signal[[i]], fallback[[i]], 29, 1)[0, 0] for i in range(6)]
    )
