"""A failed run changes nothing: each run starts by copying the warehouse to
`<warehouse>.before-run` (and its Parquet hand-off folder to `<folder>.before-run`, on the
hand-off's own filesystem when it is a URL), and ends by deleting the copies when every step
succeeded or by putting them back when one failed (README, "Operations").

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
import fsspec

from python_assets import handoff
from python_assets.handoff import Root

BACKUP_SUFFIX = ".before-run"
# the file that marks a complete copy of a hand-off URL (object storage has no empty folders)
COPIED = ".copied"


def backup_path(duckdb_path: Path) -> Path:
    return Path(f"{duckdb_path}{BACKUP_SUFFIX}")


def _wal(duckdb_path: Path) -> Path:
    return Path(f"{duckdb_path}.wal")


def _handoff_backup(root: Root) -> str:
    return f"{str(root).rstrip('/')}{BACKUP_SUFFIX}"


def _copy_handoff(root: Root) -> None:
    """Copy the hand-off folder beside itself. A local folder is copied as hard links: its files
    are only ever replaced by moving a new file into place (python_assets/handoff.py), never
    changed, so a link keeps the old one. A URL is copied on its own filesystem, object by
    object, and marked complete last."""
    backup = _handoff_backup(root)
    if handoff.is_url(root):
        fs = handoff.filesystem(root)
        _remove_tree(fs, backup)
        _copy_tree(fs, str(root), backup)
        fs.pipe_file(handoff.join(backup, COPIED), b"")
        return
    partial = Path(f"{backup}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    if Path(root).exists():
        shutil.copytree(root, partial, copy_function=os.link)
    else:
        partial.mkdir(parents=True)
    shutil.rmtree(backup, ignore_errors=True)
    partial.rename(backup)


def _restore_handoff(root: Root) -> None:
    backup = _handoff_backup(root)
    if handoff.is_url(root):
        fs = handoff.filesystem(root)
        if fs.exists(handoff.join(backup, COPIED)):  # else it is incomplete: nothing to put back
            _remove_tree(fs, str(root))
            _copy_tree(fs, backup, str(root))
            fs.rm(handoff.join(root, COPIED))
            _remove_tree(fs, backup)
        return
    if Path(backup).exists():
        shutil.rmtree(root, ignore_errors=True)
        Path(backup).rename(root)


def _remove_handoff_backup(root: Root) -> None:
    if handoff.is_url(root):
        _remove_tree(handoff.filesystem(root), _handoff_backup(root))
    else:
        shutil.rmtree(_handoff_backup(root), ignore_errors=True)


def _files(fs: fsspec.AbstractFileSystem, folder: str) -> list[str]:
    """Every object under folder/ (a URL without its protocol, as fsspec lists them)."""
    fs.invalidate_cache()
    return fs.find(folder)


def _copy_tree(fs: fsspec.AbstractFileSystem, source: str, target: str) -> None:
    """Copy every object under source/ to the same place under target/, one by one."""
    prefix = fs._strip_protocol(source).rstrip("/")
    for path in _files(fs, source):
        fs.copy(path, handoff.join(target, path[len(prefix) + 1 :]))


def _remove_tree(fs: fsspec.AbstractFileSystem, folder: str) -> None:
    if files := _files(fs, folder):
        fs.rm(files)


def restore(duckdb_path: Path, handoff_root: Root | None = None) -> bool:
    """Put the start-of-run copy back in place of the warehouse and its hand-off folder
    (handoff_root, default handoff/ beside it; no copy of a warehouse that did not exist: the
    warehouse is removed). False when there is no copy to put back."""
    backup = backup_path(duckdb_path)
    if not backup.exists():
        return False
    _restore_handoff(handoff_root or handoff.handoff_dir(duckdb_path))
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


def begin_run(duckdb_path: Path, handoff_root: Root | None = None) -> str | None:
    """Copy the warehouse and its hand-off folder (handoff_root, default handoff/ beside it)
    before a run writes to them. Returns a message when a copy left by an earlier run that
    never finished was put back first, else None."""
    duckdb_path = Path(duckdb_path)
    handoff_root = handoff_root or handoff.handoff_dir(duckdb_path)
    recovered = None
    if restore(duckdb_path, handoff_root):
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
    _copy_handoff(handoff_root)
    os.replace(partial, backup)  # a half-written copy is never taken for a backup
    return recovered


def end_run(duckdb_path: Path, succeeded: bool, handoff_root: Root | None = None) -> bool:
    """Delete the start-of-run copy after a successful run, or put it back after a failed one.
    Returns True when the warehouse was put back."""
    handoff_root = handoff_root or handoff.handoff_dir(duckdb_path)
    if succeeded:
        with contextlib.suppress(FileNotFoundError):
            backup_path(duckdb_path).unlink()
        _remove_handoff_backup(handoff_root)
        return False
    return restore(Path(duckdb_path), handoff_root)
