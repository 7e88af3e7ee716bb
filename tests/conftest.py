"""Shared fixtures: a dbt manifest for the definitions, and the whole graph built once on the
tiny demo network in a temporary warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from python_assets.settings import DBT_PROJECT_DIR, WarehouseSettings


@dataclass
class BuiltWarehouse:
    settings: WarehouseSettings
    defs: dg.Definitions
    result: dg.ExecuteInProcessResult


def materialize_everything(
    defs: dg.Definitions, raise_on_error: bool = True
) -> dg.ExecuteInProcessResult:
    """Every asset, every product partition of the plan (as `make run`)."""
    from dagster_defs.assets.optimization import every_partition_tags

    job = defs.resolve_implicit_global_asset_job_def()
    partitions = len(job.partitions_def.get_partition_keys())
    return job.execute_in_process(
        raise_on_error=raise_on_error, tags=every_partition_tags(partitions)
    )


@pytest.fixture(scope="session")
def env_guard() -> Iterator[pytest.MonkeyPatch]:
    """A dbt manifest for the definitions (dbt takes the warehouse path from the run, as a var)."""
    with pytest.MonkeyPatch.context() as patch:
        if not (DBT_PROJECT_DIR / "target" / "manifest.json").exists():
            from dagster_defs.assets.dbt import dbt_project

            dbt_project.preparer.prepare(dbt_project)
        yield patch


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory, env_guard) -> BuiltWarehouse:
    from dagster_defs.definitions import build_definitions

    root: Path = tmp_path_factory.mktemp("warehouse")
    settings = WarehouseSettings(
        duckdb_path=root / "warehouse.duckdb", dataset="demo", demo_size="tiny"
    )
    defs = build_definitions(settings)
    return BuiltWarehouse(settings, defs, materialize_everything(defs))
