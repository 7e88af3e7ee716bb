"""The network_settings seed read into LaneSettings."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from python_assets.optimization.inputs import lane_settings_from_seed

SEED = Path(__file__).resolve().parents[2] / "seeds" / "network_settings.csv"


def test_seed_values_and_empty_means_no_limit():
    seed = pd.DataFrame(
        {
            "setting": ["n_shipping_zones", "lane_k_nearest", "max_lane_lead_time_days"],
            "value": ["4", "", "2.5"],
        }
    )
    settings = lane_settings_from_seed(seed)
    assert settings.n_zones == 4 and settings.k_nearest is None
    assert settings.max_lead_time_days == 2.5
    assert math.isinf(settings.capacity_units) and settings.same_zone_only is False


def test_the_shipped_seed_reads():
    settings = lane_settings_from_seed(pd.read_csv(SEED, dtype=str))
    assert settings.n_zones >= 1 and settings.speed_km_per_day > 0
