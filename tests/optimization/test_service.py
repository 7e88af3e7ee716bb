"""The expected fill rate under the forecast distribution."""

import numpy as np
import pytest

from python_assets.optimization.service import expected_fill_rate, expected_lost_units


def test_expected_lost_units_match_a_simulation():
    rng = np.random.default_rng(0)
    mean, std = np.array([10.0, 10.0, 50.0]), np.array([3.0, 3.0, 20.0])
    available = np.array([10.0, 14.0, 30.0])
    draws = rng.normal(mean, std, size=(200_000, 3))
    simulated = np.maximum(0.0, draws - available).mean(axis=0)
    assert expected_lost_units(available, mean, std) == pytest.approx(simulated, rel=0.02)


def test_a_plan_covering_its_forecast_is_not_expected_to_fill_everything():
    # stock equal to the point forecast: half the time demand is higher
    assert expected_fill_rate([10.0], [10.0], [3.0]) == pytest.approx(1 - 3 * 0.398942 / 10, 1e-4)
    # without uncertainty the point forecast decides
    assert expected_fill_rate([8.0, 5.0], [10.0, 5.0], [0.0, np.nan]) == pytest.approx(13 / 15)
    assert expected_fill_rate([0.0], [0.0], [0.0]) == 1.0
