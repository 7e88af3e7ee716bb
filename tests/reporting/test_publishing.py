"""The published copy for BI tools: readers in other processes never block a run, a failed run
changes nothing, and no reader ever sees two runs at once."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from python_assets.reporting import publishing
from python_assets.reporting.publishing import (
    current_parquet_version,
    publish_marts,
    read_only_connection,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
# Row counts grow with the run number, so a count alone tells two runs apart.
MART_ROWS = {"kpi_region": 5, "kpi_store": 40, "transfer_plan": 25}


@dataclass(frozen=True)
class Paths:
    warehouse: Path
    published: Path
    parquet: Path

    @property
    def bi_folder(self) -> Path:
        return self.published.parent


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    (tmp_path / "warehouse").mkdir()
    return Paths(
        warehouse=tmp_path / "warehouse" / "warehouse.duckdb",
        published=tmp_path / "bi" / "published.duckdb",
        parquet=tmp_path / "bi" / "parquet",
    )


def write_run(warehouse: Path, run_no: int) -> str:
    """What a pipeline run leaves in the warehouse: marts tagged with its run_id."""
    run_id = f"run-{run_no}"
    con = duckdb.connect(str(warehouse))
    try:
        con.execute("create schema if not exists marts")
        con.execute("create schema if not exists staging")
        for table, rows in MART_ROWS.items():
            con.execute(
                f"create or replace table marts.{table} as select range::integer as id, "
                f"?::varchar as run_id, range * {run_no} + 0.5 as units from range(?)",
                [run_id, rows + run_no],
            )
        con.execute("comment on column marts.kpi_store.units is 'Units sold per store'")
        # Neither is a base table of marts: they must not be published.
        con.execute("create or replace table staging.stg_sales as select 1 as x")
        con.execute("create or replace view marts.v_store as select * from marts.kpi_store")
    finally:
        con.close()
    return run_id


def publish(paths: Paths, run_id: str) -> publishing.PublishResult:
    return publish_marts(paths.warehouse, paths.published, paths.parquet, run_id=run_id)


def run_ids_in_copy(published: Path) -> dict[str, set[str]]:
    con = read_only_connection(published)
    try:
        found = {
            table: {
                r[0] for r in con.execute(f"select distinct run_id from marts.{table}").fetchall()
            }
            for table in MART_ROWS
        }
        found["_publication"] = {
            r[0] for r in con.execute("select run_id from _publication").fetchall()
        }
        return found
    finally:
        con.close()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_state(paths: Paths) -> dict:
    """Everything a BI reader could notice: the file's bytes, where the export link points,
    every exported file's bytes, and every name under the BI folder (temp files included)."""
    current = current_parquet_version(paths.parquet)
    names = sorted(
        str(Path(root, name).relative_to(paths.bi_folder))
        for root, dirs, files in os.walk(paths.bi_folder)
        for name in dirs + files
    )
    return {
        "duckdb": sha256(paths.published),
        "link": os.readlink(paths.parquet),
        "parquet": {p.name: sha256(p) for p in sorted(current.iterdir())},
        "names": names,
    }


def reader_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT)}


def test_publish_copies_every_mart_to_duckdb_and_parquet(paths: Paths) -> None:
    run_id = write_run(paths.warehouse, 1)
    result = publish(paths, run_id)

    expected_rows = {f"marts.{t}": n + 1 for t, n in MART_ROWS.items()}
    assert result.tables == expected_rows
    assert result.run_id == run_id
    source = duckdb.connect(str(paths.warehouse), read_only=True)
    copy = read_only_connection(paths.published)
    try:
        for table in MART_ROWS:
            query = f"select * from marts.{table} order by id"
            assert copy.execute(query).fetchall() == source.execute(query).fetchall()
            assert (
                copy.execute(f"describe marts.{table}").fetchall()
                == source.execute(f"describe marts.{table}").fetchall()
            )
        published_tables = copy.execute(
            "select schema_name || '.' || table_name from duckdb_tables() "
            "where database_name = current_database() order by all"
        ).fetchall()
        assert [r[0] for r in published_tables] == ["main._publication", *sorted(expected_rows)]
        publication = copy.execute(
            "select run_id, table_schema || '.' || table_name, row_count from _publication"
        ).fetchall()
        assert {(r, t, n) for r, t, n in publication} == {
            (run_id, t, n) for t, n in expected_rows.items()
        }
        comment = copy.execute(
            "select comment from duckdb_columns() where database_name = current_database() "
            "and table_name = 'kpi_store' and column_name = 'units'"
        ).fetchone()[0]
        assert comment == "Units sold per store"
    finally:
        source.close()
        copy.close()

    # One Parquet file per mart (plus the manifest), same rows, tagged with the run.
    folder = current_parquet_version(paths.parquet)
    assert folder == result.parquet_version_dir.resolve()
    assert sorted(p.name for p in folder.glob("*.parquet")) == [f"{t}.parquet" for t in MART_ROWS]
    for table, rows in MART_ROWS.items():
        parquet = pq.ParquetFile(paths.parquet / f"{table}.parquet")
        assert parquet.metadata.num_rows == rows + 1
        assert parquet.schema_arrow.metadata[b"run_id"] == run_id.encode()
        assert set(parquet.read(columns=["run_id"]).column("run_id").to_pylist()) == {run_id}
    manifest = json.loads((paths.parquet / "_publication.json").read_text())
    assert manifest["run_id"] == run_id and manifest["tables"] == expected_rows

    # Checkpointed and swapped in: no WAL, no temp files, a read-only file.
    assert sorted(p.name for p in paths.bi_folder.iterdir()) == sorted(
        [".published.duckdb.lock", ".parquet.versions", "published.duckdb", "parquet"]
    )
    assert not os.stat(paths.published).st_mode & 0o222


READER_HOLDING_THE_COPY = r"""
import json, sys
import duckdb
# Exactly what a BI tool does: one read-only connection, kept open.
con = duckdb.connect(sys.argv[1], read_only=True)
def read():
    return {t: con.execute(
        f"select run_id, count(*), sum(units)::double from marts.{t} group by run_id").fetchall()
        for t in sys.argv[2].split(",")}
print(json.dumps(read()), flush=True)
sys.stdin.readline()  # the test publishes a new run meanwhile
print(json.dumps(read()), flush=True)
"""


def test_a_reader_holding_the_published_copy_does_not_stop_a_run(paths: Paths) -> None:
    publish(paths, write_run(paths.warehouse, 1))
    reader = subprocess.Popen(
        [sys.executable, "-c", READER_HOLDING_THE_COPY, str(paths.published), ",".join(MART_ROWS)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=reader_env(),
    )
    try:
        before = json.loads(reader.stdout.readline())
        assert {rows[0][0] for rows in before.values()} == {"run-1"}
        # The reader really holds a lock that keeps a writer out of that file.
        os.chmod(paths.published, 0o644)
        with pytest.raises(duckdb.IOException):
            duckdb.connect(str(paths.published)).close()

        run_id = write_run(paths.warehouse, 2)
        result = publish(paths, run_id)

        assert result.run_id == "run-2"
        assert reader.poll() is None, "the reader must still be connected"
        assert all(ids == {"run-2"} for ids in run_ids_in_copy(paths.published).values())
        with duckdb.connect(str(paths.published), read_only=True) as fresh:
            assert fresh.execute("select count(*) from marts.kpi_store").fetchone()[0] == 42
        reader.stdin.write("\n")
        reader.stdin.flush()
        after = json.loads(reader.stdout.readline())
        assert after == before, "the open connection keeps seeing the old run, whole"
        assert reader.wait(timeout=10) == 0
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()


@pytest.mark.parametrize(
    "failure",
    ["missing warehouse", "corrupt warehouse", "no marts", "parquet write", "before swap"],
)
def test_a_run_that_fails_leaves_the_published_copy_as_it_was(
    paths: Paths, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    publish(paths, write_run(paths.warehouse, 1))
    before = published_state(paths)
    write_run(paths.warehouse, 2)
    warehouse = paths.warehouse
    if failure == "missing warehouse":
        warehouse = paths.warehouse.with_name("missing.duckdb")
    elif failure == "corrupt warehouse":
        warehouse = paths.warehouse.with_name("corrupt.duckdb")
        warehouse.write_bytes(b"not a duckdb file" * 1000)
    elif failure == "no marts":
        with duckdb.connect(str(paths.warehouse)) as con:
            con.execute("drop schema marts cascade")
    elif failure == "parquet write":
        calls = []
        real_write = publishing._write_parquet

        def fail_on_second_table(*args, **kwargs):
            calls.append(args)
            if len(calls) == 2:
                raise OSError("disk full")
            real_write(*args, **kwargs)

        monkeypatch.setattr(publishing, "_write_parquet", fail_on_second_table)
    elif failure == "before swap":
        # Everything is written by now; only the swap is left.
        def fail(*_):
            raise OSError("interrupted")

        monkeypatch.setattr(publishing, "_remove_stale_wal", fail)

    with pytest.raises((OSError, ValueError, duckdb.Error)):
        publish_marts(warehouse, paths.published, paths.parquet, run_id="run-2")

    assert published_state(paths) == before
    assert run_ids_in_copy(paths.published)["kpi_store"] == {"run-1"}
    assert not (failure == "missing warehouse" and warehouse.exists())


READER_LOOPING = r"""
import json, os, sys
import pyarrow.parquet as pq
from python_assets.reporting.publishing import current_parquet_version, read_only_connection

published, parquet, stop, tables = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
duck_reads, parquet_reads, torn, vanished = [], [], [], 0
while not os.path.exists(stop):
    con = read_only_connection(published)
    try:
        ids = [r[0] for t in tables
               for r in con.execute(f"select distinct run_id from marts.{t}").fetchall()]
        ids += [r[0] for r in con.execute("select run_id from _publication").fetchall()]
    finally:
        con.close()
    duck_reads.append(sorted(set(ids)))
    folder = current_parquet_version(parquet)  # resolved once, every file read from it
    try:
        ids = [v for t in tables
               for v in pq.read_table(folder / f"{t}.parquet", columns=["run_id"])
               .column("run_id").unique().to_pylist()]
        ids.append(json.loads((folder / "_publication.json").read_text())["run_id"])
    except FileNotFoundError:
        vanished += 1  # pruned two publishes later: re-resolve, never read another run
        continue
    except Exception as error:  # a half-written file
        torn.append(repr(error))
        continue
    parquet_reads.append(sorted(set(ids)))
    if len(duck_reads) == 1:
        print("ready", flush=True)
print(json.dumps({"duckdb": duck_reads, "parquet": parquet_reads, "torn": torn, "vanished": vanished}))
"""


def test_a_reader_never_sees_a_mix_of_two_runs(paths: Paths, tmp_path: Path) -> None:
    publish(paths, write_run(paths.warehouse, 1))
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            READER_LOOPING,
            str(paths.published),
            str(paths.parquet),
            str(stop),
            ",".join(MART_ROWS),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=reader_env(),
    )
    try:
        assert reader.stdout.readline().strip() == "ready"
        for run_no in range(2, 8):
            publish(paths, write_run(paths.warehouse, run_no))
            time.sleep(0.05)  # let the reader catch a few reads of each run
        stop.touch()
        out, _ = reader.communicate(timeout=20)
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()
    assert reader.returncode == 0
    reads = json.loads(out)
    assert not reads["torn"], f"reads of half-written files: {reads['torn'][:3]}"
    for source in ("duckdb", "parquet"):
        mixed = [ids for ids in reads[source] if len(ids) != 1]
        assert not mixed, f"{source} reads that saw two runs: {mixed[:3]}"
        seen = {ids[0] for ids in reads[source]}
        # Otherwise the reader did not overlap the publishes and the test proved nothing.
        assert len(seen) >= 2, f"{source} reader saw only {seen}"
    assert run_ids_in_copy(paths.published)["kpi_store"] == {"run-7"}
    # Old export versions are pruned: the current one and the one before stay.
    assert len(list((paths.bi_folder / ".parquet.versions").iterdir())) == 2


def test_a_stale_wal_beside_the_copy_is_not_replayed_onto_the_new_one(paths: Paths) -> None:
    publish(paths, write_run(paths.warehouse, 1))
    # Someone opened the copy for writing and died before a checkpoint: a WAL stays behind.
    os.chmod(paths.published, 0o644)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import duckdb, os, sys\n"
            "con = duckdb.connect(sys.argv[1])\n"
            "con.execute('set checkpoint_threshold = \\'1GB\\'')\n"
            "con.execute('pragma disable_checkpoint_on_shutdown')\n"
            "con.execute('delete from marts.kpi_store')\n"
            "os._exit(0)\n",
            str(paths.published),
        ],
        check=True,
    )
    assert paths.published.with_name("published.duckdb.wal").exists()

    publish(paths, write_run(paths.warehouse, 2))

    assert not paths.published.with_name("published.duckdb.wal").exists()
    with duckdb.connect(str(paths.published), read_only=True) as con:
        assert con.execute("select count(*) from marts.kpi_store").fetchone()[0] == 42


def test_read_only_connection_sees_the_latest_copy_while_older_ones_stay_open(
    paths: Paths,
) -> None:
    publish(paths, write_run(paths.warehouse, 1))
    older = read_only_connection(paths.published)
    try:
        publish(paths, write_run(paths.warehouse, 2))
        newer = read_only_connection(paths.published)
        try:
            run_id = "select distinct run_id from marts.kpi_store"
            assert newer.execute(run_id).fetchall() == [("run-2",)]
            assert older.execute(run_id).fetchall() == [("run-1",)]
            with pytest.raises(duckdb.Error):
                newer.execute("create table marts.scratch (x integer)")
        finally:
            newer.close()
    finally:
        older.close()


def test_a_folder_that_is_not_an_export_is_never_moved(paths: Paths) -> None:
    write_run(paths.warehouse, 1)
    paths.parquet.mkdir(parents=True)
    (paths.parquet / "notes.txt").write_text("mine")

    with pytest.raises(FileExistsError):
        publish(paths, "run-1")

    assert not paths.parquet.is_symlink()
    assert (paths.parquet / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in paths.bi_folder.iterdir()) == [
        ".published.duckdb.lock",
        "parquet",
    ]


def test_an_existing_plain_export_folder_becomes_the_previous_version(paths: Paths) -> None:
    paths.parquet.mkdir(parents=True)
    (paths.parquet / "old_mart.parquet").write_bytes(b"old")

    result = publish(paths, write_run(paths.warehouse, 1))

    assert paths.parquet.is_symlink()
    assert current_parquet_version(paths.parquet) == result.parquet_version_dir.resolve()
    versions = sorted((paths.bi_folder / ".parquet.versions").iterdir())
    assert [p.name for p in versions[0].iterdir()] == ["old_mart.parquet"]
