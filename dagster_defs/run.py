"""`make run`: materialise every asset in this process, then print the summary.

`python -m dagster_defs.run` takes the run settings from the environment (README, Settings),
holds the warehouse's run lock for the whole run, runs the `whole_pipeline` job (recorded in
$DAGSTER_HOME when it is set, so `make ui` lists the run) and prints the rows per mart (with the
change since the last published run) and where the warehouse, the report and the BI copy are.
A run that fails prints why, once, without a stack trace (e.g. every problem the input
validation found), and exits with status 1; the run log above it keeps the progress of each
step, and the warehouse is put back as it was before the run (python_assets/run_backup.py).
`kill <pid>` stops the run as Ctrl-C does: Dagster interrupts the running step, dagster-dbt stops
its dbt process, and the warehouse is put back; a run killed harder (SIGKILL) is put back by the
next run.
"""

from __future__ import annotations

import logging
import os
import re
import sys

import dagster as dg
from dagster._core.log_manager import LOG_RECORD_METADATA_ATTR
from dagster._utils.log import create_console_logger

from dagster_defs.assets.reporting import REPORT_FILE_NAME
from dagster_defs.definitions import build_definitions
from dagster_defs.schedules import whole_pipeline
from python_assets import run_backup, run_lock
from python_assets.reporting.publishing import published_row_counts
from python_assets.settings import WarehouseSettings
from python_assets.summary import run_summary


class _WithoutFailureEvents(logging.Filter):
    """Drops Dagster's error events (a step or run failure, logged with its stack trace) and
    its 'Dependencies for step ... Not executing' lines for the steps after a failure: the
    command prints each failure once at the end instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        meta = getattr(record, LOG_RECORD_METADATA_ATTR, None) or {}
        if meta.get("dagster_event") is not None:
            return False
        return "Dependencies for step" not in record.getMessage()


@dg.logger(
    {"log_level": dg.Field(str, is_required=False, default_value="DEBUG")},
    description="Dagster's console log without the stack traces of failures.",
)
def console_without_tracebacks(init_context: dg.InitLoggerContext) -> logging.Logger:
    log = create_console_logger("dagster", init_context.logger_config["log_level"])
    for handler in log.handlers:
        handler.addFilter(_WithoutFailureEvents())
    return log


def _without_module(message: str) -> str:
    """'python_assets.inputs.validation.InputValidationError: ...' -> 'InputValidationError: ...'"""
    return re.sub(r"^(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_]\w*: )", "", message.strip())


def failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    """What went wrong, one text per failed step: a dg.Failure's description, or the message of
    the exception a step raised (the innermost cause Dagster recorded)."""
    messages = []
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        if data.user_failure_data is not None and data.user_failure_data.description:
            text = data.user_failure_data.description
        else:
            error = data.error
            while error is not None and error.cause is not None:
                error = error.cause
            text = _without_module(error.message) if error is not None else "unknown error"
        messages.append(f"Step {event.step_key} failed:\n{text.strip()}")
    if not messages:
        run_failures = [
            e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE
        ]
        messages = [e.message or "the run failed" for e in run_failures] or ["the run failed"]
    return messages


def _instance() -> dg.DagsterInstance:
    """The instance in $DAGSTER_HOME (where `make ui` reads runs), or an ephemeral one."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def main() -> int:
    try:
        settings = WarehouseSettings.from_env()
    except ValueError as error:
        print(f"Run settings: {error}", file=sys.stderr)
        return 1
    previous = published_row_counts(settings.parquet_export_dir)
    try:
        with run_lock.warehouse_run_lock(settings.duckdb_path):
            job = (
                build_definitions(settings)
                .resolve_job_def(whole_pipeline.name)
                .with_logger_defs({"console": console_without_tracebacks})
            )
            with _instance() as instance:
                result = job.execute_in_process(
                    run_config={"loggers": {"console": {"config": {"log_level": "DEBUG"}}}},
                    instance=instance,
                    raise_on_error=False,
                )
    except run_lock.WarehouseBusyError as error:
        print(error, file=sys.stderr)
        return 1
    if not result.success:
        restored = not run_backup.backup_path(settings.duckdb_path).exists()
        print(
            "\nThe run failed. "
            + (
                f"No table changed: the warehouse {settings.duckdb_path} is as it was before "
                "the run. "
                if restored
                else ""
            )
            + f"The BI copy ({settings.published_duckdb_path.parent}) still holds the last "
            "successful run, if there was one.",
            file=sys.stderr,
        )
        for message in failure_messages(result):
            print(f"\n{message}", file=sys.stderr)
        return 1
    print()
    print(run_summary(settings, previous))
    print(f"Report (HTML):     {settings.duckdb_path.parent / 'reports' / REPORT_FILE_NAME}")
    print(
        f"BI copy (DuckDB):  {settings.published_duckdb_path} "
        "(read-only; DuckDB 1.0 and later open it)"
    )
    print(f"BI copy (Parquet): {settings.parquet_export_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
