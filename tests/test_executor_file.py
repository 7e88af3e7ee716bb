"""STEP_EXECUTOR_FILE: the executor `make run` runs its steps with, named in a settings file
(dagster_defs/run.py), and a clear message for a file that does not name one."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from dagster_defs import run


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
