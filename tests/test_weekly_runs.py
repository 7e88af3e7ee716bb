"""Weekly runs on the tiny demo warehouse: each run appends its forecast and plan to the history
tables, and the next run scores an earlier run's forecast on the sales that followed it."""

from __future__ import annotations

import shutil

import dagster as dg
import duckdb
import pytest

from python_assets import handoff
from python_assets.run_history import append_run_tables
from python_assets.settings import WarehouseSettings
from tests.conftest import BuiltWarehouse

HISTORY_KEYS = [
    dg.AssetKey(["forecasting", "forecast_history"]),
    dg.AssetKey(["forecasting", "forecast_monitoring"]),
    dg.AssetKey(["optimization", "plan_history"]),
    dg.AssetKey(["optimization", "plan_cost_history"]),
]
# the forecast a run a week earlier would have recorded: this run's, a week back
EARLIER_RUN = """
select * replace (
    'a-week-earlier' as run_id,
    origin_date - interval 7 day as origin_date,
    forecast_date - interval 7 day as forecast_date
)
from forecasting.forecast_history
where run_id = ?
"""
# the days of that forecast that have a sales row (a product launched inside the week has none
# before its launch): every one of them is scored or excluded as censored
ARRIVED_ROWS = """
select count(*)
from {history} h
join marts.fct_sales_daily s
  on s.store_id = h.store_id and s.product_id = h.product_id
 and s.sales_date = cast(h.forecast_date as date)
where h.run_id = 'a-week-earlier'
"""
# WAPE of that forecast on the sales of its week, uncensored days only, computed independently
EXPECTED_WAPE = """
select sum(abs(h.forecast_units - s.units_sold)) / sum(s.units_sold)
from {history} h
join marts.fct_sales_daily s
  on s.store_id = h.store_id and s.product_id = h.product_id
 and s.sales_date = cast(h.forecast_date as date)
where h.run_id = 'a-week-earlier' and not s.is_stockout_censored
"""


def test_weekly_runs_append_history_and_score_the_previous_forecast(
    built_warehouse: BuiltWarehouse, tmp_path
) -> None:
    result = built_warehouse.result
    assert result.success
    first_run = result.run_id
    root = built_warehouse.settings.handoff_dir
    with duckdb.connect(str(built_warehouse.settings.duckdb_path), read_only=True) as con:
        chosen = con.execute(
            f"select count(*) from {handoff.relation(root, 'forecasting', 'demand_forecast')} "
            "where is_chosen"
        ).fetchall()[0][0]

        # other tests of the session may have materialised the warehouse again: count this run's
        def of_run(table: str) -> list[tuple]:
            schema, name = table.split(".")
            relation = table if schema == "marts" else handoff.relation(root, schema, name)
            return con.execute(
                f"select count(*) from {relation} where run_id = ?", [first_run]
            ).fetchall()

        assert of_run("forecasting.forecast_history") == [(chosen,)]
        plan_rows = con.execute(
            f"select count(*) from {handoff.relation(root, 'optimization', 'store_product_plan')}"
        ).fetchall()
        assert of_run("optimization.plan_history") == plan_rows
        plans = con.execute(
            "select count(distinct plan_name) from "
            f"{handoff.relation(root, 'optimization', 'cost_breakdown')}"
        ).fetchall()
        assert of_run("optimization.plan_cost_history") == plans
        # the first run's forecast has no sales after its origin yet
        monitoring = handoff.relation(root, "forecasting", "forecast_monitoring")
        assert con.execute(f"select count(*) from {monitoring}").fetchall() == [(0,)]
        # the marts BI reads: the drift tests and the costs this run recorded
        assert con.execute(
            "select count(*) from marts.demand_drift where demand_class = 'all'"
        ).fetchall() == [(1,)]
        assert of_run("marts.plan_cost_history") == plans
        assert con.execute("select count(*) from marts.forecast_monitoring").fetchall() == [(0,)]
        # the demo writes transfers_executed: completion rates per store and region
        rates = con.execute(
            "select min(receipt_completion_rate), max(receipt_completion_rate), count(*) "
            "from marts.kpi_transfer_completion_region"
        ).fetchall()[0]
        assert 0 < rates[0] <= rates[1] <= 1 and rates[2] == 3
    warnings = {
        e.check_name: e
        for e in result.get_asset_check_evaluations()
        if e.check_name in ("forecast_accuracy_within_backtest", "demand_not_drifted")
    }
    assert set(warnings) == {"forecast_accuracy_within_backtest", "demand_not_drifted"}
    assert all(e.severity == dg.AssetCheckSeverity.WARN for e in warnings.values())

    copy = tmp_path / "weekly.duckdb"
    shutil.copy(built_warehouse.settings.duckdb_path, copy)
    from dagster_defs.definitions import build_definitions

    settings = WarehouseSettings(duckdb_path=copy, dataset="demo", demo_size="tiny")
    shutil.copytree(built_warehouse.settings.handoff_dir, settings.handoff_dir)
    with handoff.connect(settings.handoff_dir) as con:
        earlier = con.execute(EARLIER_RUN, [first_run]).df()
    append_run_tables(
        settings.handoff_dir, "forecasting", {"forecast_history": earlier}, "a-week-earlier"
    )
    job = build_definitions(settings).resolve_implicit_global_asset_job_def()
    second = job.execute_in_process(asset_selection=HISTORY_KEYS)
    assert second.success
    root = settings.handoff_dir
    history = handoff.relation(root, "forecasting", "forecast_history")
    monitoring = handoff.relation(root, "forecasting", "forecast_monitoring")
    with duckdb.connect(str(copy), read_only=True) as con:
        runs = con.execute(f"select run_id, count(*) from {history} group by run_id").fetchall()
        expected = {first_run: chosen, "a-week-earlier": chosen, second.run_id: chosen}
        assert {run: n for run, n in runs if run in expected} == expected
        assert (
            con.execute(
                f"select count(*) from {handoff.relation(root, 'optimization', 'plan_history')} "
                "where run_id = ?",
                [second.run_id],
            ).fetchall()
            == plan_rows
        )
        scored = con.execute(
            "select run_id, wape, scored_rows + censored_rows_excluded, "
            "last_scored_date = (select max(sales_date) from marts.fct_sales_daily) "
            f"from {monitoring} where segment_type = 'all'"
        ).fetchall()
        # only the earlier forecast has arrived sales: all 7 days of it, every series
        arrived = con.execute(ARRIVED_ROWS.format(history=history)).fetchall()[0][0]
        stores = con.execute("select count(*) from marts.dim_stores").fetchall()[0][0]
        assert 0 <= chosen - arrived < 7 * stores  # at most one launch's days are missing
        assert [(r[0], r[2], r[3]) for r in scored] == [("a-week-earlier", arrived, True)]
        expected_wape = con.execute(EXPECTED_WAPE.format(history=history)).fetchall()[0][0]
        assert scored[0][1] == pytest.approx(expected_wape)
        classes = con.execute(
            f"select count(*) from {monitoring} where segment_type = 'demand_class'"
        ).fetchall()[0][0]
        assert classes >= 1
