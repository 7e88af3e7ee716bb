"""Operations: a weekly run of the whole pipeline, and a sensor that starts one when new input
files land in INPUT_DIR (DATASET=files) or the FreshRetailNet file changes."""

from pathlib import Path

import dagster as dg

from dagster_defs.assets.optimization import every_partition_tags
from python_assets.inputs.watch import built_after_inputs, input_files, input_fingerprint
from python_assets.settings import WarehouseSettings

whole_pipeline = dg.define_asset_job(
    "whole_pipeline",
    selection=dg.AssetSelection.all(),
    description="Every asset, inputs to report.",
)


def build_weekly_pipeline(settings: WarehouseSettings) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="weekly_pipeline",
        job=whole_pipeline,
        cron_schedule="0 5 * * 1",  # Mondays 05:00, before planners start the week
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="The whole pipeline every Monday at 05:00 (turn it on in the UI).",
    )
    def weekly_pipeline() -> dg.RunRequest:
        return dg.RunRequest(tags=every_partition_tags(settings.plan_partitions))

    return weekly_pipeline


def watched_folder(settings: WarehouseSettings) -> Path | None:
    """Where new inputs land: the user's folder, or the folder holding the FreshRetailNet file;
    None for the demo, whose files each run writes itself (watching them, every run would look
    like new input and start the next)."""
    if settings.dataset == "demo":
        return None
    if settings.dataset == "freshretailnet" and "://" not in settings.frn_path:
        return Path(settings.frn_path).parent
    return settings.resolved_input_dir


def build_input_sensor(settings: WarehouseSettings) -> dg.SensorDefinition:
    @dg.sensor(
        name="new_input_files",
        job=whole_pipeline,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Starts the whole pipeline when the input files change (names, sizes, modification times).",
    )
    def new_input_files(context: dg.SensorEvaluationContext):
        folder = watched_folder(settings)
        if folder is None:
            return dg.SkipReason("DATASET=demo: the demo's inputs are generated, not delivered")
        files = input_files(folder)
        fingerprint = input_fingerprint(files)
        if fingerprint is None or fingerprint == context.cursor:
            return dg.SkipReason("no new input files")
        first_tick = context.cursor is None
        context.update_cursor(fingerprint)
        if first_tick and built_after_inputs(files, settings.duckdb_path):
            return dg.SkipReason(
                f"first tick: the warehouse {settings.duckdb_path} was written after the input "
                f"files in {folder} last changed; watching them from now on"
            )
        return dg.RunRequest(
            run_key=fingerprint, tags=every_partition_tags(settings.plan_partitions)
        )

    return new_input_files
