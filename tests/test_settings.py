"""The run settings: one declaration per field, read from the environment and from Dagster config
alike, and no process environment written on the way."""

from __future__ import annotations

import os
from dataclasses import fields
from pathlib import Path

from dagster_defs.resources import WarehouseSettingsResource
from python_assets.settings import WarehouseSettings


def test_settings_read_from_the_environment_convert_to_each_fields_type() -> None:
    settings = WarehouseSettings.from_env(
        {
            "DUCKDB_PATH": "/tmp/w/warehouse.duckdb",
            "FRN_CITIES": "3, 5",
            "DEMO_SEED": "7",
            "SETTING_OVERRIDES": '{"zscore_threshold": 2.5, "export_csv": true}',
        }
    )
    assert settings.duckdb_path == Path("/tmp/w/warehouse.duckdb")
    assert settings.frn_city_ids == (3, 5) and settings.demo_seed == 7
    assert settings.input_dir is None and settings.dataset == "demo"
    assert settings.setting_overrides == {"zscore_threshold": 2.5, "export_csv": True}


def test_the_resource_has_every_field_once_with_its_description() -> None:
    declared = {f.name for f in fields(WarehouseSettings)}
    config = WarehouseSettingsResource.model_fields
    assert set(config) == declared
    assert all(config[name].description for name in declared)
    settings = WarehouseSettings(
        duckdb_path=Path("/tmp/w/w.duckdb"), frn_city_ids=(1,), setting_overrides={"a": 1}
    )
    assert WarehouseSettingsResource.from_settings(settings).settings() == settings


def test_building_the_definitions_leaves_the_environment_alone(tmp_path, env_guard) -> None:
    from dagster_defs.definitions import build_definitions

    before = dict(os.environ)
    build_definitions(WarehouseSettings(duckdb_path=tmp_path / "w.duckdb"))
    assert dict(os.environ) == before
