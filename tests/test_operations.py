"""Operations: the new-input sensor, the weekly schedule, per-run setting overrides."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_defs.schedules import build_input_sensor, weekly_pipeline
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


def test_weekly_schedule_runs_the_whole_pipeline() -> None:
    assert weekly_pipeline.cron_schedule == "0 5 * * 1"
    assert weekly_pipeline.job_name == "whole_pipeline"


def test_a_run_can_override_a_seed_setting(
    built_warehouse: BuiltWarehouse, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "override.duckdb"
    shutil.copy(built_warehouse.settings.duckdb_path, copy)
    monkeypatch.setenv("DUCKDB_PATH", str(copy))
    flagged = "select count(*), max(zscore_threshold) from intermediate.int_store_subcategory_zscores where imbalance_flag in ('over', 'under')"
    with duckdb.connect(str(copy), read_only=True) as con:
        before, threshold = con.execute(flagged).fetchone()
    # a separate process, as Dagster runs dbt: in-process dbt keeps its DuckDB connection cached
    dbt = Path(sys.executable).parent / "dbt"
    done = subprocess.run(
        [str(dbt), "run", "--select", "int_store_subcategory_zscores", "--vars", '{"zscore_threshold": "1.0"}',
         "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--quiet"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:]
    with duckdb.connect(str(copy), read_only=True) as con:
        after, new_threshold = con.execute(flagged).fetchone()
    assert (threshold, new_threshold) == (2.0, 1.0)
    assert after > before
    assert os.environ["DUCKDB_PATH"] == str(copy)


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
