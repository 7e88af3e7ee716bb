"""Replace a file or a folder so that a reader sees the old one or the new one, never half of
one: the new version is written beside the target and renamed over it. And delete the folders
old runs left."""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

# renameat2(2): swap two existing paths in one step (Linux 3.15+)
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def fsync_file(path: Path) -> None:
    """Data must be on disk before the rename: otherwise a crash can leave the new name
    pointing at an empty or partial file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Makes a rename inside `path` durable."""
    if os.name != "posix":  # pragma: no cover - directories cannot be opened on Windows
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text_atomic(path: Path, text: str, mode: int = 0o644) -> None:
    """Write `text` (UTF-8) to `path` via a temporary file in the same folder, renamed over the
    target once complete; the file gets `mode` (readable by everyone by default, where a plain
    temporary file would be private). Creates the folder if needed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def replace_atomic(*moves: tuple[Path, Path]) -> None:
    """Rename each prepared (source, target) over its target - a file, or a symlink to a
    folder - back to back, then make the renames durable. Each rename is atomic for readers;
    sources must be on the same file system as their targets (beside them)."""
    for source, target in moves:
        os.replace(source, target)
    for parent in dict.fromkeys(Path(target).parent for _, target in moves):
        fsync_dir(parent)


def replace_folder_atomic(new_dir: Path, target: Path) -> None:
    """Put the folder `new_dir` at `target` (a folder, a symlink to one, or absent) and delete
    the old folder (a symlink: only the link).

    On Linux two folders are exchanged in one step (renameat2 RENAME_EXCHANGE), so a reader
    sees the old files or the new ones, never a mix and never no folder. Where the system or the
    file system cannot exchange, or `target` is a symlink, the old one is renamed aside first:
    readers then still never see a mix, but `target` is missing between the two renames.
    """
    new_dir, target = Path(new_dir), Path(target)
    if not new_dir.is_dir():
        raise NotADirectoryError(f"{new_dir} is not a folder: nothing to put at {target}")
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} exists and is not a folder; not replacing it")
    if target.is_dir() and not target.is_symlink() and _exchange(new_dir, target):
        shutil.rmtree(new_dir)  # the old folder, under the new one's former name
    else:
        old = target.with_name(target.name + ".old")
        _remove(old)
        if target.is_symlink() or target.exists():
            target.rename(old)
        new_dir.rename(target)
        _remove(old)
    fsync_dir(target.parent)


def prune_old_folders(parent: Path, pattern: str, keep: int, min_age_s: float) -> list[Path]:
    """Delete the folders of parent matching pattern except the `keep` most recently modified
    and any modified in the last min_age_s seconds (a run still writing to one); the deleted."""
    folders = sorted(
        (p for p in parent.glob(pattern) if p.is_dir() and not p.is_symlink()),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    cutoff = time.time() - min_age_s
    old = [p for p in folders[keep:] if p.stat().st_mtime < cutoff]
    for folder in old:
        shutil.rmtree(folder, ignore_errors=True)
    return old


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one step; False where the system or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:  # C library without the wrapper (glibc < 2.28)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), str(first), None, str(second))
