"""One writer per warehouse: a run holds `<warehouse>.run.lock`, a second run is refused with a
message naming the holder, the lock goes with its holder however it ends, the warehouse held
open elsewhere gives a clear failure, and the Dagster instance queues runs one at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_defs import resources
from dagster_defs.resources import WarehouseSettingsResource, connect_warehouse
from python_assets import run_lock
from python_assets.settings import WarehouseSettings

REPO_ROOT = Path(__file__).resolve().parents[1]

HOLD_LOCK = """
import sys
from pathlib import Path
from python_assets import run_lock
run_lock.acquire(Path(sys.argv[1]))
print("held", flush=True)
sys.stdin.read()  # hold until the test closes stdin
run_lock.release(Path(sys.argv[1]))
"""

HOLD_WAREHOUSE = """
import sys
import duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
sys.stdin.read()
"""

HOLD_OPEN_LOCK = """
import sys
from pathlib import Path
from python_assets import run_lock
with run_lock.open_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
    print("released", flush=True)
"""

TRY_LOCK = """
import sys
from pathlib import Path
from python_assets import run_lock
try:
    with run_lock.warehouse_run_lock(Path(sys.argv[1])):
        print("acquired")
except run_lock.WarehouseBusyError as error:
    print(error)
    sys.exit(3)
"""


@contextmanager
def holder(script: str, path: Path) -> Iterator[subprocess.Popen[str]]:
    """A separate process running `script` on `path`, until the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(path)],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline().strip() == "held"
        yield process
    finally:
        if process.poll() is None:
            process.stdin.close()
            process.wait(timeout=30)


def try_lock(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", TRY_LOCK, str(path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


def test_a_second_process_is_refused_with_the_holders_pid(warehouse: Path) -> None:
    with run_lock.warehouse_run_lock(warehouse) as lock:
        assert lock == Path(f"{warehouse}.run.lock")
        second = try_lock(warehouse)
    assert second.returncode == 3, second.stderr
    message = second.stdout
    assert f"Another run is using the warehouse {warehouse}" in message
    assert f"pid {os.getpid()} since" in message
    assert "Wait for it to finish" in message and "DUCKDB_PATH" in message


def test_the_lock_is_released_after_the_run(warehouse: Path) -> None:
    with run_lock.warehouse_run_lock(warehouse):
        pass
    assert try_lock(warehouse).stdout.strip() == "acquired"
    with holder(HOLD_LOCK, warehouse), pytest.raises(run_lock.WarehouseBusyError):
        run_lock.acquire(warehouse)
    with run_lock.warehouse_run_lock(warehouse):  # the holder released it on exit
        pass


def test_a_killed_holder_does_not_block_the_next_run(warehouse: Path) -> None:
    with holder(HOLD_LOCK, warehouse) as process:
        assert try_lock(warehouse).returncode == 3
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    # its pid is still written in the lock file, but the kernel dropped its lock
    assert "pid" in run_lock.lock_path(warehouse).read_text()
    with run_lock.warehouse_run_lock(warehouse):
        pass


def test_the_lock_is_reentrant_within_one_process(warehouse: Path) -> None:
    """`python -m dagster_defs.run` holds it, and the run's resource takes it again."""
    with run_lock.warehouse_run_lock(warehouse):
        with run_lock.warehouse_run_lock(warehouse):
            pass
        assert try_lock(warehouse).returncode == 3  # still held by the outer block
    assert try_lock(warehouse).stdout.strip() == "acquired"


def test_the_settings_resource_holds_the_lock_for_a_run(warehouse: Path) -> None:
    resource = WarehouseSettingsResource.from_settings(WarehouseSettings(duckdb_path=warehouse))
    with (
        holder(HOLD_LOCK, warehouse),
        pytest.raises(dg.Failure, match="Another run is using the warehouse"),
    ):
        resource.setup_for_execution(dg.build_init_resource_context())
    resource.setup_for_execution(dg.build_init_resource_context())
    assert try_lock(warehouse).returncode == 3
    resource.teardown_after_execution(dg.build_init_resource_context())
    assert try_lock(warehouse).stdout.strip() == "acquired"


def test_a_warehouse_open_in_another_process_is_a_clear_failure(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    duckdb.connect(str(warehouse)).close()
    monkeypatch.setattr(resources, "LOCK_WAIT_SECONDS", 0.0)
    with holder(HOLD_WAREHOUSE, warehouse), pytest.raises(dg.Failure) as caught:
        connect_warehouse(str(warehouse))
    message = caught.value.description
    assert f"The warehouse {warehouse} is open in another process" in message
    assert "Close that process" in message and "bi.duckdb" in message
    connect_warehouse(str(warehouse)).close()  # free again once the other process ends


def test_a_dbt_step_on_a_warehouse_open_in_another_process_fails_saying_what_to_do(
    warehouse: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbt would fail on DuckDB's lock with tracebacks in its log; the step says it first."""
    from dagster_defs.assets.dbt import DBT_LAYERS, run_target_path
    from dagster_defs.definitions import build_definitions

    duckdb.connect(str(warehouse)).close()
    monkeypatch.setattr(resources, "LOCK_WAIT_SECONDS", 0.0)
    defs = build_definitions(WarehouseSettings(duckdb_path=warehouse, demo_size="tiny"))
    job = defs.resolve_implicit_global_asset_job_def()
    with holder(HOLD_WAREHOUSE, warehouse):
        result = job.execute_in_process(
            asset_selection=list(DBT_LAYERS[0].keys), raise_on_error=False
        )
    (failure,) = result.get_step_failure_events()
    message = failure.step_failure_data.user_failure_data.description
    assert f"The warehouse {warehouse} is open in another process" in message
    assert not run_target_path(result.run_id).exists()  # dbt did not start


def test_a_step_waits_for_the_other_process_of_its_run_to_close_the_warehouse(
    warehouse: Path,
) -> None:
    """Steps of one run in two processes take turns with the file (the open lock), so neither
    fails on DuckDB's file lock."""
    turn = threading.Event()

    def take_turn() -> None:
        with run_lock.open_lock(warehouse), run_lock.open_lock(warehouse):  # re-entrant
            turn.set()

    with holder(HOLD_OPEN_LOCK, warehouse) as other:
        waiting = threading.Thread(target=take_turn)
        waiting.start()
        assert not turn.wait(1.0)  # still the other process's turn
        other.stdin.close()
        assert other.stdout.readline().strip() == "released"
        assert turn.wait(30)
        waiting.join()


def test_make_run_owns_the_lock_and_the_backup_for_its_step_processes(warehouse: Path) -> None:
    """Under `make run`, steps (also in processes of their own) take neither the run lock nor a
    second copy of the warehouse: the command holds both for the whole run."""
    resource = WarehouseSettingsResource.from_settings(WarehouseSettings(duckdb_path=warehouse))
    with holder(HOLD_LOCK, warehouse), run_lock.owning_run(warehouse):
        assert run_lock.owned_by_run(warehouse)
        resource.setup_for_execution(dg.build_init_resource_context())  # no second acquire
        resource.teardown_after_execution(dg.build_init_resource_context())
        duckdb_resource = resources.WarehouseDuckDBResource(database=str(warehouse))
        duckdb_resource.setup_for_execution(dg.build_init_resource_context())
        assert not Path(f"{warehouse}.before-run").exists()
    assert not run_lock.owned_by_run(warehouse)


def test_the_dagster_instance_runs_one_run_at_a_time(tmp_path: Path) -> None:
    """make copies dagster_defs/instance.yaml to $DAGSTER_HOME/dagster.yaml."""
    (tmp_path / "dagster.yaml").write_text(
        (REPO_ROOT / "dagster_defs" / "instance.yaml").read_text()
    )
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    try:
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
    finally:
        instance.dispose()
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert "dagster_defs/instance.yaml" in makefile
