"""Shipping zones (docs/methodology.md, Transport): K-means over store locations, each zone with its per-km rate and lead
time by a stated rule (python_assets.optimization.network.zone_rates). One row per store."""

from python_assets.optimization.inputs import lane_settings_from_seed
from python_assets.optimization.network import build_zones


def model(dbt, session):
    dbt.config(materialized="table")
    settings = lane_settings_from_seed(dbt.ref("int_settings_resolved").df())
    stores = dbt.ref("stg_inputs__stores").df()[["store_id", "latitude", "longitude"]]
    store_zones, zones = build_zones(stores, settings)
    renamed = {
        "latitude": "zone_latitude",
        "longitude": "zone_longitude",
        "n_stores": "zone_store_count",
    }
    return store_zones.merge(zones.rename(columns=renamed), on="zone_id")
