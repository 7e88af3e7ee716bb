"""One writer per warehouse: a run holds an exclusive lock on `<warehouse>.run.lock` from its
start to its end, so a second run on the same file stops at once with a message that says which
process holds it, instead of failing halfway on DuckDB's file lock (README, "Operations").

The lock is flock(2) on the lock file: the kernel releases it when the holder exits, however it
exits, so a killed run never leaves a lock that blocks the next one. The lock file itself stays
(deleting it would let two processes lock two different files); it holds the pid and start time
of the last holder, for the message. Re-entrant within one process: `python -m dagster_defs`
takes it, and the run's resource taking it again in the same process is a no-op.

`make run` owns its run: it holds the lock and the run backup itself and says so in the
environment (`owned_by_run`), so the step processes of the multiprocess executor, which inherit
it, neither take the lock again nor copy the warehouse again.

Within a run, steps in other processes take turns with the file: `open_lock` is a second flock,
`<warehouse>.open.lock`, that every step holds while it has the warehouse open (a DuckDB
connection, a dbt command), waiting for the other's turn (README, "The pipeline").
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
OPEN_SUFFIX = ".open.lock"

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
    if not _take(lock_path(duckdb_path), blocking=False):
        raise WarehouseBusyError(busy_message(duckdb_path))


def release(duckdb_path: Path) -> None:
    """Give back one acquire; the lock is released with the last one."""
    _give_back(lock_path(duckdb_path))


def _take(path: Path, blocking: bool) -> bool:
    """flock(path) for this process, re-entrant; False when another process holds it and
    blocking is False."""
    if fcntl is None:  # pragma: no cover - Windows
        return True
    key = str(path.resolve())
    with _held_guard:
        if key in _held:
            _held[key][1] += 1
            return True
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {started}\n".encode(), 0)
        _held[key] = [fd, 1]
        return True


def _give_back(path: Path) -> None:
    if fcntl is None:  # pragma: no cover - Windows
        return
    key = str(path.resolve())
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


# set by `make run` for its own process and the step processes it starts
OWNER_ENV = "WAREHOUSE_RUN_OWNER"


def owned_by_run(duckdb_path: Path) -> bool:
    """Whether the `make run` this process belongs to holds the run lock and the run backup of
    this warehouse (so a step's resources must take neither)."""
    return os.environ.get(OWNER_ENV) == str(Path(duckdb_path).resolve())


@contextlib.contextmanager
def owning_run(duckdb_path: Path) -> Iterator[None]:
    """Mark this process, and the processes it starts, as owning the run on duckdb_path."""
    os.environ[OWNER_ENV] = str(Path(duckdb_path).resolve())
    try:
        yield
    finally:
        os.environ.pop(OWNER_ENV, None)


@contextlib.contextmanager
def open_lock(duckdb_path: Path) -> Iterator[None]:
    """Hold the warehouse's open lock for the block, waiting while a step of another process of
    the run holds it (re-entrant within a process, as DuckDB shares one open file per process)."""
    path = Path(f"{duckdb_path}{OPEN_SUFFIX}")
    _take(path, blocking=True)
    try:
        yield
    finally:
        _give_back(path)
