"""A reduced FreshRetailNet-50K run (three small cities) through every stage of the graph."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from python_assets.settings import DEFAULT_FRN_PATH, WarehouseSettings
from tests.conftest import materialize_everything

FRN_PATH = Path(os.environ.get("FRN_PATH", DEFAULT_FRN_PATH))
SMALL_CITIES = (8, 9, 17)  # 14 stores, 6% of a city's worth of rows: quick, still several stores
# marts that stay empty on this dataset by design: FreshRetailNet has no customer ids and no
# record of executed transfers, and a first run has no earlier forecast for sales to score
EMPTY_BY_DESIGN = {
    "forecast_monitoring",
    "customer_segments",
    "customer_segment_profiles",
    "kpi_transfer_completion_store",
    "kpi_transfer_completion_region",
}


@pytest.mark.skipif(
    not FRN_PATH.exists(),
    reason=f"FreshRetailNet-50K not found at {FRN_PATH}: it lives beside the project in ../shared (set FRN_PATH), never in the repo",
)
def test_reduced_freshretailnet_run_fills_every_mart(tmp_path, env_guard) -> None:
    from dagster_defs.assets.dbt import mart_keys
    from dagster_defs.definitions import build_definitions

    settings = WarehouseSettings(
        duckdb_path=tmp_path / "warehouse.duckdb",
        dataset="freshretailnet",
        frn_path=str(FRN_PATH),
        frn_city_ids=SMALL_CITIES,
    )
    result = materialize_everything(build_definitions(settings))
    assert result.success
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' and table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        rows = {m: con.execute(f"select count(*) from marts.{m}").fetchone()[0] for m in marts}
        stores = con.execute(
            "select count(*), bool_and(is_location_assumed) from marts.dim_stores"
        ).fetchone()
        simulated = con.execute(
            "select count(*) from marts.dataset_assumptions where topic ilike '%inventory%'"
        ).fetchone()[0]
    assert set(marts) == {key.path[1] for key in mart_keys()}
    assert {m for m, n in rows.items() if n == 0} == EMPTY_BY_DESIGN
    assert stores == (14, True) and simulated >= 1
    assert (settings.duckdb_path.parent / "reports" / "rebalancing_report.html").read_text().count(
        "FreshRetailNet-50K"
    ) >= 1
