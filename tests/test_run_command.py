"""`python -m dagster_defs.run` (make run): a failed run prints why once, without a stack
trace, and exits 1. Cheap: the input validation fails before dbt builds anything. A successful
run's summary says what changed since the last published run."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd

from dagster_defs.assets import warning_check
from dagster_defs.run import failure_messages, unpassed_checks
from python_assets import handoff
from python_assets.forecasting.guardrails import CheckOutcome
from python_assets.reporting.publishing import MANIFEST_NAME, published_row_counts
from python_assets.settings import WarehouseSettings
from python_assets.summary import (
    forecast_lines,
    query_command,
    replay_lines,
    run_summary,
    stock_date_lines,
)
from tests.conftest import BuiltWarehouse
from tests.inputs.test_contract import edit_csv, write_valid_inputs

REPO_ROOT = Path(__file__).resolve().parents[1]


def run_command(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATASET", "INPUT_DIR", "DUCKDB_PATH", "DAGSTER_HOME", "SETTING_OVERRIDES"}
    }
    environ.update(DUCKDB_PATH=str(tmp_path / "warehouse" / "warehouse.duckdb"), **env)
    return subprocess.run(
        [sys.executable, "-m", "dagster_defs"],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_invalid_inputs_print_every_problem_once_and_exit_1(tmp_path: Path) -> None:
    inputs = write_valid_inputs(tmp_path / "inputs")
    edit_csv(inputs, "stores", lambda f: f.assign(latitude=["100", "45.76"]))
    edit_csv(inputs, "inventory_snapshot", lambda f: f.assign(on_hand_units=["-1", "4"]))

    run = run_command(tmp_path, DATASET="files", INPUT_DIR=str(inputs))

    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "Traceback" not in output and "Stack Trace" not in output, output
    assert "2 problem(s) in the input files" in output, output
    assert output.count("2 problem(s) in the input files") == 1, output
    assert output.count("column 'latitude': out of range") == 1, output
    assert output.count("column 'on_hand_units': negative value") == 1, output
    assert "Step raw_tables failed" in output, output
    assert "rows" not in run.stdout  # no summary after a failed run


def test_a_bad_run_setting_is_one_line_and_exit_1(tmp_path: Path) -> None:
    run = run_command(tmp_path, DATASET="files")  # files without INPUT_DIR

    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "Traceback" not in output, output
    assert "DATASET=files needs INPUT_DIR" in output, output


def test_the_summary_says_how_many_rows_each_mart_gained_or_lost_since_the_last_run(
    tmp_path: Path,
) -> None:
    settings = WarehouseSettings(duckdb_path=tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.grew as select range as x from range(5)")
        con.execute("create table marts.same as select 1 as x")
        con.execute("create table marts.added as select 1 as x")
        # left in the file by an earlier version, which wrote the forecast there: stale
        con.execute("create schema forecasting")
        con.execute("create table forecasting.stale as select 1 as x")
    published = tmp_path / "parquet"
    assert published_row_counts(published) == {}  # nothing published yet
    published.mkdir()
    manifest = {"run_id": "r1", "tables": {"marts.grew": 2, "marts.same": 1}}
    (published / MANIFEST_NAME).write_text(json.dumps(manifest))
    previous = published_row_counts(published)
    assert previous == {"marts.grew": 2, "marts.same": 1}

    # the forecast's hand-off tables are listed with the file's tables
    handoff.write_tables(settings.handoff_dir, "forecasting", {"f": pd.DataFrame({"x": [1, 2]})})

    printed = run_summary(settings, previous).splitlines()
    lines = {line.split()[0]: line for line in printed if line.endswith(("rows", ")"))}
    # the file's tables first, then the hand-off's, each under a heading that says where
    assert printed.index("Tables in the DuckDB file (make query reads them):") == 2
    assert printed[7].startswith("The Python steps' tables, Parquet files under ")
    assert printed[8].split()[0] == "forecasting.f"
    assert lines["forecasting.f"].endswith("2 rows")
    assert lines["marts.grew"].endswith("5 rows  (+3 since the last run)")
    assert lines["marts.same"].endswith("1 rows")
    assert lines["marts.added"].endswith("1 rows  (new)")
    assert "forecasting.stale" not in run_summary(settings, previous)
    # a first run has nothing to compare with
    assert "since the last run" not in run_summary(settings, {})
    # a check that warned is listed with why; none, no heading
    warned = run_summary(settings, {}, ["sales: steady - erratic drifted"]).splitlines()
    heading = warned.index("Checks that did not pass (the run went on; see them in make ui):")
    assert warned[heading + 1] == "  sales: steady - erratic drifted"
    assert "Checks that did not pass" not in run_summary(settings, {})


def _marts(duckdb_path: Path) -> dict[str, pd.DataFrame]:
    """Each mart's rows in order, the marts over the run history (run_id columns, monitoring and
    drift against earlier runs) left out."""
    with duckdb.connect(str(duckdb_path), read_only=True) as con:
        columns = con.execute(
            "select table_name, column_name from duckdb_columns() where schema_name = 'marts'"
        ).fetchall()
        history = {t for t, c in columns if c == "run_id"} | {"forecast_monitoring", "demand_drift"}
        return {
            table: con.execute(f"select * from marts.{table} order by all").df()
            for table in sorted({t for t, _ in columns} - history)
        }


def _differ(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    """Differ beyond the last bits of a float (DuckDB's parallel sums add in varying order)."""
    try:
        pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-9)
    except AssertionError:
        return True
    return False


def test_steps_in_two_processes_with_the_hand_off_on_s3_build_the_marts_of_one(
    built_warehouse: BuiltWarehouse, tmp_path: Path, s3_server: dict[str, str], s3_root: str
) -> None:
    """make run's default executor (steps in processes of their own, two at a time) with the
    Parquet hand-off on object storage (a local S3 server here), as on a cluster (README, "On a
    cluster"), builds the marts the in-process run of the same settings built: the same
    forecast, the same plan, and no hand-off folder beside the warehouse. It runs on a copy of
    that run's warehouse, so this is also a second run over a warehouse that has every mart
    already: rebuilding changes no mart. (Which executor a STEP_EXECUTOR_FILE names is
    tests/test_executor_file.py's.)"""
    warehouse = tmp_path / "warehouse"
    shutil.copytree(
        built_warehouse.settings.duckdb_path.parent,
        warehouse,
        ignore=shutil.ignore_patterns("handoff"),
    )
    run = run_command(
        tmp_path,
        DATASET="demo",
        DEMO_SIZE="tiny",
        STEP_PROCESSES="2",
        HANDOFF_DIR=s3_root,
        **s3_server,
    )

    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-5000:]
    assert "Executing steps using multiprocess executor" in output
    assert not (warehouse / "handoff").exists()
    assert {("raw", "sales_daily"), ("optimization", "store_product_plan")} <= set(
        handoff.tables(s3_root)
    )
    marts = _marts(warehouse / "warehouse.duckdb")
    expected = _marts(built_warehouse.settings.duckdb_path)
    assert len(marts) >= 30 and "allocation_cost_breakdown" in marts
    assert marts.keys() == expected.keys()
    assert [t for t in marts if _differ(marts[t], expected[t])] == []


def _execute(path: Path, *statements: str) -> None:
    """Run SQL statements on the DuckDB file at path."""
    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)


def test_the_summary_of_a_replay_without_an_interval_or_without_origins(tmp_path: Path) -> None:
    # one store: the replay has its figures but no interval and no test (NULL in the mart)
    path = tmp_path / "my warehouse" / "warehouse.duckdb"  # a space, which the shell must keep
    path.parent.mkdir()
    _execute(
        path,
        "create schema marts",
        "create table marts.policy_replay_summary as select 'optimised' as policy_name, "
        "'do_nothing' as comparator, 'fill_rate' as metric, 0.9 as policy_value, "
        "0.8 as comparator_value, 0.1 as difference, null::double as ci_low, "
        "null::double as ci_high, null::double as p_value, 4 as n_origins",
    )
    (line,) = [line for line in replay_lines(path) if "fill_rate" in line]
    assert "90.0% vs 80.0%: +10.0% [n/a, n/a]  p=n/a" in line
    _execute(path, "delete from marts.policy_replay_summary")
    assert "nothing replayed" in "\n".join(replay_lines(path))


def test_the_summary_names_the_forecasts_models_and_says_when_there_was_no_backtest(
    tmp_path: Path,
) -> None:
    path = tmp_path / "warehouse.duckdb"
    _execute(path, "create schema marts")
    assert forecast_lines(path) == []  # no mart: nothing to say
    _execute(
        path,
        "create table marts.fct_demand_forecast as select * from (values "
        "('S1', 'P1', 'moving_average_28', date '2026-07-01'), "
        "('S1', 'P1', 'moving_average_28', date '2026-07-02'), "
        "('S1', 'P2', 'moving_average_28', date '2026-07-01'), "
        "('S1', 'P2', 'moving_average_28', date '2026-07-02')) "
        "as t(store_id, product_id, model_name, forecast_date)",
        "create table marts.forecast_accuracy (model_name varchar, backtest_window int, "
        "segment_type varchar, segment_value varchar, score_total_wape double, "
        "wpe_total double, coverage_total_80 double, is_chosen boolean)",
    )
    (_, line) = forecast_lines(path)
    assert "no backtest" in line and line.endswith("forecast by moving_average_28.")
    _execute(
        path,
        *(
            "insert into marts.forecast_accuracy values "
            f"('chosen_per_class', {window}, 'all', 'all', 0.2, -0.05, 0.81, true), "
            f"('moving_average_7', {window}, 'all', 'all', 0.3, 0.01, 0.7, false), "
            f"('tsb', {window}, 'demand_class', 'lumpy', 0.9, 0.02, 0.8, true), "
            f"('sba', {window}, 'demand_class', 'lumpy', 0.95, 0.02, 0.8, false), "
            f"('chosen_per_class', {window}, 'demand_class', 'lumpy', 0.9, 0.02, 0.8, true)"
            for window in (0, 1, 2)
        ),
        # what the final forecast used: the class's choice, and for a launch the backtest never
        # saw, the model that forecast it
        "update marts.fct_demand_forecast set model_name = 'tsb' where product_id = 'P1'",
        "create table marts.demand_classes as select * from (values ('S1', 'P1', 'lumpy'), "
        "('S1', 'P2', 'new')) as t(store_id, product_id, demand_class)",
    )
    assert forecast_lines(path) == [
        "",
        "Forecast (backtest over 2 past windows, scored on 2-day totals per series):",
        "  model per demand class (series): lumpy tsb (1), new moving_average_28 (1)",
        "  WAPE 0.200 (naive: moving_average_7 0.300), WPE -5.0%, 80% interval covers 81.0%",
    ]


def test_the_summary_says_when_the_stock_is_older_than_the_sales(tmp_path: Path) -> None:
    path = tmp_path / "my warehouse" / "warehouse.duckdb"  # a space, which the shell must keep
    path.parent.mkdir()
    _execute(path, "create schema marts")
    assert stock_date_lines(path) == []  # no mart: nothing to say
    _execute(
        path,
        "create table marts.dataset_assumptions as select 'files' as dataset_name, "
        "'source' as topic, 'POS export' as assumption, null::varchar as setting",
    )
    assert stock_date_lines(path) == []  # stock of the last sales day
    _execute(
        path,
        "insert into marts.dataset_assumptions values ('files', 'stock_older_than_sales', "
        "'The stock ... 6 day(s) before the last sales day', '2026-10-11')",
    )
    assert stock_date_lines(path) == ["", "Stock: The stock ... 6 day(s) before the last sales day"]


def test_make_query_prints_a_query_on_the_warehouse_and_names_the_file_when_it_fails(
    tmp_path: Path,
) -> None:
    """The summary's "Query it" command: read-only, no DuckDB command-line tool needed."""
    path = tmp_path / "my warehouse" / "warehouse.duckdb"  # a space, which the shell must keep
    path.parent.mkdir()
    _execute(
        path,
        "create schema marts",
        "create table marts.kpi_store as select 'S1' as store_id, 12.5 as revenue_28d",
    )

    def query(sql: str) -> subprocess.CompletedProcess[str]:
        environ = {**os.environ, "DUCKDB_PATH": str(path), "SQL": sql}
        return subprocess.run(
            ["make", "--no-print-directory", "query"],
            cwd=REPO_ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
        )

    # the summary's line, run as printed (it names this file, which is not the default one)
    printed = subprocess.run(
        ["bash", "-c", query_command(path)],
        cwd=REPO_ROOT,
        env={k: v for k, v in os.environ.items() if k not in {"DUCKDB_PATH", "SQL"}},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert printed.returncode == 0, printed.stderr
    assert "S1" in printed.stdout and "12.5" in printed.stdout
    done = query("select store_id, revenue_28d * 2 as doubled from marts.kpi_store")
    assert done.returncode == 0, done.stderr
    assert "doubled" in done.stdout and "S1" in done.stdout and "25.0" in done.stdout
    relative = subprocess.run(  # a relative DUCKDB_PATH is read from the current folder
        [sys.executable, "-m", "python_assets.query", "select count(*) as n from marts.kpi_store"],
        cwd=tmp_path,
        env={
            **os.environ,
            "DUCKDB_PATH": "my warehouse/warehouse.duckdb",
            "PYTHONPATH": str(REPO_ROOT),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert relative.returncode == 0, relative.stderr
    failed = query("select nope from marts.kpi_store")
    assert failed.returncode != 0
    assert str(path) in failed.stderr and "nope" in failed.stderr
    written = query("create table marts.other as select 1 as one")  # the file is read-only
    assert written.returncode != 0 and "read-only" in written.stderr


def test_a_step_that_raises_an_exception_without_a_message_says_where() -> None:
    @dg.asset
    def first_of_nothing() -> int:
        return next(iter([]))

    @dg.asset
    def bad_value() -> int:
        raise ValueError("no products in this partition")

    result = dg.materialize([first_of_nothing, bad_value], raise_on_error=False)
    messages = sorted(failure_messages(result))
    assert messages[0].startswith("Step bad_value failed:\nValueError: no products")
    assert "raised at" not in messages[0]
    assert messages[1].startswith("Step first_of_nothing failed:\nStopIteration, raised at File")
    assert "test_run_command.py" in messages[1] and "in first_of_nothing" in messages[1]


def test_a_failed_blocking_check_is_named_with_why_it_failed() -> None:
    @dg.asset(
        check_specs=[dg.AssetCheckSpec("enough_units", asset="stock", blocking=True)],
    )
    def stock():
        yield dg.MaterializeResult()
        yield dg.AssetCheckResult(
            check_name="enough_units", passed=False, description="3 of 4 stores hold no units"
        )

    @dg.asset(deps=[stock])
    def plan() -> None:
        pass

    result = dg.materialize([stock, plan], raise_on_error=False)
    (message,) = failure_messages(result)
    assert message.startswith("Step stock failed:\nDagsterAssetCheckFailedError"), message
    assert "stock: enough_units - 3 of 4 stores hold no units" in message


def test_a_failed_warning_check_logs_a_warning_line_and_the_run_succeeds() -> None:
    @dg.asset(check_specs=[dg.AssetCheckSpec("steady", asset="sales")])
    def sales(context):
        yield dg.MaterializeResult()
        yield warning_check(context, CheckOutcome("steady", False, "erratic drifted"), ["sales"])

    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize([sales], instance=instance)
        logged = [(e.level, e.user_message) for e in instance.all_logs(result.run_id)]
    assert result.success
    (check,) = result.get_asset_check_evaluations()
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert (logging.WARNING, "asset check steady on sales failed: erratic drifted") in logged
    assert unpassed_checks(result) == ["sales: steady - erratic drifted"]
