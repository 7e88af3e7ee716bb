"""Run settings read from the environment: one place for paths, the dataset and its size."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_DUCKDB_PATH = REPO_ROOT / "warehouse" / "warehouse.duckdb"
DEFAULT_FRN_PATH = REPO_ROOT.parent / "shared" / "data" / "freshretailnet50k" / "train.parquet"
DATASETS = ("demo", "freshretailnet", "files")


@dataclass(frozen=True)
class WarehouseSettings:
    """Where the warehouse lives and which input it is built from.

    dataset: 'demo' generates the demo network, 'freshretailnet' adapts FreshRetailNet-50K,
    'files' reads a user's own folder of input files (INPUT_DIR).
    """

    duckdb_path: Path = DEFAULT_DUCKDB_PATH
    dataset: str = "demo"
    input_dir: Path | None = None
    frn_path: str = str(DEFAULT_FRN_PATH)
    frn_city_ids: tuple[int, ...] = ()
    frn_future_path: str = ""  # FreshRetailNet file of the days after the history (optional)
    demo_size: str = "default"
    demo_seed: int = 42
    demo_profile: str = "mixed"  # smooth | mixed | intermittent (python_assets/inputs/demo)
    export_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise ValueError(f"DATASET must be one of {DATASETS}, got {self.dataset!r}")
        if not Path(self.duckdb_path).is_absolute():
            raise ValueError(
                f"DUCKDB_PATH must be absolute (dbt and Dagster resolve relative paths from "
                f"different folders), got {self.duckdb_path}"
            )
        if self.dataset == "files" and self.input_dir is None:
            raise ValueError("DATASET=files needs INPUT_DIR, the folder holding your input files")

    @property
    def resolved_input_dir(self) -> Path:
        """The folder the input files are read from (generated ones go beside the warehouse)."""
        if self.input_dir is not None:
            return Path(self.input_dir)
        return Path(self.duckdb_path).parent / "inputs" / self.dataset

    @property
    def published_duckdb_path(self) -> Path:
        """The BI copy of the marts (a separate DuckDB file readers may hold open)."""
        return Path(self.duckdb_path).parent / "published" / "bi.duckdb"

    @property
    def parquet_export_dir(self) -> Path:
        """One Parquet file per mart, for BI tools that do not read DuckDB (EXPORT_DIR)."""
        return (
            Path(self.export_dir)
            if self.export_dir
            else Path(self.duckdb_path).parent / "published" / "parquet"
        )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> WarehouseSettings:
        cities = environ.get("FRN_CITIES", "")
        return cls(
            duckdb_path=Path(environ.get("DUCKDB_PATH") or DEFAULT_DUCKDB_PATH),
            dataset=environ.get("DATASET") or "demo",
            input_dir=Path(environ["INPUT_DIR"]) if environ.get("INPUT_DIR") else None,
            frn_path=environ.get("FRN_PATH") or str(DEFAULT_FRN_PATH),
            frn_city_ids=tuple(int(c) for c in cities.split(",") if c.strip()),
            frn_future_path=environ.get("FRN_FUTURE_PATH") or "",
            demo_size=environ.get("DEMO_SIZE") or "default",
            demo_seed=int(environ.get("DEMO_SEED") or 42),
            demo_profile=environ.get("DEMO_PROFILE") or "mixed",
            export_dir=Path(environ["EXPORT_DIR"]) if environ.get("EXPORT_DIR") else None,
        )
