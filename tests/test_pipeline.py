"""The whole graph on the tiny demo network: it loads, materialises, passes its dbt tests, and
a bad input leaves the warehouse as it was (a second run over it: tests/test_run_command.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
from dagster_dbt import DbtCliResource

from dagster_defs.assets.dbt import (
    DBT_EXECUTABLE,
    DBT_LAYERS,
    PYTHON_WRITTEN,
    WarehouseTranslator,
    dbt_project,
    run_target_path,
)
from dagster_defs.assets.forecasting import FORECAST_MODEL, GUARDRAIL_CHECKS
from dagster_defs.resources import WarehouseDbtResource
from python_assets import handoff
from python_assets.forecasting.launches import LAUNCH_CURVE
from python_assets.inputs.contract import INPUT_TABLES
from python_assets.settings import WarehouseSettings
from tests.conftest import BuiltWarehouse, materialize_everything

CORE_MARTS = ("dim_stores", "dim_products", "fct_sales_daily")


def mart_snapshot(settings: WarehouseSettings) -> dict[str, list[tuple]]:
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        return {
            t: con.execute(f"select * from marts.{t} order by all").fetchall() for t in CORE_MARTS
        }


def test_definitions_load(built_warehouse: BuiltWarehouse) -> None:
    dg.Definitions.validate_loadable(built_warehouse.defs)
    from dagster_defs import defs

    dg.Definitions.validate_loadable(defs)


def test_dbt_parses_the_project_once_per_run(built_warehouse: BuiltWarehouse) -> None:
    """Every dbt layer of a run writes to the run's target folder, so the layers after the first
    start from its parse (dbt's log, one JSON line per event, names each invocation; the first
    cannot use `make manifest`'s parse, written without the run's vars)."""
    folder = run_target_path(built_warehouse.result.run_id)
    # dbt rotates its log at 10 MB: dbt.log.1 is older than dbt.log, dbt.log.2 older still
    rotated = sorted(folder.glob("dbt.log.*"), key=lambda p: -int(p.suffix[1:]))
    events: dict[str, set[str]] = {}
    for log in [*rotated, folder / "dbt.log"]:
        for line in log.read_text().splitlines():
            if line.startswith("{"):
                info = json.loads(line)["info"]
                events.setdefault(info["invocation_id"], set()).add(info["name"])
    _, *later = events.values()
    assert len(events) == len(DBT_LAYERS)
    assert all("PartialParsingEnabled" in e and "UnableToPartialParse" not in e for e in later)


def test_dbt_resource_hooks_exist_in_dagster_dbt() -> None:
    """WarehouseDbtResource replaces two private hooks of dagster-dbt's resource; a release that
    renamed them would leave the overrides unused (every layer slower by a `dbt --version` and
    an adapter), so this fails first. The version it reads is the one the executable prints."""
    assert {"_cli_version", "_initialize_dbt_core_adapter"} <= set(vars(DbtCliResource))
    resource = WarehouseDbtResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE))
    printed = subprocess.run(
        [DBT_EXECUTABLE, "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert f"installed: {resource._cli_version}" in printed


def test_whole_graph_materialises_with_expected_rows(built_warehouse: BuiltWarehouse) -> None:
    assert built_warehouse.result.success

    def raw(table: str) -> str:  # the input load's hand-off table
        return handoff.relation(built_warehouse.settings.handoff_dir, "raw", table)

    with duckdb.connect(str(built_warehouse.settings.duckdb_path), read_only=True) as con:
        stores, products = (
            con.execute(f"select count(*) from {raw(t)}").fetchone()[0]
            for t in ("stores", "products")
        )
        assert con.execute("select count(*) from marts.dim_stores").fetchone()[0] == stores == 12
        assert (
            con.execute("select count(*) from marts.dim_products").fetchone()[0] == products == 12
        )
        # the spine: every active pair, every day from its first record to the data's last day
        expected = con.execute(
            f"""
            select sum(datediff('day', first_day, last_day) + 1)
            from (select min(date) as first_day from {raw("sales_daily")} group by store_id, product_id)
            cross join (select max(date) as last_day from {raw("sales_daily")})
            """
        ).fetchone()[0]
        assert con.execute("select count(*) from marts.fct_sales_daily").fetchone()[0] == expected
        sold = "select round(sum(units_sold), 6) from {}"
        assert (
            con.execute(sold.format("marts.fct_sales_daily")).fetchone()
            == con.execute(sold.format(raw("sales_daily"))).fetchone()
        )


def _guardrail_severities(result: dg.ExecuteInProcessResult) -> set[dg.AssetCheckSeverity]:
    """The severities the forecast's guardrail checks were reported with in a run."""
    evaluations = result.get_asset_check_evaluations()
    return {e.severity for e in evaluations if e.check_name in GUARDRAIL_CHECKS}


def test_dbt_tests_pass_as_asset_checks(built_warehouse: BuiltWarehouse) -> None:
    # the forecast's guardrails block the plan by default (forecast_guardrail_severity = block)
    assert _guardrail_severities(built_warehouse.result) == {dg.AssetCheckSeverity.ERROR}
    evaluations = built_warehouse.result.get_asset_check_evaluations()
    assert len(evaluations) >= 20
    # warn-severity checks (demand drift, monitored accuracy) report on the data, not the build
    failed = [
        f"{e.asset_key.to_user_string()}:{e.check_name}"
        for e in evaluations
        if not e.passed and e.severity != dg.AssetCheckSeverity.WARN
    ]
    assert failed == []


def test_every_dbt_data_test_is_attached_to_a_model() -> None:
    """dagster-dbt makes a dbt test an asset check of the model it is attached to: a generic
    test's own model, else the one model a singular test reads, else the model its config names
    (meta dagster ref). A singular test that reads several models and names none would only be
    logged as an observation, with a warning in every run."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    unattached = [
        test["name"]
        for test in manifest["nodes"].values()
        if test["resource_type"] == "test"
        and not test.get("attached_node")
        and len([n for n in test["depends_on"]["nodes"] if n.startswith("model.")]) > 1
        and "ref" not in test["config"]["meta"].get("dagster", {})
    ]
    assert unattached == []


def test_python_written_tables_have_their_dbt_source_keys(built_warehouse: BuiltWarehouse) -> None:
    manifest = json.loads(dbt_project.manifest_path.read_text())
    translator = WarehouseTranslator()
    source_keys = {translator.get_asset_key(s) for s in manifest["sources"].values()}
    graph = built_warehouse.defs.resolve_asset_graph()
    dbt_keys = {key for layer in DBT_LAYERS for key in layer.keys}
    python_keys = {
        key
        for key in graph.get_all_asset_keys()
        if key not in dbt_keys and key.path[0] in ("raw", *PYTHON_WRITTEN)
    }
    # the fitted forecast the partitions of demand_forecast read is a pickle, not a table
    python_keys.remove(dg.AssetKey(FORECAST_MODEL))
    assert {dg.AssetKey(["raw", t.name]) for t in INPUT_TABLES} <= python_keys
    assert source_keys == python_keys
    # and the graph is connected through them: staging depends on the Python-written keys
    staging = dg.AssetKey(["staging", "stg_inputs__sales_daily"])
    assert dg.AssetKey(["raw", "sales_daily"]) in graph.get(staging).parent_keys


def test_bad_input_fails_the_run_and_keeps_the_warehouse(
    built_warehouse: BuiltWarehouse, env_guard
) -> None:
    from dagster_defs.definitions import build_definitions

    settings = built_warehouse.settings
    before = mart_snapshot(settings)
    bad_dir = settings.duckdb_path.parent / "bad_inputs"
    shutil.copytree(settings.resolved_input_dir, bad_dir, dirs_exist_ok=True)
    with duckdb.connect() as con:  # one negative on-hand quantity
        con.execute(
            f"copy (select * replace (case when row_number() over () = 1 then -5 else on_hand_units end as on_hand_units) "
            f"from read_parquet('{bad_dir}/inventory_snapshot.parquet')) to '{bad_dir}/inventory_snapshot.parquet'"
        )
    bad = WarehouseSettings(duckdb_path=settings.duckdb_path, dataset="files", input_dir=bad_dir)
    result = materialize_everything(build_definitions(bad), raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0].event_specific_data.error.to_string()
    assert "on_hand_units" in failure and "negative value" in failure
    assert mart_snapshot(settings) == before


def test_only_dbt_writes_the_warehouse_file(built_warehouse: BuiltWarehouse) -> None:
    """The file holds dbt's schemas; what the Python steps write (inputs as loaded, forecast,
    LP, history) is in the Parquet hand-off beside it."""
    with duckdb.connect(str(built_warehouse.settings.duckdb_path), read_only=True) as con:
        names = {
            r[0]
            for r in con.execute("select schema_name from information_schema.schemata").fetchall()
        }
    assert {"staging", "intermediate", "marts", "reference", "reports"} <= names
    assert not names & {"raw", "forecasting", "optimization"}
    written = {schema for schema, _ in handoff.tables(built_warehouse.settings.handoff_dir)}
    assert written == {"raw", "forecasting", "optimization"}


def test_graph_builds_without_the_optional_inputs_and_over_the_horizon_a_run_overrides(
    built_warehouse: BuiltWarehouse, tmp_path, env_guard
) -> None:
    """No customer orders (as in FreshRetailNet): segments build empty and nothing fails. No
    stockout hours and no revenue in the sales: the stock-out and revenue KPIs are null ("n/a"),
    not a measured 0.

    The same run overrides planning_horizon_days, which sets the forecast's horizon too: the
    plan's demand (the forecast's sum), holding cost and safety stock then speak of the same
    days. A forecast made for another horizon fails the dbt test that compares the two. It also
    overrides forecast_guardrail_severity: the forecast's guardrails report as warnings."""
    from dagster_defs.definitions import build_definitions

    inputs = tmp_path / "inputs"
    shutil.copytree(built_warehouse.settings.resolved_input_dir, inputs)
    for optional in (
        "customer_orders",
        "planned_covariates",
        "planted_imbalances",
        "dataset_assumptions",
    ):
        (inputs / f"{optional}.parquet").unlink()
    sales = inputs / "sales_daily.parquet"
    with duckdb.connect() as con:
        con.execute(
            f"copy (select * exclude (stockout_hours, stockout_hours_6_22, revenue) "
            f"from read_parquet('{sales}')) to '{sales}.new' (format parquet)"
        )
    Path(f"{sales}.new").replace(sales)
    settings = WarehouseSettings(
        duckdb_path=tmp_path / "warehouse.duckdb",
        dataset="files",
        input_dir=inputs,
        setting_overrides={"planning_horizon_days": 14, "forecast_guardrail_severity": "warn"},
    )
    result = materialize_everything(build_definitions(settings))
    assert result.success
    assert _guardrail_severities(result) == {dg.AssetCheckSeverity.WARN}
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        counts = {
            t: con.execute(f"select count(*) from marts.{t}").fetchone()[0]
            for t in (
                "customer_segments",
                "customer_segment_profiles",
                "store_clusters",
                "imbalanced_zscore_analysis",
            )
        }
        planned = con.execute(
            "select count(*) from staging.stg_inputs__planned_covariates"
        ).fetchone()[0]
        stockouts = con.execute(
            "select count(stockout_frequency_28d), count(*) from marts.kpi_store"
        ).fetchone()
        revenues = [
            con.execute(f"select count(revenue_28d), count(*) from marts.{kpi}").fetchone()
            for kpi in ("kpi_store", "kpi_region", "kpi_category")
        ]
    assert planned == 0
    assert stockouts[0] == 0 and stockouts[1] > 0
    assert all(known == 0 and rows > 0 for known, rows in revenues)
    assert counts["customer_segments"] == counts["customer_segment_profiles"] == 0
    assert counts["store_clusters"] == 12 and counts["imbalanced_zscore_analysis"] > 0

    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        days = con.execute(
            "select distinct count(*) from marts.fct_demand_forecast group by store_id, product_id"
        ).fetchall()
        demand, forecast_sum, holding = con.execute(
            "select sum(demand), sum(total), max(holding_cost) "
            "from marts.allocation_inputs_store_product inner join ("
            "  select store_id, product_id, sum(forecast_units) as total"
            "  from marts.fct_demand_forecast group by all"
            ") using (store_id, product_id)"
        ).fetchone()
    assert days == [(14,)]
    assert demand == pytest.approx(forecast_sum) and forecast_sum > 0
    assert holding == pytest.approx(14 * 0.10)  # holding_cost_per_unit_day x the 14 days

    # the same 14-day forecast under a 10-day plan: the dbt test fails the run, naming itself
    ten_days = replace(settings, setting_overrides={"planning_horizon_days": 10})
    sql = [
        dg.AssetKey(s)
        for s in (
            ["intermediate", "int_settings_resolved"],
            ["staging", "stg_forecasting__demand_forecasts"],
            ["marts", "fct_demand_forecast"],
            ["intermediate", "int_store_product_allocation_terms"],
            ["marts", "allocation_inputs_store_product"],
        )
    ]
    job = build_definitions(ten_days).resolve_implicit_global_asset_job_def()
    stale = job.execute_in_process(asset_selection=sql, raise_on_error=False)
    assert not stale.success
    failed = [e.event_specific_data.error.to_string() for e in stale.get_step_failure_events()]
    assert any("test_optimization__demand_covers_the_horizon" in m for m in failed), failed


def test_published_copy_holds_every_mart(built_warehouse: BuiltWarehouse) -> None:
    settings = built_warehouse.settings
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        marts = {
            r[0]: con.execute(f"select count(*) from marts.{r[0]}").fetchone()[0]
            for r in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' and table_type = 'BASE TABLE'"
            ).fetchall()
        }
    with duckdb.connect(str(settings.published_duckdb_path), read_only=True) as con:
        published = {m: con.execute(f"select count(*) from marts.{m}").fetchone()[0] for m in marts}
    assert published == marts
    assert sorted(p.stem for p in settings.parquet_export_dir.glob("*.parquet")) == sorted(marts)


def test_marts_and_their_bi_copy_carry_the_yml_descriptions(
    built_warehouse: BuiltWarehouse,
) -> None:
    """persist_docs (dbt_project.yml) writes the descriptions as comments; the BI copy keeps
    them, so a BI tool shows what a table and a column mean; each Parquet file holds them in
    its key-value metadata."""
    settings = built_warehouse.settings
    for path in (settings.duckdb_path, settings.published_duckdb_path):
        with duckdb.connect(str(path), read_only=True) as con:
            table_comment = con.execute(
                "select comment from duckdb_tables() "
                "where schema_name = 'marts' and table_name = 'kpi_store'"
            ).fetchone()[0]
            column_comment = con.execute(
                "select comment from duckdb_columns() where schema_name = 'marts' "
                "and table_name = 'kpi_store' and column_name = 'store_id'"
            ).fetchone()[0]
        assert table_comment and "One row per store" in table_comment, path
        assert column_comment == "Store.", path
    parquet = settings.parquet_export_dir / "kpi_store.parquet"
    with duckdb.connect() as con:
        kv = {
            key.decode(): value.decode()
            for key, value in con.execute(
                "select key, value from parquet_kv_metadata(?)", [str(parquet)]
            ).fetchall()
        }
    assert "One row per store" in kv["description"]
    assert json.loads(kv["column_descriptions"])["store_id"] == "Store."


def test_forecast_covers_every_active_series_over_the_horizon(
    built_warehouse: BuiltWarehouse,
) -> None:
    with duckdb.connect(str(built_warehouse.settings.duckdb_path), read_only=True) as con:
        series = con.execute(
            "select count(*) from (select distinct store_id, product_id from marts.fct_sales_daily)"
        ).fetchone()[0]
        rows, days = con.execute(
            "select count(*), count(distinct forecast_date) from marts.fct_demand_forecast"
        ).fetchone()
        forecast_models = {
            m
            for (m,) in con.execute(
                "select distinct model_name from marts.fct_demand_forecast"
            ).fetchall()
        }
        first_day = con.execute(
            "select min(forecast_date) = (select max(sales_date) + 1 from marts.fct_sales_daily) from marts.fct_demand_forecast"
        ).fetchone()[0]
        accuracy_models = {
            m
            for (m,) in con.execute(
                "select distinct model_name from marts.forecast_accuracy"
            ).fetchall()
        }
    assert (rows, days) == (series * 7, 7) and first_day
    # each series takes its demand class's model, or a launch the launch curve: every model
    # used was scored in the backtest, and the backtest scores the forecast as used (each
    # series with its class's model, launches with the curve)
    assert forecast_models and forecast_models - {LAUNCH_CURVE} <= accuracy_models
    assert "chosen_per_class" in accuracy_models


def test_plan_is_verified_and_beats_both_baselines(built_warehouse: BuiltWarehouse) -> None:
    with duckdb.connect(str(built_warehouse.settings.duckdb_path), read_only=True) as con:
        totals = dict(
            con.execute(
                "select plan_name, total_cost from marts.allocation_cost_breakdown where cost_level = 'total'"
            ).fetchall()
        )
        statuses = {
            r[0]
            for r in con.execute(
                "select distinct solver_status from marts.allocation_plan_status"
            ).fetchall()
        }
        scenarios = con.execute(
            "select count(*) from marts.scenario_comparison where plan_status = 'optimal'"
        ).fetchone()[0]
        plan_units = {
            r[0]
            for r in con.execute("select plan_units from marts.allocation_plan_status").fetchall()
        }
        transfers, not_whole_packs = con.execute(
            "select count(*), count(*) filter (where t.units <= 0 or t.units % p.pack_size <> 0) "
            "from marts.fct_transfer_plan as t "
            "inner join marts.allocation_inputs_product as p using (product_id)"
        ).fetchone()
    assert statuses == {"optimal"}
    # The demo plan is operational: whole packs only (docs/methodology.md, "Whole units and packs").
    assert plan_units == {"whole_packs"}
    assert transfers > 0 and not_whole_packs == 0
    assert (
        totals["optimised"] < totals["do_nothing"] and totals["optimised"] < totals["decentralised"]
    )
    assert scenarios == 8
    checks = {e.check_name: e.passed for e in built_warehouse.result.get_asset_check_evaluations()}
    assert checks["plan_optimal_and_verified"] is True


def test_policy_replay_judges_the_plan_on_the_sales_that_followed(
    built_warehouse: BuiltWarehouse,
) -> None:
    with duckdb.connect(str(built_warehouse.settings.duckdb_path), read_only=True) as con:
        per_origin = con.execute(
            "select origin_date, policy_name, realised_demand_units, served_units, fill_rate, total_cost, "
            "lp_model_cost, stock_source from marts.policy_replay"
        ).df()
        last_sale = con.execute("select max(sales_date) from marts.fct_sales_daily").fetchone()[0]
        summary = con.execute("select * from marts.policy_replay_summary").df()
        service = con.execute(
            "select fill_rate, expected_fill_rate, replay_fill_rate "
            "from marts.allocation_service_level where service_level_grain = 'overall'"
        ).fetchone()
    origins = sorted(per_origin["origin_date"].unique())
    # the last window ends on the last day of sales; windows are 7 days apart
    assert pd.Timestamp(origins[-1]) + pd.Timedelta(days=7) == pd.Timestamp(last_sale)
    assert set(per_origin["policy_name"]) == {
        "optimised",
        "do_nothing",
        "decentralised",
        "zscore_rule",
        "perfect_foresight",
    }
    # the demo writes weekly snapshots: every origin starts from the stock recorded that day
    assert set(per_origin["stock_source"]) == {"snapshot"}
    # every policy faces the same demand at an origin
    assert per_origin.groupby("origin_date")["realised_demand_units"].nunique().max() == 1
    bound = per_origin.pivot(index="origin_date", columns="policy_name", values="lp_model_cost")
    # a bound on every policy that keeps the LP's rules (the Z-score rule's moves need not)
    keeping = bound.drop(columns="zscore_rule")
    assert (keeping["perfect_foresight"] <= keeping.min(axis=1) * (1 + 1e-7) + 1e-6).all()
    assert {"do_nothing", "perfect_foresight"} <= set(summary["comparator"])
    assert (summary["ci_low"] <= summary["ci_high"]).all()
    fill_rate, expected, realised = service
    assert expected <= fill_rate + 1e-9 and 0 < realised <= 1
    checks = {e.check_name for e in built_warehouse.result.get_asset_check_evaluations()}
    assert "plan_not_worse_than_doing_nothing" in checks


READ_EVERY_TABLE = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
tables = con.execute("select schema_name, table_name from duckdb_tables()").fetchall()
print(json.dumps({
    f"{schema}.{table}": len(con.execute(f'select * from "{schema}"."{table}"').fetchall())
    for schema, table in tables
}))
"""


def test_duckdb_1_0_reads_every_table_of_the_bi_copy(
    built_warehouse: BuiltWarehouse,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Every mart's column types survive the v1.0.0 storage format (BI_STORAGE_VERSION)."""
    from tests.reporting.test_bi_compat import reader_cache, reader_python

    python = reader_python("1.0.0", reader_cache(request, tmp_path_factory))
    published = built_warehouse.settings.published_duckdb_path
    run = subprocess.run(
        [str(python), "-c", READ_EVERY_TABLE, str(published)],
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
    )
    assert run.returncode == 0, run.stderr
    with duckdb.connect(str(published), read_only=True) as con:
        expected = {
            f"{schema}.{table}": con.execute(
                f'select count(*) from "{schema}"."{table}"'
            ).fetchone()[0]
            for schema, table in con.execute(
                "select schema_name, table_name from duckdb_tables()"
            ).fetchall()
        }
    assert json.loads(run.stdout) == expected


PLAN_MARTS = {
    "allocation_cost_breakdown": "select plan_name, plan_status, product_id, total_cost "
    "from marts.allocation_cost_breakdown order by all",
    "scenario_comparison": "select scenario_id, plan_status, total_cost, fill_rate, "
    "units_transferred from marts.scenario_comparison order by all",
    "fct_replenishment_plan": "select * from marts.fct_replenishment_plan order by all",
    "fct_transfer_plan": "select * from marts.fct_transfer_plan order by all",
    "fct_demand_forecast": "select * from marts.fct_demand_forecast order by all",
}


def _plan_marts(path: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {name: con.execute(sql).df() for name, sql in PLAN_MARTS.items()}


def _plan_again(
    settings: WarehouseSettings, forecast: bool = False, **run: object
) -> dg.ExecuteInProcessResult:
    """allocation_plan (the partitions `run` names) and the dbt layer after it; with forecast,
    demand_forecast and the dbt layer after it first."""
    from dagster_defs.definitions import build_definitions

    defs = build_definitions(settings)
    assets = ["optimization/transfer_plan"]
    layers = ["dbt_after_optimization"]
    if forecast:
        assets.append("forecasting/demand_forecast")
        layers.append("dbt_after_forecast")
    keys = [
        k for a in assets for k in defs.resolve_assets_def(dg.AssetKey.from_user_string(a)).keys
    ]
    keys += [k for d in DBT_LAYERS if d.op.name in layers for k in d.keys]
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        asset_selection=keys, **run
    )
    assert result.success
    return result


def test_one_product_partition_or_two_give_the_same_marts_and_one_can_be_planned_again(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    from dagster_defs.assets.optimization import every_partition_tags

    built = built_warehouse.settings
    assert built.plan_partitions == 2
    two = _plan_marts(built.duckdb_path)
    one = WarehouseSettings(
        duckdb_path=tmp_path / "one" / "warehouse.duckdb",
        dataset="demo",
        demo_size="tiny",
        plan_partitions=1,
    )
    again = WarehouseSettings(
        duckdb_path=tmp_path / "again" / "warehouse.duckdb", dataset="demo", demo_size="tiny"
    )
    for copy in (one, again):
        shutil.copytree(built.duckdb_path.parent, copy.duckdb_path.parent)

    # the forecast and the plan over one partition: the forecast's one file holds the rows the
    # two partitions' files held, and the plan's optimum is the same
    _plan_again(one, forecast=True, tags=every_partition_tags(1))
    for table in ("forecasting/demand_forecast", "optimization/transfer_plan"):
        assert sorted(p.name for p in (one.handoff_dir / table).iterdir()) == [
            "shard-1-of-1.parquet"
        ]
    for name, frame in _plan_marts(one.duckdb_path).items():
        pd.testing.assert_frame_equal(frame, two[name], rtol=1e-6, obj=name)

    # one partition planned again: its files are rewritten, the other's are left as they were
    folder = again.handoff_dir / "optimization" / "store_product_plan"
    first, second = folder / "shard-1-of-2.parquet", folder / "shard-2-of-2.parquet"
    before = (first.stat().st_mtime_ns, second.stat().st_mtime_ns)
    result = _plan_again(again, partition_key="shard-2-of-2")
    assert first.stat().st_mtime_ns == before[0] and second.stat().st_mtime_ns != before[1]
    # its materialisation says which partition its figures are of
    (plan,) = [
        m
        for m in result.asset_materializations_for_node("allocation_plan")
        if m.asset_key == dg.AssetKey(["optimization", "transfer_plan"])
    ]
    assert plan.partition == "shard-2-of-2"
    assert plan.metadata["partitions"].value == "shard-2-of-2"
    for name, frame in _plan_marts(again.duckdb_path).items():
        pd.testing.assert_frame_equal(frame, two[name], rtol=1e-6, obj=name)


def test_the_input_warnings_fire_on_a_partial_last_day_and_on_old_stock(
    built_warehouse: BuiltWarehouse, tmp_path: Path
) -> None:
    """The dbt tests of severity warn: silent on the demo, a warning (not an error) when the
    last sales day sold a tenth of its units (an export taken early in the day), when two days
    have no sales row at all (an export that lost them), when a store with stock has no sales,
    when the stock is older than the sales, when a planned holiday flag has no holiday in the
    history to learn from, and when a product with packs was planned in fractional units."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.settings.duckdb_path, copy)
    tests = [
        "test_inputs__every_stocked_store_has_sales",
        "test_inputs__last_sales_day_is_complete",
        "test_inputs__no_sales_date_is_missing",
        "test_inputs__stock_is_as_of_the_last_sales_day",
        "test_inputs__planned_covariates_have_a_history",
        "test_optimization__packs_are_applied",
    ]

    def dbt_test() -> str:
        dbt_vars = {"duckdb_path": str(copy), "handoff_dir": str(tmp_path / "handoff")}
        done = subprocess.run(
            [str(DBT_EXECUTABLE), "test", "--select", *tests, "--vars", json.dumps(dbt_vars),
             "--project-dir", str(dbt_project.project_dir), "--profiles-dir",
             str(dbt_project.profiles_dir), "--target-path", str(tmp_path / "target")],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout[-2000:]
        return done.stdout

    assert "PASS=6 WARN=0" in dbt_test()
    with duckdb.connect(str(copy)) as con:
        con.execute(
            "update marts.fct_sales_daily set units_sold = units_sold / 10 "
            "where sales_date = (select max(sales_date) from marts.fct_sales_daily)"
        )
        # the staging view reads the input files: put a copy without two days, and without
        # any sales of one store, in its place
        con.execute(
            "create table staging.sales_kept as select * from staging.stg_inputs__sales_daily "
            "where sales_date - (select min(sales_date) from staging.stg_inputs__sales_daily) "
            "not in (10, 11) "
            "and store_id <> (select min(store_id) from staging.stg_inputs__sales_daily)"
        )
        con.execute("drop view staging.stg_inputs__sales_daily")
        con.execute(
            "create view staging.stg_inputs__sales_daily as select * from staging.sales_kept"
        )
        # a history without holidays (as if sales_daily had no holiday_flag) and a plan with one
        con.execute("update staging.sales_kept set is_holiday = false")
        con.execute(
            "create table staging.planned_kept as select * from "
            "staging.stg_inputs__planned_covariates"
        )
        con.execute(
            "update staging.planned_kept set is_holiday = true where forecast_date = "
            "(select min(forecast_date) from staging.planned_kept)"
        )
        con.execute("drop view staging.stg_inputs__planned_covariates")
        con.execute(
            "create view staging.stg_inputs__planned_covariates as "
            "select * from staging.planned_kept"
        )
        # one product with packs planned in fractional units
        con.execute(
            "update marts.allocation_plan_status set plan_units = 'fractional' where product_id = "
            "(select min(product_id) from marts.dim_products where pack_size > 1)"
        )
        con.execute(
            "insert into marts.dataset_assumptions values "
            "('demo', 'stock_older_than_sales', 'The stock ...', '2026-06-01')"
        )
    printed = dbt_test()
    assert "PASS=0 WARN=6" in printed
    assert "WARN 2 test_inputs__no_sales_date_is_missing" in printed
    assert all(f"WARN 1 {t}" in printed for t in tests if "missing" not in t)
