"""One writer per warehouse: a run holds an exclusive lock on `<warehouse>.run.lock` from its
start to its end, so a second run on the same file stops at once with a message that says which
process holds it, instead of failing halfway on DuckDB's file lock (README, "Operations").

The lock is flock(2) on the lock file: the kernel releases it when the holder exits, however it
exits, so a killed run never leaves a lock that blocks the next one. The lock file itself stays
(deleting it would let two processes lock two different files); it holds the pid and start time
of the last holder, for the message. Re-entrant within one process: `python -m dagster_defs.run`
takes it, and the run's resource taking it again in the same process is a no-op.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

try:  # POSIX only
    import fcntl
except ImportError:  # pragma: no cover - Windows: runs are not locked there
    fcntl = None  # type: ignore[assignment]

LOCK_SUFFIX = ".run.lock"

# lock path -> [file descriptor, holders in this process]
_held: dict[str, list[int]] = {}
_held_guard = threading.Lock()


class WarehouseBusyError(RuntimeError):
    """Another process holds the warehouse's run lock."""


def lock_path(duckdb_path: Path) -> Path:
    """The run lock beside the warehouse: <duckdb path>.run.lock."""
    return Path(f"{duckdb_path}{LOCK_SUFFIX}")


def lock_holder(duckdb_path: Path) -> str:
    """What the lock file says about its last holder ('pid 123 since ...'), or 'unknown'."""
    try:
        text = lock_path(duckdb_path).read_text().strip()
    except OSError:
        return "unknown"
    return text or "unknown"


def acquire(duckdb_path: Path) -> None:
    """Take the run lock of the warehouse at duckdb_path, or raise WarehouseBusyError naming
    the holder. Every acquire needs one release."""
    if fcntl is None:  # pragma: no cover - Windows
        return
    path = lock_path(duckdb_path)
    key = str(path.resolve())
    with _held_guard:
        if key in _held:
            _held[key][1] += 1
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise WarehouseBusyError(busy_message(duckdb_path)) from None
        except BaseException:
            os.close(fd)
            raise
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {started}\n".encode(), 0)
        _held[key] = [fd, 1]


def release(duckdb_path: Path) -> None:
    """Give back one acquire; the lock is released with the last one."""
    if fcntl is None:  # pragma: no cover - Windows
        return
    key = str(lock_path(duckdb_path).resolve())
    with _held_guard:
        entry = _held.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] > 0:
            return
        del _held[key]
        fd = entry[0]
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


@contextlib.contextmanager
def warehouse_run_lock(duckdb_path: Path) -> Iterator[Path]:
    """Hold the run lock of the warehouse for the duration of the block."""
    acquire(duckdb_path)
    try:
        yield lock_path(duckdb_path)
    finally:
        release(duckdb_path)


def busy_message(duckdb_path: Path) -> str:
    return (
        f"Another run is using the warehouse {duckdb_path} "
        f"(lock {lock_path(duckdb_path)} held by {lock_holder(duckdb_path)}). "
        "Wait for it to finish (make ui shows runs in progress), or stop that process; "
        "to run both at once, give this run another DUCKDB_PATH."
    )
