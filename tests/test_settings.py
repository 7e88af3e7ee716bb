"""The run settings: one declaration per field, read from the environment and from Dagster config
alike, no process environment written on the way; seed settings and overrides checked against
their type and range, and an override never becomes SQL text."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_defs.resources import WarehouseSettingsResource
from python_assets.seed_settings import SettingsError, validate_settings
from python_assets.settings import DBT_PROJECT_DIR, SEEDS_DIR, WarehouseSettings


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


INJECTION = "2' as double) + (select count(*) from read_text('/etc/hostname')) - cast('0"


@pytest.fixture
def seeds(tmp_path) -> Path:
    """A copy of seeds/ a test may break."""
    return Path(shutil.copytree(SEEDS_DIR, tmp_path / "seeds"))


def _edit(seeds: Path, seed: str, old: str, new: str) -> None:
    path = seeds / f"{seed}.csv"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _problems(seeds: Path, overrides: dict | None = None) -> list[str]:
    with pytest.raises(SettingsError) as raised:
        validate_settings(overrides or {}, seeds)
    return raised.value.problems


def test_the_seeds_are_valid_and_every_setting_has_a_rule() -> None:
    assert validate_settings({}) == {}


def test_overrides_accept_numbers_and_booleans_unquoted_and_leave_as_canonical_text() -> None:
    overrides = {"zscore_threshold": 2.5, "cluster_k_max": 3, "export_csv": True}
    overrides |= {
        "cluster_mode": "subcategory",
        "lane_capacity_units": "",
        "blend_recent_weeks": "6",
        "forecast_guardrail_severity": "warn",
    }
    assert validate_settings(overrides) == {
        "zscore_threshold": "2.5",
        "cluster_k_max": "3",
        "export_csv": "true",
        "cluster_mode": "subcategory",
        "lane_capacity_units": None,
        "blend_recent_weeks": "6",
        "forecast_guardrail_severity": "warn",
    }


@pytest.mark.parametrize(
    ("seed", "old", "new", "problem"),
    [
        ("rule_settings", "zscore_threshold,2.0", "zscore_threshold,-1",
         "seeds/rule_settings.csv row zscore_threshold: -1 is not > 0"),
        ("rule_settings", "zscore_threshold,2.0", "zscore_threshold,0",
         "seeds/rule_settings.csv row zscore_threshold: 0 is not > 0"),
        ("service_levels", "0.99,2.3263", "1.5,2.3263",
         "seeds/service_levels.csv row 1.5, column service_level: 1.5 is not (0, 1)"),
        ("service_levels", "0.90,1.2816", "0,1.2816",
         "seeds/service_levels.csv row 0, column service_level: 0 is not (0, 1)"),
        ("cost_parameters", "stockout_penalty_per_unit,2.50", "stockout_penalty_per_unit,-2.50",
         "seeds/cost_parameters.csv row stockout_penalty_per_unit: -2.50 is not >= 0"),
        ("network_settings", "base_rate_per_km,0.01", "base_rate_per_km,-0.01",
         "seeds/network_settings.csv row base_rate_per_km: -0.01 is not >= 0"),
        ("scenario_grid", "demand_minus_20,Demand 20% below forecast,0.8", "demand_minus_20,Demand 20% below forecast,-1",
         "seeds/scenario_grid.csv row demand_minus_20, column demand_multiplier: -1 is not > 0"),
        ("scenario_grid", "demand_minus_20,Demand 20% below forecast,0.8", "demand_minus_20,Demand 20% below forecast,0",
         "seeds/scenario_grid.csv row demand_minus_20, column demand_multiplier: 0 is not > 0"),
        ("rule_settings", "export_csv,false", "export_csv,maybe",
         "seeds/rule_settings.csv row export_csv: 'maybe' is not true or false"),
        ("rule_settings", "cluster_k_max,8", "cluster_k_max,many",
         "seeds/rule_settings.csv row cluster_k_max: 'many' is not a whole number"),
    ],
)  # fmt: skip
def test_an_invalid_seed_value_is_an_error_naming_the_file_and_row(
    seeds: Path, seed: str, old: str, new: str, problem: str
) -> None:
    _edit(seeds, seed, old, new)
    assert _problems(seeds) == [problem]


def test_a_seed_setting_without_a_rule_is_an_error(seeds: Path) -> None:
    _edit(seeds, "cost_parameters", "parameter,value,unit,description\n",
          "parameter,value,unit,description\nnew_cost,1,x,y\n")  # fmt: skip
    assert _problems(seeds) == [
        "seeds/cost_parameters.csv row new_cost: no type or range in seeds/setting_rules.csv "
        "(add a row for it)"
    ]


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"zscore_threshold": -1}, "setting_overrides zscore_threshold: -1 is not > 0"),
        ({"holding_cost_per_unit_day": -0.1},
         "setting_overrides holding_cost_per_unit_day: -0.1 is not >= 0"),
        ({"export_csv": 1}, "setting_overrides export_csv: '1' is not true or false"),
        ({"zscore_treshold": 2}, "setting_overrides: unknown setting 'zscore_treshold'"),
        ({"zscore_threshold": INJECTION}, f"setting_overrides zscore_threshold: {INJECTION!r} is not a number"),
        ({"cluster_mode": INJECTION}, "setting_overrides cluster_mode: "),
        ({"forecast_guardrail_severity": "stop"},
         "setting_overrides forecast_guardrail_severity: 'stop' is not one of block, warn"),
        ({"cluster_k_min": 5, "cluster_k_max": 4},
         "cluster_k_min (5, setting_overrides) is above cluster_k_max (4, setting_overrides)"),
    ],
)  # fmt: skip
def test_an_invalid_override_is_refused_naming_the_setting(
    seeds: Path, overrides: dict, problem: str
) -> None:
    [found] = _problems(seeds, overrides)
    assert found.startswith(problem)


def test_the_resource_refuses_invalid_overrides_before_anything_runs() -> None:
    resource = WarehouseSettingsResource.from_settings(
        WarehouseSettings(setting_overrides={"zscore_threshold": INJECTION})
    )
    with pytest.raises(dg.Failure, match=r"zscore_threshold: .* is not a number"):
        resource.checked_overrides()


def test_an_override_reaches_sql_only_as_a_quoted_value(tmp_path) -> None:
    """Even passed to dbt directly, past the checks, the value stays data: the compiled overrides
    relation holds it verbatim and reads no file."""
    dbt = Path(sys.executable).parent / "dbt"
    dbt_vars = {"duckdb_path": str(tmp_path / "w.duckdb"), "setting_overrides": {"x": INJECTION}}
    done = subprocess.run(
        [str(dbt), "compile", "--quiet", "--inline", "{{ setting_overrides_relation() }}",
         "--vars", json.dumps(dbt_vars), "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(tmp_path / "target")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    with duckdb.connect() as con:
        assert con.execute(done.stdout).fetchall() == [("x", INJECTION)]


def test_every_launchpad_field_has_a_description() -> None:
    from dagster_defs.assets.forecasting import ForecastConfig
    from dagster_defs.assets.optimization import AllocationConfig

    for config in (WarehouseSettingsResource, ForecastConfig, AllocationConfig):
        undescribed = [n for n, f in config.model_fields.items() if not f.description]
        assert not undescribed, f"{config.__name__}: {undescribed}"


def test_processes_default_to_one_per_core_and_refuse_a_negative_count() -> None:
    assert WarehouseSettings().worker_processes == (os.cpu_count() or 1)
    assert WarehouseSettings.from_env({"PROCESSES": "3"}).worker_processes == 3
    with pytest.raises(ValueError, match="PROCESSES must be 0"):
        WarehouseSettings.from_env({"PROCESSES": "-1"})


def test_bad_environment_values_are_refused_up_front_naming_the_variable() -> None:
    with pytest.raises(ValueError, match=r"SETTING_OVERRIDES='\{zscore_threshold: 2.5\}' is not"):
        WarehouseSettings.from_env({"SETTING_OVERRIDES": "{zscore_threshold: 2.5}"})
    with pytest.raises(ValueError, match="PLAN_PARTITIONS='two' is not a valid value"):
        WarehouseSettings.from_env({"PLAN_PARTITIONS": "two"})
    with pytest.raises(
        ValueError, match=r"DEMO_SIZE must be one of \['default', 'large', 'tiny'\]"
    ):
        WarehouseSettings.from_env({"DEMO_SIZE": "huge"})
    with pytest.raises(ValueError, match="DEMO_PROFILE must be one of"):
        WarehouseSettings.from_env({"DEMO_PROFILE": "spiky"})
    # the demo's size and profile do not matter to another dataset
    WarehouseSettings.from_env({"DATASET": "freshretailnet", "DEMO_SIZE": "huge"})


def test_the_hand_off_is_a_folder_or_a_url_a_filesystem_package_reads(tmp_path: Path) -> None:
    assert WarehouseSettings(duckdb_path=tmp_path / "w.duckdb").handoff_dir == tmp_path / "handoff"
    assert (
        WarehouseSettings.from_env(
            {"DUCKDB_PATH": str(tmp_path / "w.duckdb"), "HANDOFF_DIR": "s3://bucket/prefix"}
        ).handoff_dir
        == "s3://bucket/prefix"
    )  # a str: a Path would fold the '//'
    assert WarehouseSettings(handoff_root=str(tmp_path / "h")).handoff_dir == tmp_path / "h"
    with pytest.raises(ValueError, match="HANDOFF_DIR must be absolute or a URL"):
        WarehouseSettings.from_env({"HANDOFF_DIR": "handoff"})
    with pytest.raises(ValueError, match="HANDOFF_DIR foo://x: Protocol not known: foo"):
        WarehouseSettings.from_env({"HANDOFF_DIR": "foo://x"})
    with pytest.raises(ValueError, match=r"HANDOFF_DIR az://c/x: .*adlfs"):
        WarehouseSettings.from_env({"HANDOFF_DIR": "az://c/x"})


def test_launchpad_config_for_some_settings_keeps_the_others_of_the_definitions() -> None:
    """A run's config that gives only setting_overrides (the README's launchpad example) keeps the
    warehouse, dataset and size the definitions were built with (the environment's, under
    `make ui`), not the code's defaults."""
    settings = WarehouseSettings(
        duckdb_path=Path("/tmp/elsewhere/warehouse.duckdb"), dataset="demo", demo_size="tiny"
    )
    seen: list[WarehouseSettings] = []

    @dg.asset
    def reads_settings(warehouse_settings: WarehouseSettingsResource) -> None:
        seen.append(warehouse_settings.settings())

    overrides = {"setting_overrides": {"zscore_threshold": 2.5}}
    result = dg.materialize(
        [reads_settings],
        resources={"warehouse_settings": WarehouseSettingsResource.from_settings(settings)},
        run_config={"resources": {"warehouse_settings": {"config": overrides}}},
    )
    assert result.success
    (used,) = seen
    assert used.duckdb_path == settings.duckdb_path and used.demo_size == "tiny"
    assert used.setting_overrides == {"zscore_threshold": 2.5}
