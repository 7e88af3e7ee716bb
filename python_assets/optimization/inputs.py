"""Glue between the warehouse's reference seeds and the allocation network functions."""

from __future__ import annotations

import math

import pandas as pd

from python_assets.optimization.network import LaneSettings


def lane_settings_from_seed(network_settings: pd.DataFrame) -> LaneSettings:
    """LaneSettings from the network_settings seed (setting, value); empty value = no limit."""
    raw = dict(zip(network_settings["setting"], network_settings["value"], strict=True))

    def number(name: str) -> float | None:
        value = raw.get(name)
        return (
            None
            if value is None
            or (isinstance(value, float) and math.isnan(value))
            or str(value).strip() == ""
            else float(value)
        )

    k_nearest = number("lane_k_nearest")
    capacity = number("lane_capacity_units")
    return LaneSettings(
        n_zones=int(number("n_shipping_zones") or 1),
        seed=int(number("zone_seed") or 0),
        base_rate_per_km=number("base_rate_per_km") or 0.0,
        handling_cost=number("transfer_handling_cost_per_unit") or 0.0,
        base_lead_time_days=number("base_lead_time_days") or 0.0,
        speed_km_per_day=number("speed_km_per_day") or 500.0,
        remote_surcharge=number("remote_surcharge") or 0.0,
        k_nearest=int(k_nearest) if k_nearest is not None else None,
        same_zone_only=str(raw.get("same_zone_only", "false")).strip().lower() == "true",
        max_lead_time_days=number("max_lane_lead_time_days"),
        capacity_units=capacity if capacity is not None else math.inf,
    )


WHOLE_UNITS = ("auto", "yes", "no")


def plans_in_whole_units(choice: str, data_in_whole_units: bool) -> bool:
    """Whether the plan is a MILP in whole packs: `choice` 'yes' or 'no', or 'auto' = when the
    input's units are whole (every sales and stock figure an integer: the demo, most real
    inputs); fractional data (e.g. FreshRetailNet's normalised units) keeps the LP."""
    if choice not in WHOLE_UNITS:
        raise ValueError(f"whole_units must be one of {WHOLE_UNITS}, got {choice!r}")
    return choice == "yes" or (choice == "auto" and data_in_whole_units)
