"""Resources: the run settings (dataset, paths, setting overrides) as Dagster config, the one
way a step gets the seed settings in force for its run, the run lock a run holds on its warehouse
and the warehouse connection, which also puts the warehouse back as it was when a run fails."""

from __future__ import annotations

import functools
import importlib.metadata
import time
import typing
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource
from duckdb import DuckDBPyConnection
from packaging import version
from pydantic import Field, create_model

from python_assets import handoff, run_backup, run_lock
from python_assets.seed_settings import SettingsError, override_mismatches, validate_settings
from python_assets.settings import WarehouseSettings, config_type

RESOLVED_SETTINGS = dg.AssetKey(["intermediate", "int_settings_resolved"])


class _WarehouseSettingsConfig(dg.ConfigurableResource):
    def settings(self) -> WarehouseSettings:
        return WarehouseSettings.from_values(self.model_dump())

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """A run holds its warehouse's run lock from start to end (python_assets/run_lock.py):
        a second run on the same file stops here, before writing anything. Under `make run`,
        the command holds it for the whole run instead."""
        if not run_lock.owned_by_run(self.settings().duckdb_path):
            _hold_run_lock(self.settings().duckdb_path)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if not run_lock.owned_by_run(self.settings().duckdb_path):
            run_lock.release(self.settings().duckdb_path)

    def checked_overrides(self) -> dict[str, str | None]:
        """The run's setting overrides as canonical text, after checking them and the seeds
        against seeds/setting_rules.csv; a dg.Failure listing every problem otherwise."""
        try:
            return validate_settings(self.settings().setting_overrides)
        except SettingsError as error:
            raise dg.Failure(description=str(error), allow_retries=False) from None

    def settings_in_force(self, con: DuckDBPyConnection) -> dict[str, str | None]:
        """Setting -> value from int_settings_resolved, refused when that table was built with
        other overrides than this run's (it is rebuilt only when the run includes it)."""
        wanted = self.checked_overrides()
        try:
            rows = con.execute(
                "select setting, value, source from intermediate.int_settings_resolved"
            ).fetchall()
        except duckdb.CatalogException:
            raise dg.Failure(
                description="intermediate.int_settings_resolved does not exist yet: "
                "materialise it (dbt_core) before this step"
            ) from None
        in_force = {name: value for name, value, source in rows if source == "override"}
        if stale := override_mismatches(in_force, wanted):
            raise dg.Failure(
                description=f"setting_overrides {', '.join(stale)}: this run's values differ "
                f"from those intermediate.int_settings_resolved was built with ({in_force}); "
                "include intermediate/int_settings_resolved in the run so every step uses them",
                allow_retries=False,
            )
        return {name: value for name, value, _ in rows}

    @classmethod
    def from_settings(cls, settings: WarehouseSettings) -> WarehouseSettingsResource:
        """The resource of these settings, whose launchpad fields default to them too: a run's
        config that gives some fields (setting_overrides, say) keeps these for the others."""
        values = settings.as_config()
        with_defaults = create_model(
            "WarehouseSettingsResource",
            __base__=WarehouseSettingsResource,
            **{f.name: _config_field(f.name, values) for f in fields(WarehouseSettings)},
        )
        return with_defaults(**values)


def _hold_run_lock(duckdb_path: Path) -> None:
    try:
        run_lock.acquire(duckdb_path)
    except run_lock.WarehouseBusyError as error:
        raise dg.Failure(description=str(error), allow_retries=False) from None


def _config_field(name: str, defaults: dict[str, typing.Any]) -> tuple[typing.Any, typing.Any]:
    declared = next(f for f in fields(WarehouseSettings) if f.name == name)
    description = f"{declared.metadata['doc']} (env {declared.metadata['env']})"
    hint = typing.get_type_hints(WarehouseSettings)[name]
    return config_type(hint), Field(default=defaults[name], description=description)


# the fields of WarehouseSettings, each with its description, in Dagster's launchpad: a field
# added to WarehouseSettings appears here without a second declaration
WarehouseSettingsResource = create_model(
    "WarehouseSettingsResource",
    __base__=_WarehouseSettingsConfig,
    __doc__="The run settings (README, Settings); from_settings gives the definitions' own.",
    **{
        f.name: _config_field(f.name, WarehouseSettings().as_config())
        for f in fields(WarehouseSettings)
    },
)


# How long a step waits for another process to close the warehouse before it gives up
LOCK_WAIT_SECONDS = 5.0


def connect_warehouse(database: str, config: dict[str, Any] | None = None) -> DuckDBPyConnection:
    """A read-write connection to the warehouse, or a dg.Failure naming the file and what to
    do when another process holds it open (DuckDB allows one writing process per file)."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return duckdb.connect(database, read_only=False, config=config or {})
        except duckdb.IOException as error:
            if "could not set lock" not in str(error).lower():
                raise
            if time.monotonic() >= deadline:
                raise dg.Failure(
                    description=f"The warehouse {database} is open in another process, so this "
                    "run cannot write to it. Close that process (a DuckDB shell, a notebook, a "
                    "BI tool or a second run; BI tools should read the published copy "
                    f"published/bi.duckdb instead) and start the run again. DuckDB said: {error}",
                    allow_retries=False,
                ) from None
            time.sleep(0.5)


def _run_failed(context: dg.InitResourceContext) -> bool:
    """Whether a step of this run failed so far (an interrupted step counts as failed)."""
    if context.instance is None or context.run is None:
        return False
    failures = context.instance.get_records_for_run(
        context.run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE, limit=1
    )
    return bool(failures.records)


class WarehouseDuckDBResource(DuckDBResource):
    """DuckDBResource whose connection fails with a clear message, naming the file and what to
    do, when another process holds the warehouse open.

    A run that uses it holds the warehouse's run lock and copies the warehouse before its first
    step; when a step fails, the copy is put back at the end of the run, so a failed run changes
    no table (python_assets/run_backup.py). Under `make run` the command does both for the whole
    run instead (its steps may run in several processes). A connection holds the warehouse's
    open lock, so steps of one run in other processes take turns with the file. When the Parquet
    hand-off is a URL (`handoff_dir`), a connection reads it as dbt's does (the staging views
    over the sources read it)."""

    handoff_dir: str = Field(
        default="", description="The Parquet hand-off, when not handoff/ beside the warehouse."
    )

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        path = Path(self.database)
        if run_lock.owned_by_run(path):
            return
        _hold_run_lock(path)
        try:
            recovered = run_backup.begin_run(path, self._handoff())
        except BaseException:
            run_lock.release(path)
            raise
        if recovered:
            context.log.warning(recovered)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        path = Path(self.database)
        if run_lock.owned_by_run(path):
            return
        try:
            if run_backup.end_run(path, not _run_failed(context), self._handoff()):
                context.log.warning(
                    f"A step failed: the warehouse {path} was put back as it was before the "
                    "run, so no table changed."
                )
        finally:
            run_lock.release(path)

    @contextmanager
    def get_connection(self) -> Iterator[DuckDBPyConnection]:
        with run_lock.open_lock(Path(self.database)):
            con = connect_warehouse(
                self.database, {"custom_user_agent": "dagster", **self.connection_config}
            )
            try:
                yield handoff.register(con, self._handoff())
            finally:
                con.close()

    def _handoff(self) -> Path | str:
        return self.handoff_dir or handoff.handoff_dir(Path(self.database))


class WarehouseDbtResource(DbtCliResource):
    """dagster-dbt's dbt resource without two things it does before every dbt command, in the
    step's own process and one after the other, that this project does not need:
    - it runs `dbt --version` to learn the executable's version: the executable
      (DBT_EXECUTABLE in dagster_defs/assets/dbt.py) is the dbt-core installed beside this
      Python, so the package's version is it;
    - it opens a dbt adapter in the step's process, which only serves fetching row counts and
      column metadata from the warehouse (`fetch_row_counts`, `fetch_column_metadata`); the
      layers ask for neither, and dbt's own process builds every table.
    Both are private hooks of dagster-dbt; tests/test_pipeline.py checks that they still exist."""

    @functools.cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None
