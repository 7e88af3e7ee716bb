"""Operations: the new-input sensor, the weekly schedule, per-run setting overrides."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb

from dagster_defs.assets.imbalance import STEP8_TABLES
from dagster_defs.schedules import build_input_sensor, build_weekly_pipeline
from python_assets.settings import DBT_PROJECT_DIR, WarehouseSettings
from tests.conftest import BuiltWarehouse


def test_sensor_requests_a_run_only_when_input_files_change(tmp_path) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    sensor = build_input_sensor(
        WarehouseSettings(duckdb_path=tmp_path / "w.duckdb", dataset="files", input_dir=folder)
    )
    assert isinstance(sensor(dg.build_sensor_context()), dg.SkipReason)  # nothing there yet
    (folder / "stores.csv").write_text("store_id,city,region,latitude,longitude\n")
    first = sensor(dg.build_sensor_context())
    assert isinstance(first, dg.RunRequest)
    assert isinstance(sensor(dg.build_sensor_context(cursor=first.run_key)), dg.SkipReason)
    (folder / "sales_daily.parquet").write_bytes(b"new file")
    again = sensor(dg.build_sensor_context(cursor=first.run_key))
    assert isinstance(again, dg.RunRequest) and again.run_key != first.run_key


def test_the_sensors_first_tick_starts_no_run_for_inputs_the_warehouse_was_built_from(
    tmp_path,
) -> None:
    folder, warehouse = tmp_path / "inputs", tmp_path / "w.duckdb"
    folder.mkdir()
    (folder / "stores.csv").write_text("store_id,city,region,latitude,longitude\n")
    os.utime(folder / "stores.csv", (1_000_000_000, 1_000_000_000))
    warehouse.write_bytes(b"built after the inputs")
    sensor = build_input_sensor(
        WarehouseSettings(duckdb_path=warehouse, dataset="files", input_dir=folder)
    )
    context = dg.build_sensor_context()
    skipped = sensor(context)
    assert isinstance(skipped, dg.SkipReason) and "first tick" in skipped.skip_message
    assert isinstance(sensor(dg.build_sensor_context(cursor=context.cursor)), dg.SkipReason)
    (folder / "stores.csv").write_text("store_id,city,region,latitude,longitude\nS1,a,b,0,0\n")
    assert isinstance(sensor(dg.build_sensor_context(cursor=context.cursor)), dg.RunRequest)
    # inputs newer than the warehouse: the first tick starts a run
    os.utime(warehouse, (1_000_000_000 - 10, 1_000_000_000 - 10))
    assert isinstance(sensor(dg.build_sensor_context()), dg.RunRequest)


def test_the_sensor_does_not_watch_the_demos_inputs_which_each_run_writes(tmp_path) -> None:
    settings = WarehouseSettings(duckdb_path=tmp_path / "w.duckdb", dataset="demo")
    folder = settings.resolved_input_dir
    folder.mkdir(parents=True)
    (folder / "stores.csv").write_text("store_id,city,region,latitude,longitude\n")
    skipped = build_input_sensor(settings)(dg.build_sensor_context())
    assert isinstance(skipped, dg.SkipReason) and "DATASET=demo" in skipped.skip_message


def test_weekly_schedule_runs_the_whole_pipeline_over_every_plan_partition(tmp_path) -> None:
    settings = WarehouseSettings(duckdb_path=tmp_path / "w.duckdb", plan_partitions=3)
    weekly_pipeline = build_weekly_pipeline(settings)
    assert weekly_pipeline.cron_schedule == "0 5 * * 1"
    assert weekly_pipeline.job_name == "whole_pipeline"
    with dg.build_schedule_context() as context:
        (request,) = weekly_pipeline.evaluate_tick(context).run_requests
    assert request.tags["dagster/asset_partition_range_start"] == "shard-1-of-3"
    assert request.tags["dagster/asset_partition_range_end"] == "shard-3-of-3"


def _run(settings: WarehouseSettings, keys: list[dg.AssetKey]) -> dg.ExecuteInProcessResult:
    """The assets `keys` in one run."""
    from dagster_defs.definitions import build_definitions

    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(asset_selection=keys, raise_on_error=False)


def test_a_runs_overrides_reach_sql_dbt_python_models_and_the_export(
    built_warehouse: BuiltWarehouse, tmp_path
) -> None:
    copy = tmp_path / "override.duckdb"
    shutil.copy(built_warehouse.settings.duckdb_path, copy)
    clusters = "select max(chosen_k) from intermediate.int_store_clusters_fitted"
    flagged = "select count(*), max(zscore_threshold) from intermediate.int_store_subcategory_zscores where imbalance_flag in ('over', 'under')"
    with duckdb.connect(str(copy), read_only=True) as con:
        k_before = con.execute(clusters).fetchone()[0]
        flagged_before, threshold_before = con.execute(flagged).fetchone()
    k = 3 if k_before != 3 else 2
    overrides = {"cluster_k_min": k, "cluster_k_max": k, "zscore_threshold": 1, "export_csv": True}
    settings = replace(built_warehouse.settings, duckdb_path=copy, setting_overrides=overrides)
    steps = [["intermediate", t] for t in ("int_settings_resolved", "int_store_clusters_fitted")]
    steps += [["intermediate", "int_store_subcategory_zscores"], ["exports", "step8_csv"]]
    result = _run(settings, [dg.AssetKey(s) for s in steps])
    assert result.success
    with duckdb.connect(str(copy), read_only=True) as con:
        assert con.execute(clusters).fetchone()[0] == k != k_before  # a dbt Python model
        flagged_after, threshold = con.execute(flagged).fetchone()  # a SQL model
        resolved = con.execute(
            "select setting, value from intermediate.int_settings_resolved where source = 'override'"
        ).fetchall()
    assert (threshold_before, threshold) == (2.0, 1.0) and flagged_after > flagged_before
    assert dict(resolved) == {
        "cluster_k_min": str(k), "cluster_k_max": str(k), "zscore_threshold": "1.0", "export_csv": "true"
    }  # fmt: skip
    exported = sorted(p.name for p in (tmp_path / "exports" / "step8").iterdir())
    assert exported == sorted(f"{t}.csv" for t in STEP8_TABLES)

    # a step run without the settings model refuses overrides it would not see, naming them
    unseen = replace(settings, setting_overrides={"export_csv": False})
    failed = _run(unseen, [dg.AssetKey(["exports", "step8_csv"])])
    assert not failed.success
    message = failed.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert "setting_overrides cluster_k_max, cluster_k_min, export_csv, zscore_threshold" in message


def test_ui_code_location_loads_without_the_venv_on_path(tmp_path) -> None:
    """`make ui` runs `dagster dev` with the venv's dagster but the user's PATH: the code
    location (which re-parses the dbt project under `dagster dev`) must load all the same."""
    venv_bin = Path(sys.executable).parent
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DAGSTER_HOME": str(tmp_path),
        "DAGSTER_IS_DEV_CLI": "1",
        "DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
        **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"},
    }
    assert shutil.which("dbt", path=env["PATH"]) is None
    done = subprocess.run(
        [str(venv_bin / "dagster"), "definitions", "validate", "-m", "dagster_defs"],
        cwd=DBT_PROJECT_DIR.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
