"""Run settings: one place for paths, the dataset, its size and the run's overrides of seed
settings. Each field is declared once, with its environment variable and its description; the
Dagster resource (dagster_defs/resources.py) and `from_env` are derived from these declarations.
"""

from __future__ import annotations

import json
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from python_assets import handoff

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = REPO_ROOT / "seeds"
DEFAULT_DUCKDB_PATH = REPO_ROOT / "warehouse" / "warehouse.duckdb"
DEFAULT_FRN_PATH = REPO_ROOT.parent / "shared" / "data" / "freshretailnet50k" / "train.parquet"
DATASETS = ("demo", "freshretailnet", "files")
ISO_DATE = "%Y-%m-%d"

# a seed setting's value as the launchpad and SETTING_OVERRIDES accept it: numbers unquoted
SettingValue = str | int | float | bool


def about(env: str, doc: str) -> dict[str, str]:
    """A field's metadata: the environment variable it is read from, and what it means."""
    return {"env": env, "doc": doc}


@dataclass(frozen=True)
class WarehouseSettings:
    """Where the warehouse lives, which input it is built from, and the run's setting overrides."""

    duckdb_path: Path = field(
        default=DEFAULT_DUCKDB_PATH,
        metadata=about(
            "DUCKDB_PATH",
            "Absolute path of the warehouse DuckDB file (dbt's profile reads the same setting).",
        ),
    )
    dataset: str = field(
        default="demo",
        metadata=about(
            "DATASET",
            "demo (generated network), freshretailnet (FreshRetailNet-50K) or files (INPUT_DIR).",
        ),
    )
    input_dir: Path | None = field(
        default=None,
        metadata=about(
            "INPUT_DIR",
            "Folder of your own input files (dataset 'files'); empty = beside the warehouse.",
        ),
    )
    input_date_format: str = field(
        default=ISO_DATE,
        metadata=about(
            "INPUT_DATE_FORMAT",
            "Dates in CSV input files, as strftime codes (e.g. %d.%m.%Y); YYYY-MM-DD is always "
            "accepted too.",
        ),
    )
    frn_path: str = field(
        default=str(DEFAULT_FRN_PATH),
        metadata=about("FRN_PATH", "FreshRetailNet-50K train.parquet file."),
    )
    frn_city_ids: tuple[int, ...] = field(
        default=(),
        metadata=about("FRN_CITIES", "FreshRetailNet-50K city ids to keep (comma separated)."),
    )
    frn_future_path: str = field(
        default="",
        metadata=about(
            "FRN_FUTURE_PATH",
            "FreshRetailNet file (published layout) of the days after the history, mapped onto "
            "planned_covariates; its sales columns are ignored.",
        ),
    )
    demo_size: str = field(
        default="default", metadata=about("DEMO_SIZE", "Demo network size: tiny, default or large.")
    )
    demo_seed: int = field(
        default=42, metadata=about("DEMO_SEED", "Random seed of the demo data generator.")
    )
    demo_profile: str = field(
        default="mixed",
        metadata=about(
            "DEMO_PROFILE",
            "Demand profile of the demo data: mixed, smooth or intermittent.",
        ),
    )
    handoff_root: str = field(
        default="",
        metadata=about(
            "HANDOFF_DIR",
            "Folder or URL of the Parquet hand-off (s3://bucket/prefix needs s3fs installed; any "
            "fsspec filesystem works); empty = handoff/ beside the warehouse.",
        ),
    )
    export_dir: Path | None = field(
        default=None,
        metadata=about(
            "EXPORT_DIR",
            "Folder of the Parquet export of the marts; empty = warehouse/published/parquet.",
        ),
    )
    processes: int = field(
        default=0,
        metadata=about(
            "PROCESSES",
            "Worker processes for the LP solves (plan, baselines, scenarios, replay) of large "
            "networks: 0 = one per core, 1 = all in the run's own process.",
        ),
    )
    step_processes: int = field(
        default=0,
        metadata=about(
            "STEP_PROCESSES",
            "Steps `make run` runs at once, each in a process of its own (Dagster's multiprocess "
            "executor): 0 = one per core, 1 = one after another in the command's own process.",
        ),
    )
    step_executor_file: Path | None = field(
        default=None,
        metadata=about(
            "STEP_EXECUTOR_FILE",
            "YAML file naming the Dagster executor `make run` runs its steps with and its config "
            "(e.g. a cluster's); empty = the multiprocess executor of STEP_PROCESSES.",
        ),
    )
    plan_partitions: int = field(
        default=2,
        metadata=about(
            "PLAN_PARTITIONS",
            "Product partitions of the allocation plan (Dagster partitions of allocation_plan, "
            "each product's by a stable hash): a run of the whole graph plans every one; one can "
            "be planned again alone.",
        ),
    )
    setting_overrides: Mapping[str, SettingValue] = field(
        default_factory=dict,
        metadata=about(
            "SETTING_OVERRIDES",
            "This run's values of seed settings by name, numbers unquoted, e.g. "
            "{zscore_threshold: 2.5, export_csv: true}; seeds/setting_rules.csv lists each "
            "setting's type and range (JSON in the environment variable).",
        ),
    )

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise ValueError(f"DATASET must be one of {DATASETS}, got {self.dataset!r}")
        if not Path(self.duckdb_path).is_absolute():
            raise ValueError(
                f"DUCKDB_PATH must be absolute (dbt and Dagster resolve relative paths from "
                f"different folders), got {self.duckdb_path}"
            )
        if handoff.is_url(self.handoff_root):
            try:
                handoff.filesystem(self.handoff_root)
            except (ImportError, ValueError) as error:  # fsspec: package missing, unknown scheme
                raise ValueError(f"HANDOFF_DIR {self.handoff_root}: {error}") from None
        elif self.handoff_root and not Path(self.handoff_root).is_absolute():
            raise ValueError(
                f"HANDOFF_DIR must be absolute or a URL (dbt and Dagster resolve relative paths "
                f"from different folders), got {self.handoff_root}"
            )
        for name in ("processes", "step_processes"):
            if getattr(self, name) < 0:
                raise ValueError(
                    f"{name.upper()} must be 0 (one per core) or more, got {getattr(self, name)}"
                )
        if self.plan_partitions < 1:
            raise ValueError(f"PLAN_PARTITIONS must be 1 or more, got {self.plan_partitions}")
        if self.dataset == "files" and self.input_dir is None:
            raise ValueError("DATASET=files needs INPUT_DIR, the folder holding your input files")
        if self.dataset == "demo":
            from python_assets.inputs.demo import DEMO_PROFILES, DEMO_SIZES

            for name, value, known in (
                ("DEMO_SIZE", self.demo_size, DEMO_SIZES),
                ("DEMO_PROFILE", self.demo_profile, DEMO_PROFILES),
            ):
                if value not in known:
                    raise ValueError(f"{name} must be one of {sorted(known)}, got {value!r}")

    @property
    def worker_processes(self) -> int:
        """PROCESSES with 0 resolved to the machine's cores."""
        return self.processes or os.cpu_count() or 1

    @property
    def concurrent_steps(self) -> int:
        """STEP_PROCESSES with 0 resolved to the machine's cores."""
        return self.step_processes or os.cpu_count() or 1

    @property
    def resolved_input_dir(self) -> Path:
        """The folder the input files are read from (generated ones go beside the warehouse)."""
        if self.input_dir is not None:
            return Path(self.input_dir)
        return Path(self.duckdb_path).parent / "inputs" / self.dataset

    @property
    def handoff_dir(self) -> Path | str:
        """The Parquet hand-off folder: the tables the forecast and the LP write, which dbt reads
        as sources (python_assets/handoff.py). A URL stays a str (a Path would fold its '//')."""
        if not self.handoff_root:
            return handoff.handoff_dir(self.duckdb_path)
        return self.handoff_root if handoff.is_url(self.handoff_root) else Path(self.handoff_root)

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
    def from_values(cls, values: Mapping[str, Any]) -> WarehouseSettings:
        """Settings from plain values (environment strings or Dagster config), converted to each
        field's type; absent, None or empty values keep the default."""
        hints = typing.get_type_hints(cls)
        env = {f.name: f.metadata["env"] for f in fields(cls)}
        converted = {}
        for name, value in values.items():
            if value is None or value == "":
                continue
            try:
                converted[name] = _as_field_type(hints[name], value)
            except ValueError as error:  # json.JSONDecodeError is one
                raise ValueError(f"{env[name]}={value!r} is not a valid value: {error}") from None
        return cls(**converted)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> WarehouseSettings:
        return cls.from_values({f.name: environ.get(f.metadata["env"]) for f in fields(cls)})

    def as_config(self) -> dict[str, Any]:
        """The settings as plain config values (str paths, lists, dicts), for Dagster."""
        return {f.name: _as_config_value(getattr(self, f.name)) for f in fields(self)}


def _as_field_type(hint: Any, value: Any) -> Any:
    """Convert an environment string or a config value to the field's declared type."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if type(None) in args:  # X | None: the value is not empty here, so it is an X
        return _as_field_type(next(a for a in args if a is not type(None)), value)
    if hint is Path:
        return Path(value)
    if origin is tuple:
        items = value.split(",") if isinstance(value, str) else value
        return tuple(args[0](str(i).strip()) for i in items if str(i).strip())
    if origin is Mapping:
        return dict(json.loads(value) if isinstance(value, str) else value)
    return hint(value)


def _as_config_value(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


def config_type(hint: Any) -> Any:
    """The Dagster-config type of a settings field: paths as str, tuples as lists."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if type(None) in args:
        return config_type(next(a for a in args if a is not type(None))) | None
    if hint is Path:
        return str
    if origin is tuple:
        return list[args[0]]
    if origin is Mapping:
        return dict[str, Any]  # Dagster config has no union of scalars: values checked later
    return hint
