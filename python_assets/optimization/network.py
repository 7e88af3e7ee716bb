"""Transfer network of the allocation LP: distances, shipping zones, candidate lanes.

Transport cost is a per-km rate of K-means shipping zones x distance: stores are grouped
into shipping zones by K-means over their locations, every zone gets a per-km rate and a lead
time by the rule in `zone_rates`, and a lane i -> j costs

    cost_per_unit = handling_cost + max(rate_per_km[zone(i)], rate_per_km[zone(j)]) x km(i, j)
    lead_time_days = max(lead_time_days[zone(i)], lead_time_days[zone(j)]) + km(i, j) / speed

with km the haversine (great-circle) distance. Candidate lanes are pruned by `candidate_lanes`
(k nearest stores and/or same zone) and cut by the service limit (no lane whose lead time
exceeds the maximum). See docs/methodology.md, section Allocation LP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.neighbors import BallTree

EARTH_RADIUS_KM = 6371.0088
LANE_COLUMNS = (
    "from_store",
    "to_store",
    "distance_km",
    "cost_per_unit",
    "lead_time_days",
    "capacity_units",
)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km between points given in degrees (vectorised, broadcasts)."""
    p1, l1, p2, l2 = (np.radians(np.asarray(x, dtype=np.float64)) for x in (lat1, lon1, lat2, lon2))
    a = np.sin((p2 - p1) / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _unit_sphere(lat, lon) -> np.ndarray:
    p, lam = np.radians(np.asarray(lat, dtype=np.float64)), np.radians(np.asarray(lon, np.float64))
    return np.column_stack([np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)])


def _to_lat_lon(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    norm = np.linalg.norm(xyz, axis=1)
    lat = np.degrees(np.arcsin(np.clip(xyz[:, 2] / norm, -1.0, 1.0)))
    lon = np.degrees(np.arctan2(xyz[:, 1], xyz[:, 0]))
    return lat, lon


def _check_stores(stores: pd.DataFrame) -> pd.DataFrame:
    missing = {"store_id", "latitude", "longitude"} - set(stores.columns)
    if missing:
        raise ValueError(f"stores needs columns {sorted(missing)}")
    if stores["store_id"].duplicated().any():
        dup = stores.loc[stores["store_id"].duplicated(), "store_id"].iloc[0]
        raise ValueError(f"stores: duplicate store_id {dup!r}")
    bad = ~np.isfinite(stores[["latitude", "longitude"]].to_numpy(dtype=np.float64)).all(axis=1)
    if bad.any():
        raise ValueError(
            f"stores: missing coordinates for store {stores['store_id'][bad].iloc[0]!r}"
        )
    return stores.reset_index(drop=True)


def shipping_zones(stores: pd.DataFrame, n_zones: int, seed: int = 0) -> pd.DataFrame:
    """Shipping zone of every store: K-means over store locations.

    Locations are clustered on the unit sphere (3-D coordinates, so no longitude wrap-around);
    `random_state=seed` and n_init=10 make the result reproducible. Zone ids are stable: zones
    are numbered 0..k-1 by their centroid's latitude, then longitude (north-west first).
    Returns store_id, zone_id.
    """
    stores = _check_stores(stores)
    if n_zones < 1:
        raise ValueError("n_zones must be >= 1")
    xyz = _unit_sphere(stores["latitude"], stores["longitude"])
    k = int(min(n_zones, len(np.unique(xyz.round(9), axis=0))))
    km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(xyz)
    lat, lon = _to_lat_lon(km.cluster_centers_)
    order = np.lexsort((lon, -lat))  # north first, then west first
    relabel = np.empty(k, dtype=np.int64)
    relabel[order] = np.arange(k)
    return pd.DataFrame({"store_id": stores["store_id"], "zone_id": relabel[km.labels_]})


def zone_rates(
    stores: pd.DataFrame,
    store_zones: pd.DataFrame,
    base_rate_per_km: float = 0.01,
    base_lead_time_days: float = 1.0,
    speed_km_per_day: float = 500.0,
    remote_surcharge: float = 0.5,
) -> pd.DataFrame:
    """Per-zone shipping rate and lead time, by a stated rule.

    - centroid: mean of the zone's stores on the unit sphere; radius_km: 90th percentile of
      their distance to it;
    - remoteness in [0, 1]: store-weighted mean distance from the zone centroid to the other
      stores' zone centroids, divided by the largest such value over zones (0 with one zone);
    - rate_per_km = base_rate_per_km x (1 + remote_surcharge x remoteness): remote zones pay
      more per km (thinner, less consolidated routes);
    - lead_time_days = base_lead_time_days + radius_km / speed_km_per_day.
    Returns zone_id, n_stores, latitude, longitude, radius_km, remoteness, rate_per_km,
    lead_time_days.
    """
    if base_rate_per_km < 0 or base_lead_time_days < 0 or speed_km_per_day <= 0:
        raise ValueError("zone_rates needs rates and lead times >= 0 and speed > 0")
    stores = _check_stores(stores).merge(store_zones[["store_id", "zone_id"]], on="store_id")
    xyz = _unit_sphere(stores["latitude"], stores["longitude"])
    zone_ids, code = np.unique(stores["zone_id"].to_numpy(), return_inverse=True)
    k = len(zone_ids)
    sums = np.zeros((k, 3))
    np.add.at(sums, code, xyz)
    counts = np.bincount(code, minlength=k)
    c_lat, c_lon = _to_lat_lon(sums)
    d_store = haversine_km(stores["latitude"], stores["longitude"], c_lat[code], c_lon[code])
    radius = np.array([np.percentile(d_store[code == z], 90) for z in range(k)])
    d_zone = haversine_km(c_lat[:, None], c_lon[:, None], c_lat[None, :], c_lon[None, :])
    weights = np.broadcast_to(counts.astype(np.float64), (k, k)).copy()
    np.fill_diagonal(weights, 0.0)
    tot = weights.sum(axis=1)
    mean_d = np.where(tot > 0, (d_zone * weights).sum(axis=1) / np.where(tot > 0, tot, 1), 0.0)
    remoteness = mean_d / mean_d.max() if mean_d.max() > 0 else np.zeros(k)
    return pd.DataFrame(
        {
            "zone_id": zone_ids,
            "n_stores": counts,
            "latitude": c_lat,
            "longitude": c_lon,
            "radius_km": radius,
            "remoteness": remoteness,
            "rate_per_km": base_rate_per_km * (1.0 + remote_surcharge * remoteness),
            "lead_time_days": base_lead_time_days + radius / speed_km_per_day,
        }
    )


def _store_table(
    stores: pd.DataFrame, zones: pd.DataFrame, store_zones: pd.DataFrame | None
) -> pd.DataFrame:
    """stores + zone_id + the zone's rate_per_km and lead_time_days."""
    stores = _check_stores(stores)
    if "zone_id" not in stores.columns:
        if store_zones is None:
            raise ValueError("stores has no zone_id: pass store_zones (from shipping_zones)")
        stores = stores.merge(store_zones[["store_id", "zone_id"]], on="store_id", how="left")
    missing = {"zone_id", "rate_per_km", "lead_time_days"} - set(zones.columns)
    if missing:
        raise ValueError(f"zones needs columns {sorted(missing)} (see zone_rates)")
    out = stores.merge(
        zones[["zone_id", "rate_per_km", "lead_time_days"]], on="zone_id", how="left"
    )
    if out[["rate_per_km", "lead_time_days"]].isna().any().any():
        bad = out.loc[out["rate_per_km"].isna() | out["lead_time_days"].isna(), "store_id"]
        raise ValueError(f"store {bad.iloc[0]!r} has no zone or its zone has no rate/lead time")
    return out


def lane_terms(
    from_idx: np.ndarray,
    to_idx: np.ndarray,
    table: pd.DataFrame,
    rate_per_km: float | None,
    handling_cost: float,
    speed_km_per_day: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance, cost per unit and lead time of lanes given as row positions in `table`."""
    lat = table["latitude"].to_numpy(np.float64)
    lon = table["longitude"].to_numpy(np.float64)
    dist = haversine_km(lat[from_idx], lon[from_idx], lat[to_idx], lon[to_idx])
    if rate_per_km is None:
        zr = table["rate_per_km"].to_numpy(np.float64)
        rate = np.maximum(zr[from_idx], zr[to_idx])
    else:
        rate = np.full(len(dist), float(rate_per_km))
    lt = table["lead_time_days"].to_numpy(np.float64)
    lead = np.maximum(lt[from_idx], lt[to_idx]) + dist / speed_km_per_day
    return dist, handling_cost + rate * dist, lead


def candidate_lanes(
    stores: pd.DataFrame,
    zones: pd.DataFrame,
    rate_per_km: float | None = None,
    handling_cost: float = 0.05,
    k_nearest: int | None = None,
    same_zone_only: bool = False,
    max_lead_time_days: float | None = None,
    *,
    store_zones: pd.DataFrame | None = None,
    speed_km_per_day: float = 500.0,
    capacity_units: float = np.inf,
) -> pd.DataFrame:
    """Candidate transfer lanes (product-independent), pruned and cut by the service limit.

    stores: store_id, latitude, longitude (+ zone_id, or pass `store_zones`).
    zones: zone_id, rate_per_km, lead_time_days (from `zone_rates`).
    rate_per_km: if given, one rate for every lane instead of the zones' rates.
    Pruning: `k_nearest` keeps i -> j when j is among i's k nearest stores or i among j's
    (symmetric, found with a haversine BallTree: memory O(n k), never n^2);
    `same_zone_only` keeps lanes inside one shipping zone (memory O(sum of zone sizes^2));
    both: lanes that pass both rules; neither: every ordered pair (the unpruned network).
    Service limit: lanes whose lead time exceeds `max_lead_time_days` are dropped.
    capacity_units: per lane and product (inf = unlimited).
    Returns from_store, to_store, distance_km, cost_per_unit, lead_time_days, capacity_units,
    from_zone, to_zone, sorted by from_store, to_store.
    """
    if handling_cost < 0 or speed_km_per_day <= 0 or (rate_per_km is not None and rate_per_km < 0):
        raise ValueError("candidate_lanes needs handling_cost >= 0, rate_per_km >= 0, speed > 0")
    table = _store_table(stores, zones, store_zones)
    n = len(table)
    zone = table["zone_id"].to_numpy()
    if n < 2:
        src = dst = np.zeros(0, dtype=np.int64)
    elif k_nearest is not None:
        if k_nearest < 1:
            raise ValueError("k_nearest must be >= 1 (or None for no k-nearest pruning)")
        k = min(int(k_nearest), n - 1)
        coords = np.radians(table[["latitude", "longitude"]].to_numpy(np.float64))
        _, nbr = BallTree(coords, metric="haversine").query(coords, k=k + 1)
        src = np.repeat(np.arange(n), k + 1)
        dst = nbr.ravel()
        keep = src != dst
        src, dst = src[keep], dst[keep]
        pairs = np.unique(
            np.concatenate([src * n + dst, dst * n + src]).astype(np.int64)
        )  # symmetric closure
        src, dst = pairs // n, pairs % n
        if same_zone_only:
            keep = zone[src] == zone[dst]
            src, dst = src[keep], dst[keep]
    elif same_zone_only:
        parts_s, parts_d = [], []
        for z in np.unique(zone):
            members = np.flatnonzero(zone == z)
            s, d = np.meshgrid(members, members, indexing="ij")
            keep = s != d
            parts_s.append(s[keep])
            parts_d.append(d[keep])
        src, dst = np.concatenate(parts_s), np.concatenate(parts_d)
    else:
        s, d = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        keep = s != d
        src, dst = s[keep], d[keep]
    dist, cost, lead = lane_terms(src, dst, table, rate_per_km, handling_cost, speed_km_per_day)
    lanes = pd.DataFrame(
        {
            "from_store": table["store_id"].to_numpy()[src],
            "to_store": table["store_id"].to_numpy()[dst],
            "distance_km": dist,
            "cost_per_unit": cost,
            "lead_time_days": lead,
            "capacity_units": np.full(len(src), float(capacity_units)),
            "from_zone": zone[src],
            "to_zone": zone[dst],
        }
    )
    if max_lead_time_days is not None:
        lanes = lanes[lanes["lead_time_days"] <= max_lead_time_days]
    return lanes.sort_values(["from_store", "to_store"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class LaneSettings:
    """Every setting of the transfer network in one place (defaults used by the benchmark)."""

    n_zones: int = 18
    seed: int = 0
    base_rate_per_km: float = 0.01
    handling_cost: float = 0.05
    base_lead_time_days: float = 1.0
    speed_km_per_day: float = 500.0
    remote_surcharge: float = 0.5
    k_nearest: int | None = 150
    same_zone_only: bool = False
    max_lead_time_days: float | None = 2.0
    capacity_units: float = np.inf

    def zone_rate_options(self) -> dict[str, Any]:
        """The keyword arguments of zone_rates, from these settings."""
        return {name: getattr(self, name) for name in _ZONE_RATE_OPTIONS}

    def lane_options(self) -> dict[str, Any]:
        """The keyword arguments of candidate_lanes, from these settings (store_zones apart)."""
        return {name: getattr(self, name) for name in _CANDIDATE_LANE_OPTIONS}


# the LaneSettings fields each step of the network takes, under the same names
_ZONE_RATE_OPTIONS = (
    "base_rate_per_km",
    "base_lead_time_days",
    "speed_km_per_day",
    "remote_surcharge",
)
_CANDIDATE_LANE_OPTIONS = (
    "handling_cost",
    "k_nearest",
    "same_zone_only",
    "max_lead_time_days",
    "speed_km_per_day",
    "capacity_units",
)


def build_zones(
    stores: pd.DataFrame, settings: LaneSettings = LaneSettings()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """shipping_zones -> zone_rates with one settings object. Returns (store_zones, zones)."""
    store_zones = shipping_zones(stores, settings.n_zones, seed=settings.seed)
    zones = zone_rates(stores, store_zones, **settings.zone_rate_options())
    return store_zones, zones


def build_network(
    stores: pd.DataFrame, settings: LaneSettings = LaneSettings()
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """shipping_zones -> zone_rates -> candidate_lanes with one settings object.

    Returns (store_zones, zones, lanes).
    """
    store_zones, zones = build_zones(stores, settings)
    lanes = candidate_lanes(stores, zones, store_zones=store_zones, **settings.lane_options())
    return store_zones, zones, lanes
