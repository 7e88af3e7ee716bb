"""File exports of warehouse tables: the Z-score rule's three marts as CSV, for users outside
the warehouse."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_defs.resources import RESOLVED_SETTINGS, WarehouseSettingsResource
from python_assets.imbalance.exports import export_tables_csv

STEP8_TABLES = (
    "imbalanced_rule_results",
    "imbalanced_detailed_cases",
    "imbalanced_zscore_analysis",
)


@dg.asset(
    key=["exports", "step8_csv"],
    deps=[RESOLVED_SETTINGS, *(dg.AssetKey(["marts", t]) for t in STEP8_TABLES)],
    group_name="exports",
    kinds={"csv"},
)
def step8_csv(
    duckdb: DuckDBResource, warehouse_settings: WarehouseSettingsResource
) -> dg.MaterializeResult:
    """The Z-score rule's three marts as CSV beside the warehouse, when the setting export_csv is
    true (seeds/rule_settings.csv or the run's setting_overrides; otherwise nothing is written)."""
    folder = warehouse_settings.settings().duckdb_path.parent / "exports" / "step8"
    with duckdb.get_connection() as con:
        if warehouse_settings.settings_in_force(con)["export_csv"] != "true":
            return dg.MaterializeResult(
                metadata={
                    "exported": False,
                    "how": "set export_csv to true in seeds/rule_settings.csv or setting_overrides",
                }
            )
        rows = export_tables_csv(con, [f"marts.{t}" for t in STEP8_TABLES], folder)
    return dg.MaterializeResult(
        metadata={
            "exported": True,
            "folder": dg.MetadataValue.path(str(folder)),
            **{f"rows/{t}": n for t, n in rows.items()},
        }
    )
