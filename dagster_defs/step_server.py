"""The server Dagster's multiprocess executor forks each step process from (its `forkserver`
start method): a process that has imported the definitions once (PRELOAD), so a step starts in
a fraction of a second instead of importing them again.

The executor starts the server when the run's first step is due, and the run waits while it
imports the definitions. `python -m dagster_defs` (make run) starts it before it imports Dagster
itself instead (`start_step_server`), so the two imports run side by side; the executor finds the
server running and uses it. Importing this module imports neither Dagster nor the definitions.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver

from python_assets import run_lock
from python_assets.settings import WarehouseSettings

# what the server imports before it forks a step; dagster_defs/run.py gives the executor the same
# (not `dagster_defs.run`: Python warns when the main module was imported before it runs)
PRELOAD = ["dagster_defs.definitions"]
# the executor adds its own module in front (dagster/_core/executor/multiprocess.py)
EXECUTOR_MODULE = "dagster._core.executor.multiprocess"


def start_step_server(settings: WarehouseSettings) -> bool:
    """Start the step server for a run with these settings, if the run will use one (steps in
    processes of their own, STEP_PROCESSES > 1, with no STEP_EXECUTOR_FILE); True if started.

    The step processes inherit the server's environment, not the run's, so the server starts
    with the mark of the run that owns the warehouse (`run_lock.owning_run`), as the executor's
    own server would have inside the run."""
    if settings.concurrent_steps == 1 or settings.step_executor_file is not None:
        return False
    multiprocessing.set_forkserver_preload([EXECUTOR_MODULE, *PRELOAD])
    with run_lock.owning_run(settings.duckdb_path):
        multiprocessing.forkserver.ensure_running()
    return True
