"""Shipping zones (003): K-means over store locations, each zone with its per-km rate and lead
time by a stated rule (python_assets.allocation_network.zone_rates). One row per store."""

from python_assets.allocation_inputs import lane_settings_from_seed
from python_assets.allocation_network import shipping_zones, zone_rates


def model(dbt, session):
    dbt.config(materialized="table")
    settings = lane_settings_from_seed(dbt.ref("network_settings").df())
    stores = dbt.ref("stg_inputs__stores").df()[["store_id", "latitude", "longitude"]]
    store_zones = shipping_zones(stores, settings.n_zones, seed=settings.seed)
    zones = zone_rates(
        stores,
        store_zones,
        base_rate_per_km=settings.base_rate_per_km,
        base_lead_time_days=settings.base_lead_time_days,
        speed_km_per_day=settings.speed_km_per_day,
        remote_surcharge=settings.remote_surcharge,
    ).rename(
        columns={
            "latitude": "zone_latitude",
            "longitude": "zone_longitude",
            "n_stores": "zone_store_count",
        }
    )
    return store_zones.merge(zones, on="zone_id")
