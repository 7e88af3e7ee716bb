"""The demo store network: regions of real US city centres, store formats (archetypes),
coordinates, volumes and names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from python_assets.inputs.demo.files import date32
from python_assets.inputs.demo.parameters import DemoSize

# fmt: off
# (region, ((city, latitude, longitude), ...)) - US metro centres, so distances are real.
REGIONS: tuple[tuple[str, tuple[tuple[str, float, float], ...]], ...] = (
    ("Northeast", (("New York", 40.7128, -74.0060), ("Boston", 42.3601, -71.0589), ("Philadelphia", 39.9526, -75.1652))),
    ("Midwest", (("Chicago", 41.8781, -87.6298), ("Detroit", 42.3314, -83.0458), ("Minneapolis", 44.9778, -93.2650))),
    ("Southeast", (("Atlanta", 33.7490, -84.3880), ("Charlotte", 35.2271, -80.8431), ("Nashville", 36.1627, -86.7816))),
    ("Texas", (("Dallas", 32.7767, -96.7970), ("Houston", 29.7604, -95.3698), ("Austin", 30.2672, -97.7431))),
    ("West Coast", (("Los Angeles", 34.0522, -118.2437), ("San Francisco", 37.7749, -122.4194), ("San Diego", 32.7157, -117.1611))),
    ("Mountain", (("Denver", 39.7392, -104.9903), ("Salt Lake City", 40.7608, -111.8910), ("Phoenix", 33.4484, -112.0740))),
    ("Pacific Northwest", (("Seattle", 47.6062, -122.3321), ("Portland", 45.5152, -122.6784), ("Spokane", 47.6588, -117.4260))),
    ("Florida", (("Miami", 25.7617, -80.1918), ("Orlando", 28.5383, -81.3792), ("Tampa", 27.9506, -82.4572))),
)
# fmt: on


@dataclass(frozen=True)
class Archetype:
    format: str
    volume: float  # demand scale relative to a supermarket
    assortment_share: float  # share of the catalogue a store of this format carries
    stockout_rate: float  # base probability of a stockout day per store x product
    jitter_km: float  # spread of stores around the city centre (express = central)
    weekly: tuple[float, ...]  # Monday..Sunday demand profile
    style_affinity: tuple[float, float, float, float]  # value, standard, premium, organic


# fmt: off
ARCHETYPES: dict[str, Archetype] = {
    "supermarket": Archetype("supermarket", 1.0, 0.85, 0.030, 7.0, (0.88, 0.85, 0.90, 0.95, 1.12, 1.35, 0.95), (1.0, 1.0, 1.0, 1.0)),
    "express": Archetype("express", 0.4, 0.72, 0.050, 3.0, (1.08, 1.06, 1.08, 1.10, 1.12, 0.85, 0.71), (0.7, 1.0, 1.3, 0.9)),
    "hypermarket": Archetype("hypermarket", 2.4, 0.92, 0.025, 12.0, (0.80, 0.78, 0.82, 0.90, 1.15, 1.55, 1.00), (1.1, 1.0, 0.9, 1.0)),
    "discounter": Archetype("discounter", 1.4, 0.75, 0.040, 9.0, (0.95, 0.90, 0.92, 0.98, 1.15, 1.30, 0.80), (1.8, 1.0, 0.4, 0.6)),
}
# fmt: on
# Archetypes in the order they are added as the network grows, with their share of stores.
_ARCHETYPE_MIX: dict[int, tuple[tuple[str, float], ...]] = {
    2: (("supermarket", 2 / 3), ("express", 1 / 3)),
    3: (("supermarket", 0.45), ("express", 0.30), ("hypermarket", 0.25)),
    4: (("supermarket", 0.35), ("express", 0.25), ("hypermarket", 0.20), ("discounter", 0.20)),
}


def largest_remainder(total: int, shares: Sequence[float]) -> np.ndarray:
    """Split total into integer counts proportional to shares, summing exactly to total."""
    raw = np.asarray(shares, dtype=float) / sum(shares) * total
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: total - counts.sum()]] += 1
    return counts


@dataclass(frozen=True)
class Stores:
    archetype: np.ndarray  # index into archetype_names
    archetype_names: tuple[str, ...]
    region: np.ndarray  # index into region_names
    region_names: tuple[str, ...]
    city: tuple[str, ...]
    latitude: np.ndarray
    longitude: np.ndarray
    volume: np.ndarray
    opened_on: np.ndarray  # epoch days
    name: tuple[str, ...]


def build_stores(size: DemoSize, rng: np.random.Generator, start_epoch: int) -> Stores:
    if not 1 <= size.n_regions <= len(REGIONS):
        raise ValueError(f"n_regions must be 1..{len(REGIONS)}, got {size.n_regions}")
    n_archetypes = 2 if size.n_stores < 24 else 3 if size.n_stores < 120 else 4
    mix = _ARCHETYPE_MIX[n_archetypes]
    counts = largest_remainder(size.n_stores, [share for _, share in mix])
    archetype_of = np.repeat(np.arange(n_archetypes), counts)
    # Round-robin regions and cities across the whole list so each region gets every format.
    region_of = np.arange(size.n_stores) % size.n_regions
    per_region_seq = np.zeros(size.n_stores, dtype=int)
    for r in range(size.n_regions):
        members = np.flatnonzero(region_of == r)
        per_region_seq[members] = np.arange(members.size)
    city_of = per_region_seq % 3
    # Store ids run by region, city and format, which is how a chain would number them.
    order = np.lexsort((archetype_of, city_of, region_of))
    archetype_of, region_of, city_of = archetype_of[order], region_of[order], city_of[order]

    centres = np.array(
        [
            [REGIONS[r][1][c][1], REGIONS[r][1][c][2]]
            for r, c in zip(region_of, city_of, strict=True)
        ]
    )
    jitter_km = np.array([ARCHETYPES[mix[a][0]].jitter_km for a in archetype_of])
    north_km = rng.normal(0.0, 1.0, size.n_stores) * jitter_km
    east_km = rng.normal(0.0, 1.0, size.n_stores) * jitter_km
    latitude = np.round(centres[:, 0] + north_km / 111.0, 5)
    longitude = np.round(centres[:, 1] + east_km / (111.0 * np.cos(np.radians(centres[:, 0]))), 5)

    format_volume = np.array([ARCHETYPES[mix[a][0]].volume for a in archetype_of])
    volume = format_volume * rng.lognormal(0.0, 0.25, size.n_stores)
    opened_on = start_epoch - rng.integers(365, 365 * 30, size.n_stores)

    cities = tuple(REGIONS[r][1][c][0] for r, c in zip(region_of, city_of, strict=True))
    names: list[str] = []
    seen: dict[tuple[str, int], int] = {}
    for city, a in zip(cities, archetype_of, strict=True):
        seen[(city, a)] = seen.get((city, a), 0) + 1
        names.append(f"{city} {mix[a][0].title()} {seen[(city, a)]}")
    return Stores(
        archetype=archetype_of,
        archetype_names=tuple(name for name, _ in mix),
        region=region_of,
        region_names=tuple(REGIONS[r][0] for r in range(size.n_regions)),
        city=cities,
        latitude=latitude,
        longitude=longitude,
        volume=volume,
        opened_on=opened_on,
        name=tuple(names),
    )


def store_columns(
    stores: Stores, store_ids: pa.Array, capacity: np.ndarray
) -> dict[str, pa.Array | np.ndarray]:
    """The stores table: one row per store."""
    return {
        "store_id": store_ids,
        "city": pa.array(stores.city),
        "region": pa.array([stores.region_names[r] for r in stores.region]),
        "latitude": stores.latitude,
        "longitude": stores.longitude,
        "store_name": pa.array(stores.name),
        "storage_capacity_units": capacity,
        "format": pa.array([stores.archetype_names[a] for a in stores.archetype]),
        "opened_on": date32(stores.opened_on),
    }
