"""The start of the graph: the dataset's input files, validated and loaded as the raw tables of
the Parquet hand-off (python_assets/handoff.py), which dbt reads as its source `inputs`."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_defs.resources import WarehouseSettingsResource
from python_assets.inputs.contract import INPUT_TABLES
from python_assets.inputs.datasets import prepare_input_files
from python_assets.inputs.validation import RAW_SCHEMA, load_inputs, validate_inputs

INPUT_FILES_KEY = dg.AssetKey(["landing", "input_files"])


@dg.asset(key=INPUT_FILES_KEY, group_name="inputs", kinds={"python", "parquet"})
def input_files(warehouse_settings: WarehouseSettingsResource) -> dg.MaterializeResult:
    """The dataset's input files in one folder: the demo network (generated), FreshRetailNet-50K
    (adapted from its published layout) or a user's own folder (DATASET=files)."""
    settings = warehouse_settings.settings()
    rows = prepare_input_files(settings)
    return dg.MaterializeResult(
        metadata={
            "dataset": settings.dataset,
            "folder": dg.MetadataValue.path(str(settings.resolved_input_dir)),
            **{f"rows/{table}": n for table, n in rows.items()},
        }
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            [RAW_SCHEMA, table.name],
            deps=[INPUT_FILES_KEY],
            group_name=RAW_SCHEMA,
            kinds={"parquet"},
            description=f"Input table `{table.name}` as loaded: {table.grain}.",
        )
        for table in INPUT_TABLES
    ],
)
def raw_tables(
    context: dg.AssetExecutionContext,
    warehouse_settings: WarehouseSettingsResource,
    duckdb: DuckDBResource,  # opens no connection: see below
):
    """Validate every input file against the contract, then replace the raw tables, all or
    nothing. A contract violation fails the run before anything is written.

    The step asks for the warehouse resource only for what comes with it: the run lock and the
    start-of-run copy, which cover the hand-off folder too (dagster_defs/resources.py)."""
    settings = warehouse_settings.settings()
    folder = settings.resolved_input_dir
    files = validate_inputs(folder, date_format=settings.input_date_format)
    rows = load_inputs(settings.handoff_dir, files, settings.input_date_format)
    context.log.info("loaded %s", rows)
    for table in INPUT_TABLES:
        path = files.get(table.name)
        yield dg.MaterializeResult(
            asset_key=[RAW_SCHEMA, table.name],
            metadata={
                "dagster/row_count": rows[table.name],
                "file": str(path) if path else "absent (empty table)",
            },
        )
