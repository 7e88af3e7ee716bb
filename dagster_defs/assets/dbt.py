"""Every dbt model, seed and test as Dagster assets and checks, keyed by warehouse address."""

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from dagster_dbt.dbt_project import using_dagster_dev
from dagster_duckdb import DuckDBResource

from dagster_defs.assets import AFTER_OTHER_READY_STEPS
from dagster_defs.resources import RESOLVED_SETTINGS, WarehouseSettingsResource
from python_assets import files, run_lock
from python_assets.settings import DBT_PROJECT_DIR

# the dbt installed beside this Python: `make ui` must work whether or not the venv is on PATH
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def prepare_manifest_if_dev(project: DbtProject) -> None:
    """`dagster dev` (make ui) re-parses the dbt project when it loads the code location. Done
    here with DBT_EXECUTABLE: dagster-dbt's own `prepare_if_dev` runs `dbt` from PATH, which
    fails when the venv is not activated."""
    if using_dagster_dev():
        subprocess.run(
            [str(DBT_EXECUTABLE), "parse", "--quiet", "--profiles-dir", str(project.profiles_dir)],
            cwd=project.project_dir,
            check=True,
        )


prepare_manifest_if_dev(dbt_project)


class WarehouseTranslator(DagsterDbtTranslator):
    """Asset key = [schema, table], so a dbt source and the Python asset writing it share a key;
    group = schema; tag dbt_layer = the layer (below) that builds the asset, so one layer can be
    selected (`tag:dbt_layer=dbt_core`), as benchmarks/run.py does."""

    def __init__(self, layer: str = ""):
        super().__init__()
        self.layer = layer

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        table = dbt_resource_props.get("identifier") or dbt_resource_props.get("alias")
        return dg.AssetKey([dbt_resource_props["schema"], table or dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        tags = super().get_tags(dbt_resource_props)
        return {**tags, "dbt_layer": self.layer} if self.layer else tags


def run_target_path(run_id: str) -> Path:
    """The dbt target folder of every layer of one run. dbt parses the whole project again when
    its vars differ from those its partial-parse file was written with, and a run's vars (its
    warehouse and hand-off paths, its overrides) differ from `make manifest`'s; in one folder the
    run's first layer writes the file with the run's vars and the later layers start from it."""
    return dbt_project.project_dir / dbt_project.target_path / f"run-{run_id}"


# the dbt target folders of the last runs are kept for their logs (about 20 MB a run); older
# ones are deleted when a run starts dbt, unless written to in the last day (a run still going)
RUN_TARGETS_KEPT = 10


def _dbt_layer(
    name: str, select: str, exclude: str | None = None, op_tags: dict[str, str] | None = None
) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=dbt_project.manifest_path,
        project=dbt_project,
        dagster_dbt_translator=WarehouseTranslator(name),
        select=select,
        exclude=exclude,
        name=name,
        op_tags=op_tags,
    )
    def _layer(
        context: dg.AssetExecutionContext,
        dbt: DbtCliResource,
        duckdb: DuckDBResource,
        warehouse_settings: WarehouseSettingsResource,
    ):
        overrides = warehouse_settings.checked_overrides()
        if RESOLVED_SETTINGS not in context.selected_asset_keys:
            with duckdb.get_connection() as con:  # refuses overrides this step would not see
                warehouse_settings.settings_in_force(con)
        settings = warehouse_settings.settings()
        dbt_vars = {
            # the profile takes the warehouse path from this var, the sources written by Python
            # steps their folder from handoff_dir: the run's resource decides both
            "duckdb_path": str(settings.duckdb_path),
            "handoff_dir": str(settings.handoff_dir),
            "setting_overrides": overrides,
        }
        target_path = run_target_path(context.run.run_id)
        files.prune_old_folders(target_path.parent, "run-*", RUN_TARGETS_KEPT, 24 * 3600)
        with run_lock.open_lock(settings.duckdb_path):  # dbt has the file to itself
            # a file another process holds open fails here, saying what to do, not in dbt
            with duckdb.get_connection():
                pass
            yield from dbt.cli(
                ["build", "--vars", json.dumps(dbt_vars)],
                context=context,
                target_path=target_path,
            ).stream()

    return _layer


# dbt runs in layers around the tables Python assets write (dbt sources: the Parquet hand-off of
# the forecast and the LP, and the monitoring assets' tables), so the graph
# dbt -> forecast -> dbt -> LP -> dbt has no cycle between steps
PYTHON_WRITTEN = (
    "forecasting",
    "optimization",
    "forecasting_monitoring",
    "optimization_monitoring",
)
# the views over the history and monitoring tables (tagged `monitoring`) come last, in their own
# layer, so that nothing the plan needs waits for them or fails with them
MONITORING = "tag:monitoring+"
DBT_LAYERS: list[dg.AssetsDefinition] = [
    _dbt_layer("dbt_core", "fqn:*", " ".join(f"source:{s}+" for s in PYTHON_WRITTEN)),
    _dbt_layer("dbt_after_forecast", "source:forecasting+", f"source:optimization+ {MONITORING}"),
    _dbt_layer("dbt_after_optimization", "source:optimization+", MONITORING),
    _dbt_layer("dbt_monitoring", MONITORING, op_tags=AFTER_OTHER_READY_STEPS),
]


def mart_keys() -> list[dg.AssetKey]:
    """Keys of every dbt model in the marts schema."""
    return [key for layer in DBT_LAYERS for key in layer.keys if key.path[0] == "marts"]
