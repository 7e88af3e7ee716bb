"""Derived store locations: FreshRetailNet names only anonymous cities, so city centres and
stores are placed deterministically in an assumed box, and cities grouped into regions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from python_assets.inputs.freshretailnet.assumptions import FreshRetailNetAssumptions
from python_assets.inputs.freshretailnet.draws import uniform

KM_PER_DEGREE_LAT = 111.32


def city_centres(
    city_ids: Sequence[int] | np.ndarray, assumptions: FreshRetailNetAssumptions
) -> tuple[np.ndarray, np.ndarray]:
    """Assumed (latitude, longitude) of each city centre, uniform in the assumed bounding box."""
    ids = np.asarray(city_ids, dtype=np.int64)
    lat_lo, lat_hi = assumptions.latitude_range
    lon_lo, lon_hi = assumptions.longitude_range
    lat = lat_lo + (lat_hi - lat_lo) * uniform(assumptions.seed, "city.lat", ids)
    lon = lon_lo + (lon_hi - lon_lo) * uniform(assumptions.seed, "city.lon", ids)
    return lat, lon


def region_of_latitude(latitude: np.ndarray, assumptions: FreshRetailNetAssumptions) -> np.ndarray:
    """region_1 .. region_n: equal-width latitude bands of the box, numbered from the north."""
    lat_lo, lat_hi = assumptions.latitude_range
    band = np.floor((lat_hi - np.asarray(latitude)) / (lat_hi - lat_lo) * assumptions.n_regions)
    band = np.clip(band, 0, assumptions.n_regions - 1).astype(np.int64)
    return np.array([f"region_{b + 1}" for b in band], dtype=object)


def store_coordinates(
    store_ids: np.ndarray, city_lat: np.ndarray, city_lon: np.ndarray, a: FreshRetailNetAssumptions
) -> tuple[np.ndarray, np.ndarray]:
    # sqrt makes the points uniform over the disc's area, not bunched at the centre
    dist_km = a.store_jitter_km * np.sqrt(uniform(a.seed, "store.radius", store_ids))
    bearing = 2.0 * np.pi * uniform(a.seed, "store.bearing", store_ids)
    lat = city_lat + dist_km * np.cos(bearing) / KM_PER_DEGREE_LAT
    lon = city_lon + dist_km * np.sin(bearing) / (KM_PER_DEGREE_LAT * np.cos(np.radians(city_lat)))
    return lat, lon


def stores_frame(series: pd.DataFrame, a: FreshRetailNetAssumptions) -> pd.DataFrame:
    stores = series[["store_id", "city_id"]].drop_duplicates("store_id").sort_values("store_id")
    store_ids = stores["store_id"].to_numpy(np.int64)
    city_ids = stores["city_id"].to_numpy(np.int64)
    city_lat, city_lon = city_centres(city_ids, a)
    lat, lon = store_coordinates(store_ids, city_lat, city_lon, a)
    return pd.DataFrame(
        {
            "store_int": store_ids,
            "store_id": [str(s) for s in store_ids],
            "city": [f"city_{c}" for c in city_ids],
            "region": region_of_latitude(city_lat, a),
            "latitude": lat,
            "longitude": lon,
            "store_name": [
                f"Store {s} (city_{c})" for s, c in zip(store_ids, city_ids, strict=True)
            ],
        }
    )
