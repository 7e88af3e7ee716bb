"""Candidate transfer lanes: k nearest stores and/or same zone, cut by the service limit;
cost = handling + haversine km x the zone's per-km rate. One row per ordered store pair."""

from python_assets.optimization.inputs import lane_settings_from_seed
from python_assets.optimization.network import candidate_lanes


def model(dbt, session):
    dbt.config(materialized="table")
    settings = lane_settings_from_seed(dbt.ref("int_settings_resolved").df())
    stores = dbt.ref("stg_inputs__stores").df()[["store_id", "latitude", "longitude"]]
    zones = dbt.ref("int_shipping_zones").df()
    return candidate_lanes(
        stores,
        zones[["zone_id", "rate_per_km", "lead_time_days"]].drop_duplicates("zone_id"),
        store_zones=zones[["store_id", "zone_id"]],
        **settings.lane_options(),
    )
