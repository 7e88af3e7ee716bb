"""A failed run changes nothing: each run starts by copying the warehouse to
`<warehouse>.before-run` (and its Parquet hand-off folder to `handoff.before-run`), and ends by
deleting the copies when every step succeeded or by putting them back when one failed (README,
"Operations").

A run killed before it could put the copy back leaves it behind; the next run finds it, puts it
back first and says so. Call these functions only while holding the warehouse's run lock
(python_assets/run_lock.py), so that no other run writes the file or its copy meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import duckdb

from python_assets.handoff import handoff_dir

BACKUP_SUFFIX = ".before-run"


def backup_path(duckdb_path: Path) -> Path:
    return Path(f"{duckdb_path}{BACKUP_SUFFIX}")


def _wal(duckdb_path: Path) -> Path:
    return Path(f"{duckdb_path}.wal")


def _handoff_backup(duckdb_path: Path) -> Path:
    return Path(f"{handoff_dir(duckdb_path)}{BACKUP_SUFFIX}")


def _copy_handoff(duckdb_path: Path) -> None:
    """Copy the hand-off folder as hard links: its files are only ever replaced by renaming a
    new file into place (python_assets/handoff.py), never changed, so a link keeps the old one."""
    source, backup = handoff_dir(duckdb_path), _handoff_backup(duckdb_path)
    partial = Path(f"{backup}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    if source.exists():
        shutil.copytree(source, partial, copy_function=os.link)
    else:
        partial.mkdir(parents=True)
    shutil.rmtree(backup, ignore_errors=True)
    partial.rename(backup)


def _restore_handoff(duckdb_path: Path) -> None:
    backup = _handoff_backup(duckdb_path)
    if backup.exists():
        shutil.rmtree(handoff_dir(duckdb_path), ignore_errors=True)
        backup.rename(handoff_dir(duckdb_path))


def restore(duckdb_path: Path) -> bool:
    """Put the start-of-run copy back in place of the warehouse (no copy of a warehouse that did
    not exist: the warehouse is removed). False when there is no copy to put back."""
    backup = backup_path(duckdb_path)
    if not backup.exists():
        return False
    _restore_handoff(duckdb_path)
    # the WAL beside the warehouse belongs to the run's file, not to the copy
    with contextlib.suppress(FileNotFoundError):
        _wal(duckdb_path).unlink()
    if backup.stat().st_size == 0:  # there was no warehouse before the run
        with contextlib.suppress(FileNotFoundError):
            Path(duckdb_path).unlink()
        backup.unlink()
    else:
        os.replace(backup, duckdb_path)
    return True


def begin_run(duckdb_path: Path) -> str | None:
    """Copy the warehouse before a run writes to it. Returns a message when a copy left by an
    earlier run that never finished was put back first, else None."""
    duckdb_path = Path(duckdb_path)
    recovered = None
    if restore(duckdb_path):
        recovered = (
            f"An earlier run on {duckdb_path} stopped before it finished (killed?); the warehouse "
            f"was put back as it was before that run, from {backup_path(duckdb_path)}."
        )
    backup = backup_path(duckdb_path)
    partial = Path(f"{backup}.partial")
    if not duckdb_path.exists():
        partial.write_bytes(b"")
    else:
        if _wal(duckdb_path).exists():  # fold the WAL into the file, so the copy has it all
            with duckdb.connect(str(duckdb_path)) as con:
                con.execute("checkpoint")
        shutil.copyfile(duckdb_path, partial)
    _copy_handoff(duckdb_path)
    os.replace(partial, backup)  # a half-written copy is never taken for a backup
    return recovered


def end_run(duckdb_path: Path, succeeded: bool) -> bool:
    """Delete the start-of-run copy after a successful run, or put it back after a failed one.
    Returns True when the warehouse was put back."""
    if succeeded:
        with contextlib.suppress(FileNotFoundError):
            backup_path(duckdb_path).unlink()
        shutil.rmtree(_handoff_backup(Path(duckdb_path)), ignore_errors=True)
        return False
    return restore(Path(duckdb_path))
