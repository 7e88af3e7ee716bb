"""The end of the graph: the BI copy of the marts, published only after everything succeeded."""

import dagster as dg

from dagster_defs.assets.dbt import mart_keys
from dagster_defs.resources import WarehouseSettingsResource
from python_assets.publishing import publish_marts


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
