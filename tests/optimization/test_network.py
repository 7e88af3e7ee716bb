"""Transfer network: haversine distance, K-means shipping zones and their rates, candidate lanes
(pruning and the service limit)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2
import numpy as np
import pandas as pd
import pytest
import yaml

from python_assets.optimization import candidate_lanes, haversine_km, shipping_zones, zone_rates
from python_assets.optimization.synthetic import synthetic_instance

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_haversine_known_distance_and_vectorised():
    d = haversine_km([51.5074, 0.0], [-0.1278, 0.0], [48.8566, 0.0], [2.3522, 1.0])
    assert d.shape == (2,)
    assert d[0] == pytest.approx(343.6, abs=1.0)  # London - Paris
    assert d[1] == pytest.approx(111.19, abs=0.1)  # one degree of longitude at the equator
    assert haversine_km(10.0, 20.0, 10.0, 20.0) == pytest.approx(0.0)


def two_city_stores() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    lat = np.r_[45.0 + rng.normal(0, 0.05, 6), 48.0 + rng.normal(0, 0.05, 6)]
    lon = np.r_[4.0 + rng.normal(0, 0.05, 6), 2.0 + rng.normal(0, 0.05, 6)]
    return pd.DataFrame(
        {"store_id": [f"S{i:02d}" for i in range(12)], "latitude": lat, "longitude": lon}
    )


def test_shipping_zones_are_stable_and_rates_follow_the_rule():
    stores = two_city_stores()
    z1 = shipping_zones(stores, 2, seed=0)
    z2 = shipping_zones(stores.sample(frac=1.0, random_state=1), 2, seed=0)
    assert z1.set_index("store_id")["zone_id"].equals(
        z2.set_index("store_id")["zone_id"].reindex(z1["store_id"])
    )
    # zone 0 is the northern city
    assert set(z1.loc[z1["store_id"].isin([f"S{i:02d}" for i in range(6, 12)]), "zone_id"]) == {0}
    zones = zone_rates(stores, z1, base_rate_per_km=0.01, remote_surcharge=0.5)
    assert zones["rate_per_km"].between(0.01, 0.015).all()
    assert (zones["lead_time_days"] >= 1.0).all()


def test_candidate_lanes_pruning_and_service_limit():
    stores = two_city_stores()
    z = shipping_zones(stores, 2)
    zones = zone_rates(stores, z)
    full = candidate_lanes(stores, zones, store_zones=z)
    assert len(full) == 12 * 11
    same = candidate_lanes(stores, zones, same_zone_only=True, store_zones=z)
    assert len(same) == 2 * 6 * 5 and (same["from_zone"] == same["to_zone"]).all()
    knn = candidate_lanes(stores, zones, k_nearest=2, store_zones=z)
    pairs = set(zip(knn["from_store"], knn["to_store"], strict=True))
    assert all((b, a) in pairs for a, b in pairs)  # symmetric
    assert len(knn) <= 2 * 12 * 2
    # the cost rule: handling + max zone rate x km; lead time: max zone lead time + km / speed
    r = full.iloc[0]
    rates = zones.set_index("zone_id")["rate_per_km"]
    assert r["cost_per_unit"] == pytest.approx(
        0.05 + max(rates[r["from_zone"]], rates[r["to_zone"]]) * r["distance_km"]
    )
    # service limit: the ~340 km lanes between the cities take > 1.5 days
    limited = candidate_lanes(stores, zones, max_lead_time_days=1.5, store_zones=z)
    assert (limited["lead_time_days"] <= 1.5).all()
    assert (limited["from_zone"] == limited["to_zone"]).all() and len(limited) == len(same)


def test_k_nearest_lanes_are_linear_in_stores():
    inst = synthetic_instance(898, 20, 200, seed=1)
    z = shipping_zones(inst.stores, 18)
    lanes = candidate_lanes(inst.stores, zone_rates(inst.stores, z), k_nearest=10, store_zones=z)
    assert 898 * 10 <= len(lanes) <= 2 * 898 * 10


def test_a_single_store_has_no_lanes_and_the_lanes_mart_is_still_typed():
    """One store: no lanes. The mart's SQL casts every column, so the empty set carries the
    contract's types (the Python model's empty id columns reach DuckDB untyped)."""
    stores = two_city_stores().iloc[:1]
    z = shipping_zones(stores, 2)
    lanes = candidate_lanes(stores, zone_rates(stores, z), store_zones=z)
    assert lanes.empty
    models = REPO_ROOT / "dbt_project/models/marts/optimization"
    spec = yaml.safe_load((models / "_optimization__models.yml").read_text())["models"]
    contract = next(m for m in spec if m["name"] == "allocation_inputs_lanes")["columns"]
    sql = jinja2.Template((models / "allocation_inputs_lanes.sql").read_text()).render(
        ref=lambda name: name
    )
    con = duckdb.connect()
    con.register("lanes", lanes)
    con.execute("create table int_candidate_lanes as select * from lanes")  # as dbt-duckdb does
    typed = con.execute(f"describe {sql}").fetchall()
    assert [(name, data_type.lower()) for name, data_type, *_ in typed] == [
        (c["name"], c["data_type"]) for c in contract
    ]
