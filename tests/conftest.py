"""Shared fixtures: a dbt manifest for the definitions, and the whole graph built once on the
tiny demo network in a temporary warehouse."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import uuid
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


S3_BUCKET = "handoff-tests"


@pytest.fixture(scope="session")
def s3_server() -> Iterator[dict[str, str]]:
    """A local S3 (moto's server, a dev dependency) for the hand-off on object storage; the
    environment that points boto (s3fs) at it is set for the session and returned, for the
    subprocesses of a run."""
    server = Path(sys.executable).with_name("moto_server")
    if not server.exists():
        pytest.skip(f"moto's S3 server is not installed beside {sys.executable} (.[dev])")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
    }
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"moto's S3 server did not start on port {port}")
            time.sleep(0.2)
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            import s3fs

            s3fs.S3FileSystem(skip_instance_cache=True).mkdir(S3_BUCKET)
            yield env
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def s3_root(s3_server: dict[str, str]) -> str:
    """A hand-off folder of its own on the local S3."""
    return f"s3://{S3_BUCKET}/{uuid.uuid4().hex}"
