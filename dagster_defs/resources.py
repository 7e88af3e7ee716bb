"""Resources: the run settings (dataset, paths, setting overrides) as Dagster config, and the one
way a step gets the seed settings in force for its run."""

from __future__ import annotations

import typing
from dataclasses import fields

import dagster as dg
import duckdb
from duckdb import DuckDBPyConnection
from pydantic import Field, create_model

from python_assets.seed_settings import SettingsError, override_mismatches, validate_settings
from python_assets.settings import WarehouseSettings, config_type

RESOLVED_SETTINGS = dg.AssetKey(["intermediate", "int_settings_resolved"])


class _WarehouseSettingsConfig(dg.ConfigurableResource):
    def settings(self) -> WarehouseSettings:
        return WarehouseSettings.from_values(self.model_dump())

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
        return WarehouseSettingsResource(**settings.as_config())


def _config_field(name: str) -> tuple[typing.Any, typing.Any]:
    declared = next(f for f in fields(WarehouseSettings) if f.name == name)
    description = f"{declared.metadata['doc']} (env {declared.metadata['env']})"
    default = WarehouseSettings().as_config()[name]
    hint = typing.get_type_hints(WarehouseSettings)[name]
    return config_type(hint), Field(default=default, description=description)


# the fields of WarehouseSettings, each with its description, in Dagster's launchpad: a field
# added to WarehouseSettings appears here without a second declaration
WarehouseSettingsResource = create_model(
    "WarehouseSettingsResource",
    __base__=_WarehouseSettingsConfig,
    __doc__="The run settings (README, Settings); defaults come from the environment.",
    **{f.name: _config_field(f.name) for f in fields(WarehouseSettings)},
)
