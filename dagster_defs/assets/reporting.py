"""The end of the graph: the regional rebalancing report (one self-contained HTML file beside
the warehouse) and the BI copy of the marts, published only after everything succeeded."""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_defs.assets.dbt import mart_keys
from dagster_defs.resources import WarehouseSettingsResource
from python_assets import run_lock
from python_assets.files import write_text_atomic
from python_assets.reporting import (
    REPORT_TABLES,
    load_report_data,
    render_report_html,
    report_summary_markdown,
)
from python_assets.reporting.publishing import publish_marts

REPORT_FILE_NAME = "rebalancing_report.html"


def report_path(warehouse_settings: WarehouseSettingsResource) -> Path:
    """<warehouse folder>/reports/rebalancing_report.html (the dbt exposure points there)."""
    return warehouse_settings.settings().duckdb_path.parent / "reports" / REPORT_FILE_NAME


@dg.asset(
    key=["reporting", "rebalancing_report"],
    deps=[dg.AssetKey(table.split(".")) for table in REPORT_TABLES],
    group_name="reporting",
    kinds={"html"},
)
def rebalancing_report(
    duckdb: DuckDBResource, warehouse_settings: WarehouseSettingsResource
) -> dg.MaterializeResult:
    """The regional rebalancing report from the tables of REPORT_TABLES (marts and the reports
    schema): executive summary, regional demand heatmap, store performance, seasonal mix,
    treemap, top transfers, balance before and after, scenarios, forecast accuracy, Z-score
    cases, store recommendations, monitoring KPIs and the dataset's assumptions. One HTML file
    with embedded charts: opens offline (README, "KPIs, report and BI")."""
    with duckdb.get_connection() as con:
        data = load_report_data(con)
    html = render_report_html(data, generated_at=datetime.now(UTC))
    path = report_path(warehouse_settings)
    # written beside the target and swapped in, so a browser never opens half a report
    write_text_atomic(path, html)
    return dg.MaterializeResult(
        metadata={
            "summary": dg.MetadataValue.md(report_summary_markdown(data)),
            "path": dg.MetadataValue.path(str(path)),
            "size_bytes": dg.MetadataValue.int(path.stat().st_size),
            "missing_tables": dg.MetadataValue.json(list(data.missing_tables)),
        }
    )


@dg.asset(
    key=["reporting", "published_marts"],
    deps=[*mart_keys(), dg.AssetKey(["reporting", "rebalancing_report"])],
    group_name="reporting",
    kinds={"duckdb", "parquet"},
)
def published_marts(
    context: dg.AssetExecutionContext, warehouse_settings: WarehouseSettingsResource
) -> dg.MaterializeResult:
    """Every mart copied to a separate DuckDB file (bi.duckdb) and one Parquet file per mart,
    each swapped in atomically: BI tools read these, never the warehouse, so they neither block
    a run nor see half of one."""
    settings = warehouse_settings.settings()
    with run_lock.open_lock(settings.duckdb_path):  # reads the warehouse (read-only)
        result = publish_marts(
            settings.duckdb_path,
            settings.published_duckdb_path,
            settings.parquet_export_dir,
            run_id=context.run.run_id,
        )
    return dg.MaterializeResult(
        metadata={
            "published_duckdb": dg.MetadataValue.path(str(result.duckdb_path)),
            "parquet_folder": dg.MetadataValue.path(str(result.parquet_dir)),
            "tables": len(result.tables),
            "rows": dg.MetadataValue.json(result.tables),
        }
    )
