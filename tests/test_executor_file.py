"""STEP_EXECUTOR_FILE: the executor `make run` runs its steps with, named in a settings file
(dagster_defs/run.py), and a clear message for a file that does not name one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from dagster_defs import run
from python_assets import run_lock


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "executor.yaml"
    path.write_text(text)
    return path


def test_the_file_names_the_executor_the_pipeline_job_runs_with(tmp_path: Path, monkeypatch):
    path = _file(tmp_path, "executor: dagster.in_process_executor\nconfig:\n  retries: {}\n")
    assert run.executor_from_file(path) == (dg.in_process_executor, {"retries": {}})
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("STEP_EXECUTOR_FILE", str(path))
    assert run.pipeline_job().executor_def is dg.in_process_executor
    monkeypatch.delenv("STEP_EXECUTOR_FILE")
    assert run.pipeline_job().executor_def is run.MULTIPROCESS


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("config: {}\n", "needs a key 'executor'"),
        ("executor: [a, b]\n", "needs a key 'executor'"),
        ("executor: dagster_k8s.k8s_job_executor\n", "No module named 'dagster_k8s'.*install"),
        ("executor: dagster.asset\n", "'dagster.asset' is not a Dagster executor"),
        ("executor: dagster.no_such_executor\n", "is not a Dagster executor"),
        ("executor: dagster.multiprocess_executor\nconfig: 2\n", "'config' must be a mapping"),
        ("executor: [\n", "while parsing"),
    ],
)
def test_a_file_that_names_no_executor_is_refused_naming_the_file(tmp_path, text, message):
    path = _file(tmp_path, text)
    with pytest.raises(run.ExecutorFileError, match=message) as error:
        run.executor_from_file(path)
    assert str(error.value).startswith(f"STEP_EXECUTOR_FILE {path}: ")


def test_make_run_stops_before_the_run_on_a_bad_executor_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("STEP_EXECUTOR_FILE", str(tmp_path / "missing.yaml"))
    assert run.main() == 1
    assert (
        f"Run settings: STEP_EXECUTOR_FILE {tmp_path / 'missing.yaml'}: " in capsys.readouterr().err
    )
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_the_records_monitoring_and_replay_wait_for_every_other_ready_step(
    tmp_path: Path, monkeypatch
):
    """With more steps ready than step processes, the multiprocess executor starts the ready
    step of highest `dagster/priority` first: the run's records, dbt's monitoring layer and the
    policy replay come after the others (the replay is ready with the final forecast and drift,
    forecast_history with the plan's last dbt layer)."""
    from dagster._core.execution.api import create_execution_plan

    monkeypatch.setenv("DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    plan = create_execution_plan(run.pipeline_job())
    priority = {
        step.key: int(step.tags.get("dagster/priority", 0))
        for step in plan.get_all_steps_in_topo_order()
    }
    later = {"forecasting__forecast_history", "plan_history", "dbt_monitoring", "policy_replay"}
    assert {key for key, value in priority.items() if value < 0} == later
    assert all(priority[key] == 0 for key in priority.keys() - later)


STEP_SERVER_SCRIPT = """
import multiprocessing.forkserver, os, time
from dagster_defs.step_server import start_step_server
from python_assets import run_lock
from python_assets.settings import WarehouseSettings

started = start_step_server(WarehouseSettings.from_env())
server = multiprocessing.forkserver._forkserver._forkserver_pid
# the server is forked, then runs the forkserver's own program; until then /proc shows the
# environment this process was started with, so wait for it (a loaded machine is slow to)
deadline = time.monotonic() + 60
while started and time.monotonic() < deadline:
    if b"forkserver" in open(f"/proc/{server}/cmdline", "rb").read():
        break
    time.sleep(0.05)
environ = open(f"/proc/{server}/environ", "rb").read().split(b"\\0") if started else []
mark = f"{run_lock.OWNER_ENV}={os.environ['DUCKDB_PATH']}".encode()
print(started, mark in environ, run_lock.OWNER_ENV in os.environ)
"""


@pytest.mark.parametrize(
    ("step_processes", "expected"), [("2", "True True False"), ("1", "False False False")]
)
def test_the_step_server_started_before_the_run_carries_the_runs_mark(
    tmp_path: Path, step_processes: str, expected: str
):
    """`python -m dagster_defs` starts the step server before the run takes its lock; the step
    processes inherit the server's environment, so it carries the mark of the run that owns the
    warehouse, and this process does not until it owns it. One step at a time needs no server."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"STEP_EXECUTOR_FILE", run_lock.OWNER_ENV}
    }
    env |= {"DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"), "STEP_PROCESSES": step_processes}
    result = subprocess.run(
        [sys.executable, "-c", STEP_SERVER_SCRIPT],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == expected.split()
