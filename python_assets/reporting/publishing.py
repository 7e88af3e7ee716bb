"""Publish the marts for BI tools: a read-only DuckDB copy and a Parquet export, each swapped in
atomically and only after the whole copy succeeded, so readers never block a run or see a mix."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from python_assets.files import fsync_dir, fsync_file, replace_atomic

try:  # POSIX only; without it publishes are not serialised (pipeline runs are anyway)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

PUBLICATION_TABLE = "_publication"
# Storage format of the BI copy. DuckDB 2.x writes a format DuckDB 1.x refuses to open; BI tools
# bundle their own DuckDB (ODBC/JDBC drivers, DBeaver, older Python clients), often a 1.x, so the
# copy is written in the oldest stable format, which every DuckDB since 1.0 reads (README, "Query
# the results"). The warehouse itself keeps the writer's default format.
BI_STORAGE_VERSION = "v1.0.0"
MANIFEST_NAME = "_publication.json"
_TARGET_ALIAS = "publish_target"


@dataclass(frozen=True)
class PublishResult:
    """What one publish wrote.

    duckdb_path: the published DuckDB file. parquet_dir: the export path a setting names (a
    symlink to the current version folder); parquet_version_dir: the folder it pointed to right
    after this publish, holding one <table>.parquet per mart. tables: 'schema.table' -> rows.
    """

    duckdb_path: Path
    parquet_dir: Path
    tables: dict[str, int]
    run_id: str
    published_at: datetime
    parquet_version_dir: Path


def publish_marts(
    warehouse_path: Path,
    published_path: Path,
    parquet_dir: Path,
    schemas: Sequence[str] = ("marts",),
    run_id: str = "",
    keep_parquet_versions: int = 2,
) -> PublishResult:
    """Copy every base table of `schemas` from the warehouse into a new DuckDB file and a new
    Parquet folder, then swap both in. On any error nothing published changes.

    The DuckDB copy is written in storage format BI_STORAGE_VERSION (readable by DuckDB 1.0 and
    later), keeps schema and table names (plus table/column comments) and gets a
    `main._publication` table (run_id, published_at UTC, table_schema, table_name, row_count).
    Parquet files are named <table>.parquet (<schema>.<table>.parquet when several schemas are
    published) and carry run_id in their key-value metadata; the folder also has _publication.json.
    The warehouse is opened read-only, so no other connection to it may be open for writing.
    POSIX only: the swaps rely on renaming over open files and on symlinks.
    """
    warehouse_path, published_path = Path(warehouse_path), Path(published_path)
    parquet_dir = Path(parquet_dir)
    schemas = tuple(schemas)
    if not schemas:
        raise ValueError("schemas is empty: there is nothing to publish")
    if keep_parquet_versions < 2:
        # The previous version must survive one publish: readers that resolved the link just
        # before the swap are still reading it.
        raise ValueError("keep_parquet_versions must be at least 2")
    if published_path.resolve() == warehouse_path.resolve():
        raise ValueError("published_path must not be the warehouse itself")
    if published_path.stem in schemas:
        # DuckDB names the catalog after the file, so `marts.kpi_store` would be ambiguous.
        raise ValueError(
            f"the published file must not be named after a published schema, got "
            f"{published_path.name}; use e.g. bi.duckdb"
        )
    run_id = run_id or f"manual-{uuid.uuid4().hex[:12]}"
    published_at = datetime.now(UTC).replace(tzinfo=None)
    published_path.parent.mkdir(parents=True, exist_ok=True)
    parquet_dir.parent.mkdir(parents=True, exist_ok=True)
    versions = _versions_dir(parquet_dir)

    with _publish_lock(published_path):
        _remove_leftovers(published_path, parquet_dir)
        _adopt_plain_directory(parquet_dir)
        versions.mkdir(exist_ok=True)
        token = uuid.uuid4().hex
        tmp_db = published_path.with_name(f"{published_path.name}.tmp-{token}")
        version_dir = versions / f"{published_at:%Y%m%dT%H%M%S%f}Z-{token[:8]}"
        tmp_link = parquet_dir.with_name(f".{parquet_dir.name}.link-tmp-{token}")
        previous = os.readlink(parquet_dir) if parquet_dir.is_symlink() else None
        try:
            tables = _build_snapshot(
                warehouse_path, tmp_db, version_dir, schemas, run_id, published_at
            )
            # The symlink is created now so that the only steps left after the DuckDB swap are
            # two renames: nothing that reads data or can run out of space.
            os.symlink(os.path.relpath(version_dir, parquet_dir.parent), tmp_link)
            _remove_stale_wal(published_path)
            os.chmod(tmp_db, 0o444)  # nudges BI tools to read-only opens, which never write a WAL
            replace_atomic((tmp_db, published_path), (tmp_link, parquet_dir))
        except BaseException:
            _remove_paths(tmp_db, _wal(tmp_db), tmp_link, version_dir)
            raise
        _prune_versions(versions, version_dir, previous, keep_parquet_versions)

    return PublishResult(
        duckdb_path=published_path,
        parquet_dir=parquet_dir,
        tables=tables,
        run_id=run_id,
        published_at=published_at,
        parquet_version_dir=version_dir,
    )


def read_only_connection(published_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published copy as it is now.

    `duckdb.connect(path)` reuses the process's open database instance for that path, which
    would keep showing the file as it was when first opened; attaching to a fresh in-memory
    database opens the current file instead. The catalog is named after the file stem, as
    `duckdb.connect` would name it, so `select * from marts.kpi_store` works unchanged.
    """
    path = Path(published_path)
    if not path.is_file():
        raise FileNotFoundError(f"no published copy at {path}")
    alias = path.stem if path.stem.lower() not in {"memory", "system", "temp"} else "published"
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"attach {_literal(str(path))} as {_ident(alias)} (read_only)")
        con.execute(f"use {_ident(alias)}")
    except BaseException:
        con.close()
        raise
    return con


def current_parquet_version(parquet_dir: Path) -> Path:
    """The version folder the export link points to now. Readers that read several files
    should resolve this once and read every file from it: the link may switch in between."""
    return Path(os.path.realpath(parquet_dir))


# --- the copy ---------------------------------------------------------------------------------


def _build_snapshot(
    warehouse_path: Path,
    tmp_db: Path,
    version_dir: Path,
    schemas: tuple[str, ...],
    run_id: str,
    published_at: datetime,
) -> dict[str, int]:
    """Write the DuckDB copy to tmp_db and the Parquet files to version_dir; return rows."""
    if not warehouse_path.is_file():
        # duckdb.connect would create an empty warehouse here instead of failing
        raise FileNotFoundError(f"no warehouse at {warehouse_path}")
    version_dir.mkdir()
    src = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        source_db = src.execute("select current_database()").fetchone()[0]
        listed = src.execute(
            "select schema_name, table_name, comment from duckdb_tables() "
            "where database_name = ? and not temporary and list_contains(?, schema_name) "
            "order by schema_name, table_name",
            [source_db, list(schemas)],
        ).fetchall()
        if not listed:
            # Publishing nothing would replace a good copy with an empty one.
            raise ValueError(f"no base tables in schemas {schemas} of {warehouse_path}")
        column_comments = src.execute(
            "select schema_name, table_name, column_name, comment from duckdb_columns() "
            "where database_name = ? and comment is not null and list_contains(?, schema_name)",
            [source_db, list(schemas)],
        ).fetchall()

        src.execute(
            f"attach {_literal(str(tmp_db))} as {_TARGET_ALIAS} "
            f"(read_write, storage_version {_literal(BI_STORAGE_VERSION)})"
        )
        target = _ident(_TARGET_ALIAS)
        for schema in sorted({s for s, _, _ in listed}):
            src.execute(f"create schema if not exists {target}.{_ident(schema)}")
        tables: dict[str, int] = {}
        for schema, table, comment in listed:
            name = f"{_ident(schema)}.{_ident(table)}"
            src.execute(f"create table {target}.{name} as select * from {_ident(source_db)}.{name}")
            if comment is not None:
                src.execute(f"comment on table {target}.{name} is {_literal(comment)}")
            tables[f"{schema}.{table}"] = src.execute(
                f"select count(*) from {target}.{name}"
            ).fetchone()[0]
        for schema, table, column, comment in column_comments:
            qualified = f"{target}.{_ident(schema)}.{_ident(table)}.{_ident(column)}"
            src.execute(f"comment on column {qualified} is {_literal(comment)}")
        counts = [(schema, table, tables[f"{schema}.{table}"]) for schema, table, _ in listed]
        _write_publication_table(src, counts, run_id, published_at)
        # Every file comes from the copy just written, so both artefacts hold the same rows.
        for schema, table, comment in listed:
            file_name = f"{table}.parquet" if len(schemas) == 1 else f"{schema}.{table}.parquet"
            source = f"{target}.{_ident(schema)}.{_ident(table)}"
            docs = {
                "description": comment or "",
                "column_descriptions": json.dumps(
                    {c: text for s, t, c, text in column_comments if (s, t) == (schema, table)}
                ),
            }
            _write_parquet(src, source, version_dir / file_name, run_id, published_at, docs)
        # A checkpoint folds the WAL into the file, so the copy is one self-contained file.
        src.execute(f"checkpoint {target}")
        src.execute(f"detach {target}")
    finally:
        src.close()
    if _wal(tmp_db).exists():
        raise RuntimeError(f"{_wal(tmp_db)} survived the checkpoint; not publishing")
    manifest = {
        "run_id": run_id,
        "published_at_utc": published_at.isoformat(),
        "tables": tables,
    }
    (version_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")
    for path in version_dir.iterdir():
        fsync_file(path)
    fsync_dir(version_dir)
    fsync_file(tmp_db)
    return tables


def published_row_counts(parquet_dir: Path) -> dict[str, int]:
    """Rows per table ('schema.table') of the last publication in parquet_dir, from its
    _publication.json; empty when nothing was published there yet."""
    manifest = parquet_dir / MANIFEST_NAME
    if not manifest.is_file():
        return {}
    return {name: int(rows) for name, rows in json.loads(manifest.read_text())["tables"].items()}


def _write_publication_table(
    con: duckdb.DuckDBPyConnection,
    counts: list[tuple[str, str, int]],
    run_id: str,
    published_at: datetime,
) -> None:
    """main._publication: which run a reader of the copy is looking at, one row per table."""
    name = f"{_ident(_TARGET_ALIAS)}.main.{_ident(PUBLICATION_TABLE)}"
    con.execute(
        f"create table {name} (run_id varchar not null, published_at timestamp not null, "
        "table_schema varchar not null, table_name varchar not null, row_count bigint not null)"
    )
    con.execute(
        f"comment on table {name} is "
        "'The pipeline run this copy was published from; published_at is UTC.'"
    )
    con.executemany(
        f"insert into {name} values (?, ?, ?, ?, ?)",
        [[run_id, published_at, schema, table, rows] for schema, table, rows in counts],
    )


def _write_parquet(
    con: duckdb.DuckDBPyConnection,
    table: str,
    path: Path,
    run_id: str,
    published_at: datetime,
    docs: dict[str, str] | None = None,
) -> None:
    """One mart as a Parquet file whose key-value metadata holds the run, the publication time
    and the dbt docs: `description` and `column_descriptions` (JSON, column -> text)."""
    pairs = {"run_id": run_id, "published_at_utc": published_at.isoformat(), **(docs or {})}
    metadata = "{" + ", ".join(f"{key}: {_literal(value)}" for key, value in pairs.items()) + "}"
    con.execute(
        f"copy (select * from {table}) to {_literal(str(path))} "
        f"(format parquet, compression zstd, kv_metadata {metadata})"
    )


# --- swapping, locking, cleaning up -----------------------------------------------------------


def _versions_dir(parquet_dir: Path) -> Path:
    return parquet_dir.with_name(f".{parquet_dir.name}.versions")


def _wal(db: Path) -> Path:
    return db.with_name(f"{db.name}.wal")


def _remove_stale_wal(published_path: Path) -> None:
    """A WAL beside the published file can only come from someone who opened the copy for
    writing. DuckDB refuses to open a file whose WAL belongs to another file ("WAL does not
    match database file"), so it must go before the new file takes the name, not after: a
    reader opening in between then sees the old file without foreign edits, never a broken one."""
    with contextlib.suppress(FileNotFoundError):
        _wal(published_path).unlink()


def _adopt_plain_directory(parquet_dir: Path) -> None:
    """Turn an export folder written some other way into a version behind the link.

    A real directory cannot be swapped atomically, so this is the one step with a moment
    (between two renames) where the path is missing. Refuses folders holding anything but an
    export, so a mistyped setting cannot move a user's folder away.
    """
    if parquet_dir.is_symlink() or not parquet_dir.exists():
        return
    if not parquet_dir.is_dir():
        raise NotADirectoryError(f"{parquet_dir} exists and is not a folder")
    foreign = [
        p.name
        for p in parquet_dir.iterdir()
        if not (p.is_file() and (p.suffix == ".parquet" or p.name == MANIFEST_NAME))
    ]
    if foreign:
        raise FileExistsError(
            f"{parquet_dir} holds files that are not a Parquet export ({', '.join(foreign[:5])}); "
            "point the export setting at another folder"
        )
    _versions_dir(parquet_dir).mkdir(exist_ok=True)
    adopted = _versions_dir(parquet_dir) / f"00000000T000000000000Z-adopted-{uuid.uuid4().hex[:8]}"
    os.rename(parquet_dir, adopted)
    os.symlink(os.path.relpath(adopted, parquet_dir.parent), parquet_dir)


def _prune_versions(versions: Path, current: Path, previous: str | None, keep: int) -> None:
    """Delete old version folders, always keeping the current and the previous one.

    On POSIX a reader that already opened a file keeps reading it after the delete; a reader
    that resolved the link more than `keep - 1` publishes ago and opens a file only now gets
    FileNotFoundError (and should re-resolve), never another run's file.
    """
    protected = {current.name}
    if previous is not None:
        protected.add(Path(previous).name)
    candidates = sorted((p for p in versions.iterdir() if p.is_dir()), reverse=True)
    kept = [p for p in candidates if p.name in protected]
    for path in candidates:
        if path.name in protected:
            continue
        if len(kept) < keep:
            kept.append(path)
            continue
        shutil.rmtree(path, ignore_errors=True)


def _remove_leftovers(published_path: Path, parquet_dir: Path) -> None:
    """Temp files of a publish that was killed (no exception handler ran). Safe because the
    caller holds the publish lock, so no other publish is writing them right now."""
    stale = [
        *published_path.parent.glob(f"{published_path.name}.tmp-*"),
        *parquet_dir.parent.glob(f".{parquet_dir.name}.link-tmp-*"),
    ]
    _remove_paths(*stale)


def _remove_paths(*paths: Path) -> None:
    for path in paths:
        if path.is_symlink() or path.is_file():
            path.unlink(missing_ok=True)
        elif path.is_dir():
            shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _publish_lock(published_path: Path) -> Iterator[None]:
    """Serialise publishers: runs are serialised already, but a manual publish during a run
    must not interleave with it (or prune the folder it is writing)."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    lock_path = published_path.with_name(f".{published_path.name}.lock")
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
