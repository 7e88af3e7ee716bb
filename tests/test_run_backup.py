"""A failed run changes nothing: the warehouse is copied before a run and put back when a step
fails (a dbt failure halfway through its models included), a run killed with SIGTERM stops its
dbt process and is undone too, and a copy left by a run that died is put back by the next."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest

from benchmarks.tree_memory import process_tree
from dagster_defs.assets import inputs as input_assets
from dagster_defs.assets.dbt import DBT_LAYERS
from dagster_defs.definitions import build_definitions
from python_assets import handoff, run_backup
from python_assets.settings import WarehouseSettings
from tests.conftest import BuiltWarehouse

REPO_ROOT = Path(__file__).resolve().parents[1]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _table_checksums(path: Path) -> dict[str, tuple[int, int]]:
    """Rows and a content hash of every table and view of the warehouse."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
        ).fetchall()
        return {
            name: con.execute(
                f"select count(*), coalesce(sum(hash(t)), 0) from {name} as t"
            ).fetchone()
            for (name,) in names
        }


def test_a_successful_run_keeps_its_changes_and_drops_the_copy(tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table t as select 1 as x")
    assert run_backup.begin_run(warehouse) is None
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into t values (2)")
    assert run_backup.end_run(warehouse, succeeded=True) is False
    assert not run_backup.backup_path(warehouse).exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from t").fetchone() == (2,)


def test_a_failed_run_is_put_back_with_what_was_only_in_the_wal(tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create table t as select 1 as x")
    con.execute("checkpoint")
    con.execute("insert into t values (2)")  # in the WAL only, until the file is checkpointed
    # a process that died without closing leaves its WAL beside the file
    shutil.copyfile(warehouse, tmp_path / "file")
    shutil.copyfile(f"{warehouse}.wal", tmp_path / "wal")
    con.close()
    shutil.copyfile(tmp_path / "file", warehouse)
    shutil.copyfile(tmp_path / "wal", f"{warehouse}.wal")

    run_backup.begin_run(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table t")
        con.execute("create table u as select 1 as y")
    assert run_backup.end_run(warehouse, succeeded=False) is True
    assert not run_backup.backup_path(warehouse).exists()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select list(x order by x) from t").fetchone() == ([1, 2],)
        assert con.execute(
            "select count(*) from duckdb_tables() where table_name = 'u'"
        ).fetchone() == (0,)


@pytest.mark.parametrize("where", ["beside the warehouse", "on S3"])
def test_a_failed_run_puts_the_parquet_hand_off_back(tmp_path: Path, request, where: str):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table t as select 1 as x")
    beside = where == "beside the warehouse"
    root = handoff.handoff_dir(warehouse) if beside else request.getfixturevalue("s3_root")
    handoff.write_tables(root, "forecasting", {"kept": pd.DataFrame({"x": [1]})})
    run_backup.begin_run(warehouse, root)
    handoff.write_tables(root, "forecasting", {"kept": pd.DataFrame({"x": [2, 3]})})
    handoff.write_tables(root, "optimization", {"new": pd.DataFrame({"y": [1]})})
    assert run_backup.end_run(warehouse, False, root) is True
    assert handoff.read_table(root, "forecasting", "kept")["x"].tolist() == [1]
    assert handoff.tables(root) == [("forecasting", "kept")]
    # and a successful run keeps what it wrote, with no copy left behind
    run_backup.begin_run(warehouse, root)
    handoff.write_tables(root, "forecasting", {"kept": pd.DataFrame({"x": [4]})})
    assert run_backup.end_run(warehouse, True, root) is False
    assert handoff.read_table(root, "forecasting", "kept")["x"].tolist() == [4]
    named_alike = handoff.names(f"{root}*")
    assert named_alike == [str(root).rsplit("/", 1)[-1]]  # no copy left beside the hand-off
    assert sorted(p.name for p in tmp_path.iterdir()) == (
        ["handoff", "warehouse.duckdb"] if beside else ["warehouse.duckdb"]
    )


def test_a_failed_first_run_leaves_no_warehouse(tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    run_backup.begin_run(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table t as select 1 as x")
    assert run_backup.end_run(warehouse, succeeded=False) is True
    assert not warehouse.exists() and not run_backup.backup_path(warehouse).exists()


def test_the_copy_of_a_run_that_died_is_put_back_by_the_next_run(tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table t as select 1 as x")
    before = _digest(warehouse)
    run_backup.begin_run(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into t values (2)")
    # the run dies here: end_run never comes; the next run starts
    message = run_backup.begin_run(warehouse)
    assert message is not None and "put back" in message and str(warehouse) in message
    assert _digest(warehouse) == before == _digest(run_backup.backup_path(warehouse))


def _break_products_after_loading(real_load):
    """raw_tables loads every table, then `subcategory` goes from raw products: dbt builds some
    models and fails on the products model and what depends on it."""

    def load(root, files, *args):
        rows = real_load(root, files, *args)
        with handoff.connect(root) as con:
            products = con.execute("select * exclude (subcategory) from raw.products").df()
        handoff.write_tables(root, "raw", {"products": products})
        return rows

    return load


def _folder_digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): _digest(p) for p in folder.rglob("*") if p.is_file()}


def test_a_run_whose_dbt_step_fails_halfway_changes_no_table(
    built_warehouse: BuiltWarehouse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse.settings.duckdb_path, warehouse)
    shutil.copytree(built_warehouse.settings.handoff_dir, handoff.handoff_dir(warehouse))
    before, tables = _digest(warehouse), _table_checksums(warehouse)
    handed_over = _folder_digest(handoff.handoff_dir(warehouse))
    assert any(name.startswith("raw/") for name in handed_over)
    monkeypatch.setattr(
        input_assets, "load_inputs", _break_products_after_loading(input_assets.load_inputs)
    )
    # another seed: every table the run rebuilds would differ from the warehouse's
    settings = WarehouseSettings(
        duckdb_path=warehouse, dataset="demo", demo_size="tiny", demo_seed=43
    )
    keys = [*input_assets.input_files.keys, *input_assets.raw_tables.keys, *DBT_LAYERS[0].keys]
    job = dg.define_asset_job("until_dbt_core", selection=dg.AssetSelection.assets(*keys))
    defs = dg.Definitions.merge(build_definitions(settings), dg.Definitions(jobs=[job]))
    result = defs.resolve_job_def(job.name).execute_in_process(raise_on_error=False)
    assert not result.success
    failed = {e.step_key for e in result.get_step_failure_events()}
    assert failed == {"dbt_core"}
    built = [
        e.asset_key
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION
    ]
    # the run did rewrite the raw tables and some dbt models before dbt failed
    assert any(k.path[0] == "raw" for k in built) and any(k.path[0] == "staging" for k in built)
    assert _digest(warehouse) == before
    assert _table_checksums(warehouse) == tables
    assert _folder_digest(handoff.handoff_dir(warehouse)) == handed_over
    assert not run_backup.backup_path(warehouse).exists()


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the dbt process through /proc")
def test_a_killed_run_stops_its_dbt_process_and_changes_no_table(
    built_warehouse: BuiltWarehouse, tmp_path: Path
):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_warehouse.settings.duckdb_path, warehouse)
    before = _digest(warehouse)
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    env |= {
        "DUCKDB_PATH": str(warehouse),
        "DATASET": "demo",
        "DEMO_SIZE": "tiny",
        "DEMO_SEED": "43",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    }
    run = subprocess.Popen(
        [sys.executable, "-m", "dagster_defs"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 600
        dbt = []
        while not dbt and time.monotonic() < deadline and run.poll() is None:
            dbt = [p for p in process_tree(run.pid) if " build " in f"{_cmdline(p)} "]
            time.sleep(0.2)
        assert dbt, "the run never started dbt"
        time.sleep(2)  # let dbt write a few models
        run.send_signal(signal.SIGTERM)
        _, stderr = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 1
    assert "No table changed" in stderr
    assert not Path(f"/proc/{dbt[0]}").exists(), "the dbt process outlived its run"
    assert _digest(warehouse) == before
