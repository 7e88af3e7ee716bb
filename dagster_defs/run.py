"""`make run`: materialise every asset, then print the summary (`python -m dagster_defs` starts
the step server, dagster_defs/__main__.py, then calls `main`).

`main` takes the run settings from the environment (README, Settings),
owns the run - it holds the warehouse's run lock and its start-of-run copy for every step -
runs the `whole_pipeline` job (recorded in $DAGSTER_HOME when it is set, so `make ui` lists the
run) and prints the rows per mart (with the change since the last published run) and where the
warehouse, the report and the BI copy are. Steps run STEP_PROCESSES at a time, each in a process
of its own (Dagster's multiprocess executor; STEP_PROCESSES=1: one after another in this
process), or with the executor a settings file names (STEP_EXECUTOR_FILE; README, "On a
cluster"); steps in other processes take turns with the warehouse file
(python_assets/run_lock.py).
A run that fails prints why, once, without a stack trace (e.g. every problem the input
validation found), and exits with status 1; the run log above it keeps the progress of each
step, and the warehouse is put back as it was before the run (python_assets/run_backup.py).
`kill <pid>` stops the run as Ctrl-C does: Dagster interrupts the running steps, dagster-dbt
stops its dbt process, and the warehouse is put back; a run killed harder (SIGKILL) is put back
by the next run."""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import yaml
from dagster._core.log_manager import LOG_RECORD_METADATA_ATTR
from dagster._utils.log import create_console_logger

from dagster_defs import step_server
from dagster_defs.assets.optimization import every_partition_tags
from dagster_defs.assets.reporting import REPORT_FILE_NAME
from dagster_defs.definitions import build_definitions
from dagster_defs.schedules import whole_pipeline
from python_assets import run_backup, run_lock
from python_assets.reporting.publishing import published_row_counts
from python_assets.settings import WarehouseSettings
from python_assets.summary import run_summary

Result = dg.ExecuteInProcessResult | dg.JobExecutionResult


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


def unpassed_checks(result: Result) -> list[str]:
    """The asset checks of a run that went on that did not pass (warnings, or a guardrail whose
    severity is warn): 'asset: check - why', for the summary."""
    return [
        f"{e.asset_key.to_user_string()}: {e.check_name}"
        + (f" - {e.description}" if e.description else "")
        for e in result.get_asset_check_evaluations()
        if not e.passed
    ]


def _without_module(message: str) -> str:
    """'python_assets.inputs.validation.InputValidationError: ...' -> 'InputValidationError: ...'"""
    return re.sub(r"^(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_]\w*(?:: |$))", "", message.strip())


def failure_messages(result: Result) -> list[str]:
    """What went wrong, one text per failed step: a dg.Failure's description, or the message of
    the exception a step raised (the innermost cause Dagster recorded), and where it was raised
    when it has no message. A failed blocking asset check is named with its description (why)."""
    reasons = {
        f"{e.asset_key.to_user_string()}: {e.check_name}": e.description
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.blocking and e.description
    }
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
            if error is not None and ":" not in text and error.stack:
                # an exception without a message (e.g. StopIteration): say where it was raised
                text += f", raised at {error.stack[-1].strip().splitlines()[0]}"
        for check, why in reasons.items():
            text = text.replace(check, f"{check} - {why}")
        messages.append(f"Step {event.step_key} failed:\n{text.strip()}")
    if not messages:
        run_failures = [
            e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE
        ]
        messages = [e.message or "the run failed" for e in run_failures] or ["the run failed"]
    return messages


@contextlib.contextmanager
def _instance(persistent: bool) -> Iterator[dg.DagsterInstance]:
    """The instance in $DAGSTER_HOME (where `make ui` reads runs), else an ephemeral one, or one
    in a temporary folder when the run's steps run in processes of their own."""
    if os.environ.get("DAGSTER_HOME"):
        with dg.DagsterInstance.get() as instance:
            yield instance
    elif persistent:
        with (
            tempfile.TemporaryDirectory() as folder,
            dg.DagsterInstance.local_temp(folder) as instance,
        ):
            yield instance
    else:
        with dg.DagsterInstance.ephemeral() as instance:
            yield instance


RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "DEBUG"}}}}


class ExecutorFileError(ValueError):
    """STEP_EXECUTOR_FILE does not name an executor (the message says where and why)."""


def executor_from_file(path: Path) -> tuple[dg.ExecutorDefinition, dict[str, Any]]:
    """The executor a STEP_EXECUTOR_FILE names and its config:

    executor: dagster_k8s.k8s_job_executor   # module.attribute of an ExecutorDefinition
    config:                                  # the run config's execution: config:
      max_concurrent: 20
    """
    try:
        content = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as error:
        raise ExecutorFileError(f"STEP_EXECUTOR_FILE {path}: {error}") from None
    if not isinstance(content, dict) or not isinstance(content.get("executor"), str):
        raise ExecutorFileError(
            f"STEP_EXECUTOR_FILE {path}: needs a key 'executor' naming module.attribute of a "
            "Dagster executor, e.g. 'executor: dagster.multiprocess_executor'"
        )
    module, _, attribute = content["executor"].rpartition(".")
    try:
        executor = getattr(importlib.import_module(module), attribute, None) if module else None
    except ImportError as error:
        raise ExecutorFileError(
            f"STEP_EXECUTOR_FILE {path}: executor {content['executor']!r}: {error} "
            "(install the package that provides it)"
        ) from None
    if not isinstance(executor, dg.ExecutorDefinition):
        raise ExecutorFileError(
            f"STEP_EXECUTOR_FILE {path}: {content['executor']!r} is not a Dagster executor "
            "(an ExecutorDefinition such as dagster.multiprocess_executor)"
        )
    config = content.get("config") or {}
    if not isinstance(config, dict):
        raise ExecutorFileError(f"STEP_EXECUTOR_FILE {path}: 'config' must be a mapping")
    return executor, config


def pipeline_job(executor: dg.ExecutorDefinition | None = None) -> dg.JobDefinition:
    """`whole_pipeline` with the run settings of the environment and the console logger; the
    step processes of the executor (the multiprocess one, or STEP_EXECUTOR_FILE's) rebuild it
    from here."""
    settings = WarehouseSettings.from_env()
    if executor is None and settings.step_executor_file is not None:
        executor, _ = executor_from_file(settings.step_executor_file)
    definitions = build_definitions(settings, executor or MULTIPROCESS)
    return definitions.resolve_job_def(whole_pipeline.name).with_logger_defs(
        {"console": console_without_tracebacks}
    )


# this module by name (`python -m` runs it as __main__)
PIPELINE_MODULE = "dagster_defs.run"
# each step in a process of its own, forked from a server that has imported the definitions once
# (dagster_defs/step_server.py)
MULTIPROCESS = dg.multiprocess_executor.configured(
    {"start_method": {"forkserver": {"preload_modules": step_server.PRELOAD}}}
)


def execute(settings: WarehouseSettings, instance: dg.DagsterInstance) -> Result:
    """Run whole_pipeline over every product partition of the plan: with STEP_EXECUTOR_FILE's
    executor, or STEP_PROCESSES steps at once in processes of their own, or (1) one after
    another in this process."""
    tags = every_partition_tags(settings.plan_partitions)
    if settings.step_executor_file is not None:
        _, config = executor_from_file(settings.step_executor_file)
        execution = {"execution": {"config": config}} if config else {}
    elif settings.concurrent_steps == 1:
        return pipeline_job(dg.in_process_executor).execute_in_process(
            run_config=RUN_CONFIG, instance=instance, raise_on_error=False, tags=tags
        )
    else:
        execution = {"execution": {"config": {"max_concurrent": settings.concurrent_steps}}}
    return dg.execute_job(
        dg.build_reconstructable_job(PIPELINE_MODULE, pipeline_job.__name__),
        instance=instance,
        run_config=RUN_CONFIG | execution,
        raise_on_error=False,
        tags=tags,
    )


def main() -> int:
    try:
        settings = WarehouseSettings.from_env()
        if settings.step_executor_file is not None:
            executor_from_file(settings.step_executor_file)
    except ValueError as error:
        print(f"Run settings: {error}", file=sys.stderr)
        return 1
    previous = published_row_counts(settings.parquet_export_dir)
    path = settings.duckdb_path
    try:
        # this command owns the run: the lock and the copy of the warehouse are taken here,
        # once, for every step process (python_assets/run_lock.py)
        with run_lock.warehouse_run_lock(path):
            if recovered := run_backup.begin_run(path, settings.handoff_dir):
                print(recovered, file=sys.stderr)
            succeeded = False
            try:
                with (
                    run_lock.owning_run(path),
                    _instance(
                        settings.concurrent_steps > 1 or settings.step_executor_file is not None
                    ) as instance,
                ):
                    result = execute(settings, instance)
                succeeded = result.success
            finally:
                restored = run_backup.end_run(path, succeeded, settings.handoff_dir)
    except run_lock.WarehouseBusyError as error:
        print(error, file=sys.stderr)
        return 1
    if not result.success:
        print(
            "\nThe run failed. "
            + (
                f"No table changed: the warehouse {path} is as it was before the run. "
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
    print(run_summary(settings, previous, unpassed_checks(result)))
    print(f"Report (HTML):     {settings.duckdb_path.parent / 'reports' / REPORT_FILE_NAME}")
    print(
        f"BI copy (DuckDB):  {settings.published_duckdb_path} "
        "(read-only; DuckDB 1.0 and later open it)"
    )
    print(f"BI copy (Parquet): {settings.parquet_export_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
