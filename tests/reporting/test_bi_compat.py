"""The published BI copy opens in DuckDB 1.x, the DuckDB many BI tools still bundle, with its
tables, rows and comments. Each 1.x reader runs in its own small venv, cached under the pytest
cache so that only the first run installs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from python_assets.reporting.publishing import BI_STORAGE_VERSION, publish_marts

# the first 1.x release and the newest 1.x when this test was written
READER_VERSIONS = ("1.0.0", "1.5.6")

READER = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps({
    "version": duckdb.__version__,
    "rows": con.execute("select count(*), sum(units)::double from marts.kpi_store").fetchone(),
    "table_comment": con.execute(
        "select comment from duckdb_tables() where table_name = 'kpi_store'"
    ).fetchone()[0],
    "column_comment": con.execute(
        "select comment from duckdb_columns() "
        "where table_name = 'kpi_store' and column_name = 'units'"
    ).fetchone()[0],
    "published_run": con.execute("select distinct run_id from main._publication").fetchall(),
}))
"""


def reader_python(version: str, cache_dir: Path) -> Path:
    """The Python of a venv holding duckdb==version (built once, then reused); skips the test
    when pip cannot install it (no index reachable, no wheel for this platform)."""
    venv = cache_dir / f"duckdb-{version}"
    python = venv / "bin" / "python"
    installed = venv / ".installed"
    if installed.is_file() and python.exists():
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    spec = f"duckdb=={version}"
    pip = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", spec],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if pip.returncode != 0:
        pytest.skip(f"pip could not install {spec}: {pip.stderr.strip()[-500:]}")
    installed.touch()
    return python


def reader_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the reader venvs live: the pytest cache (kept between runs) when it is on."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir("duckdb1_readers"))
    return tmp_path_factory.mktemp("duckdb1_readers")


@pytest.fixture(scope="module")
def venv_cache(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return reader_cache(request, tmp_path_factory)


@pytest.fixture(scope="module")
def published_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse of one commented mart, published by the project's own publish_marts."""
    root = tmp_path_factory.mktemp("bi_compat")
    warehouse = root / "warehouse.duckdb"
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create schema marts")
        con.execute(
            "create table marts.kpi_store as select range::integer as store_no, "
            "'S' || range::varchar as store_id, range * 1.5 as units, "
            "date '2025-01-01' + range::integer as snapshot_date from range(10)"
        )
        con.execute("comment on table marts.kpi_store is 'One row per store'")
        con.execute("comment on column marts.kpi_store.units is 'Units on hand'")
    finally:
        con.close()
    result = publish_marts(
        warehouse, root / "published" / "bi.duckdb", root / "published" / "parquet", run_id="r1"
    )
    return result.duckdb_path


def test_the_copy_is_written_in_the_bi_storage_version(published_copy: Path) -> None:
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach '{published_copy}' as bi (read_only)")
        tags = con.execute(
            "select tags from duckdb_databases() where database_name = 'bi'"
        ).fetchone()[0]
    finally:
        con.close()
    assert tags["storage_version"].startswith(BI_STORAGE_VERSION)


def run_in_reader(version: str, venv_cache: Path, script: str, *args: str):
    """The JSON a script prints when run by the throw-away venv of DuckDB `version`."""
    python = reader_python(version, venv_cache)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run = subprocess.run(
        [str(python), "-c", script, *args], capture_output=True, text=True, timeout=120, env=env
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.mark.parametrize("version", READER_VERSIONS)
def test_duckdb_1x_opens_the_published_copy(
    version: str, venv_cache: Path, published_copy: Path
) -> None:
    seen = run_in_reader(version, venv_cache, READER, str(published_copy))
    assert seen["version"] == version
    assert seen["rows"] == [10, 67.5]
    assert seen["table_comment"] == "One row per store"
    assert seen["column_comment"] == "Units on hand"
    assert seen["published_run"] == [["r1"]]


README = Path(__file__).resolve().parents[2] / "README.md"
RUN_QUERIES = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print(json.dumps([len(con.execute(q).fetchall()) for q in json.loads(sys.argv[2])]))
"""


def readme_queries() -> list[str]:
    """The SQL examples of the README's "Query the results" section, one statement each."""
    section = README.read_text().split("## Query the results", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```sql", 1)[1].split("```", 1)[0]
    return [q.strip() for q in blocks.split(";") if q.strip()]


def test_the_readmes_queries_run_on_the_published_copy_in_duckdb_1_0(
    venv_cache: Path, built_warehouse
) -> None:
    """The queries a BI user copies from the README run, in the oldest 1.x reader, on the BI
    copy of a real (tiny demo) run, and the plan's ones return rows."""
    queries = readme_queries()
    assert len(queries) >= 4
    rows = run_in_reader(
        READER_VERSIONS[0],
        venv_cache,
        RUN_QUERIES,
        str(built_warehouse.settings.published_duckdb_path),
        json.dumps(queries),
    )
    assert len(rows) == len(queries)
    assert rows[0] > 0 and rows[1] == 4  # transfers; the plan and its three baselines
