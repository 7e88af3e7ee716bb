"""Resources: the run settings (dataset, paths) and the DuckDB warehouse."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from pydantic import Field

from python_assets.settings import WarehouseSettings


class WarehouseSettingsResource(dg.ConfigurableResource):
    """Which dataset a run builds from; defaults come from the environment (README, "Settings")."""

    duckdb_path: str
    dataset: str = "demo"
    input_dir: str = ""
    frn_path: str = ""
    frn_city_ids: list[int] = Field(default_factory=list)
    frn_future_path: str = ""
    demo_size: str = "default"
    demo_seed: int = 42
    demo_profile: str = "mixed"
    export_dir: str = ""

    @classmethod
    def from_settings(cls, settings: WarehouseSettings) -> WarehouseSettingsResource:
        return cls(
            duckdb_path=str(settings.duckdb_path),
            dataset=settings.dataset,
            input_dir=str(settings.input_dir or ""),
            frn_path=settings.frn_path,
            frn_city_ids=list(settings.frn_city_ids),
            frn_future_path=settings.frn_future_path,
            demo_size=settings.demo_size,
            demo_seed=settings.demo_seed,
            demo_profile=settings.demo_profile,
            export_dir=str(settings.export_dir or ""),
        )

    def settings(self) -> WarehouseSettings:
        return WarehouseSettings(
            duckdb_path=Path(self.duckdb_path),
            dataset=self.dataset,
            input_dir=Path(self.input_dir) if self.input_dir else None,
            frn_path=self.frn_path,
            frn_city_ids=tuple(self.frn_city_ids),
            frn_future_path=self.frn_future_path,
            demo_size=self.demo_size,
            demo_seed=self.demo_seed,
            demo_profile=self.demo_profile,
            export_dir=Path(self.export_dir) if self.export_dir else None,
        )
