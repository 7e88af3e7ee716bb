"""Resources: the run settings (dataset, paths, setting overrides) as Dagster config."""

from __future__ import annotations

import typing
from dataclasses import fields

import dagster as dg
from pydantic import Field, create_model

from python_assets.settings import WarehouseSettings, config_type


class _WarehouseSettingsConfig(dg.ConfigurableResource):
    def settings(self) -> WarehouseSettings:
        return WarehouseSettings.from_values(self.model_dump())

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
