"""`make bench`: wall time and peak memory of each pipeline stage, on the demo network, on
FreshRetailNet-50K when its file is present, and on synthetic networks of 1x, 2x, 4x and 8x a
base series count (FreshRetailNet's layout, written by python_assets.inputs.freshretailnet; 8x
with the stages up to the forecast and the LP only), with the growth exponent b of wall time ~
size^b fitted per stage against the series and against the stage's own problem size (the LP:
its columns, one per candidate lane and per store of each product). Each stage is its own
Dagster materialisation in its own process under /usr/bin/time, so its peak RSS (including the
dbt subprocess) is its own. The LP stage, whose solves run in PROCESSES worker processes (one
per core by default), is then run once more with PROCESSES=1, and the forecast stage, whose
gradient-boosting members fit side by side, once more pinned to one core (`taskset -c 0`,
where the machine has it): the speed-up of more processes and cores per stage.

Results: benchmarks/results/pipeline_<dataset>.json, pipeline_scaling.json, and their tables in
benchmarks/results/pipeline.md (`--render` rewrites it from the JSON files).

    python -m benchmarks.run [--dataset demo|freshretailnet|scaling] [--base-stores 125]
                             [--scales 1 2 4 8] [--again STAGE]

--dataset once per network (`--dataset demo --dataset freshretailnet`); without it, every network
(FreshRetailNet-50K only where its file is present).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np

from python_assets import handoff
from python_assets.inputs.demo import DEMO_SIZES
from python_assets.inputs.freshretailnet import write_synthetic_freshretailnet
from python_assets.optimization.parallel import partition_keys
from python_assets.settings import DEFAULT_FRN_PATH, REPO_ROOT, WarehouseSettings

RESULTS = REPO_ROOT / "benchmarks" / "results"
BENCH_WAREHOUSES = REPO_ROOT / "warehouse" / "bench"

# the forecast's history, monitoring and drift: in the forecasting group, measured with the
# history and monitoring views (a run over the forecast's partitions takes only assets with a
# single-run backfill policy)
FORECAST_MONITORING = " or ".join(
    f'key:"forecasting/{name}"'
    for name in ("forecast_history", "forecast_monitoring", "demand_drift")
)
# stage name -> Dagster asset selection, in graph order; dbt runs in layers around the
# forecast and the LP, the history and monitoring views last (dagster_defs/assets/dbt.py);
# a selection matching nothing is skipped
STAGES: tuple[tuple[str, str], ...] = (
    ("input files (generate / adapt)", 'key:"landing/input_files"'),
    ("validate + load raw", 'group:"raw"'),
    ("dbt build: staging, clusters, z-scores, LP inputs (+ tests)", "tag:dbt_layer=dbt_core"),
    ("demand forecast + backtest", f'group:"forecasting" and not ({FORECAST_MONITORING})'),
    ("dbt build: forecast marts", "tag:dbt_layer=dbt_after_forecast"),
    ("allocation LP + baselines + scenarios", 'group:"optimization"'),
    (
        "dbt build: plan marts, KPIs; report, CSV, publish",
        'tag:dbt_layer=dbt_after_optimization or group:"reporting" or group:"exports"',
    ),
    (
        "dbt build: history and monitoring views",
        f"tag:dbt_layer=dbt_monitoring or {FORECAST_MONITORING}",
    ),
)
# the stage whose solves run in worker processes (PROCESSES): measured again with one process
PARALLEL_STAGE = "allocation LP + baselines + scenarios"
SCALES = (1, 2, 4, 8)
# the stage whose model fits use every core (threads, not processes): measured again on one core
FORECAST_STAGE = "demand forecast + backtest"
# the stages run over every product partition (--partition-range)
PARTITIONED_STAGES = (dict(STAGES)[FORECAST_STAGE], dict(STAGES)[PARALLEL_STAGE])
# networks this large run the stages up to the LP only, once (no PROCESSES=1 run)
FORECAST_AND_LP_FROM_SCALE = 8
FORECAST_AND_LP_STAGES = STAGES[: [name for name, _ in STAGES].index(PARALLEL_STAGE) + 1]
SYNTHETIC = {"cities": 18, "products": 100, "days": 83}


def machine() -> str:
    return f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def build_command(warehouse: Path) -> str:
    """The `make run` that built the warehouse, from what its marts.dataset_assumptions records
    (the dataset, and the demo's profile and size): the benchmark's own environment need not be
    the run's (`make run DATASET=freshretailnet` sets DATASET for make only)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select dataset_name, topic, setting from marts.dataset_assumptions"
        ).fetchall()
    dataset = rows[0][0]
    if dataset != "demo":
        return f"make run DATASET={dataset}"
    settings = {topic: setting for _, topic, setting in rows}
    env = [f"DEMO_SIZE={n}" for n, size in DEMO_SIZES.items() if size.setting() == settings["size"]]
    profile = re.match(r"profile=(\w+)", settings.get("profile", ""))
    env += [f"DEMO_PROFILE={profile[1]}"] if profile else []
    return " ".join([*env, "make run"])


def write_warehouse_result(
    path: Path, figures: dict[str, object], warehouse: Path, command: str
) -> dict[str, object]:
    """Figures read from a built warehouse, written as JSON to path with the warehouse, the
    commands that built it and that read the figures from it, the machine, its load average and
    the time."""
    result = figures | {
        "warehouse": str(warehouse),
        "command": f"{build_command(warehouse)} && {command}",
        "machine": machine(),
        "load_average": list(os.getloadavg()),
        "measured_at": time.strftime("%Y-%m-%d %H:%M"),
    }
    path.write_text(json.dumps(result, indent=2) + "\n")
    return result


def run_stage(
    selection: str, env: dict[str, str], prefix: tuple[str, ...] = ()
) -> dict[str, float] | None:
    """Wall time and peak RSS of one Dagster materialisation; prefix runs it under a command
    (e.g. `taskset -c 0`); None when the selection matches no asset."""
    dagster = str(Path(sys.executable).parent / "dagster")
    command = ["/usr/bin/time", "-f", "%e %M", *prefix, dagster, "asset", "materialize"]
    command += ["--select", selection, "-m", "dagster_defs"]
    if selection in PARTITIONED_STAGES:
        # every product partition of the forecast and the plan, in one run (README, "The
        # pipeline")
        keys = partition_keys(WarehouseSettings.from_env(env).plan_partitions)
        command += ["--partition-range", f"{keys[0]}...{keys[-1]}"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO_ROOT)
    if "no assets" in done.stderr.lower() or "did not match" in done.stderr.lower():
        return None
    if done.returncode != 0:
        raise RuntimeError(f"stage {selection} failed:\n{done.stderr[-3000:]}")
    wall, max_rss_kb = done.stderr.strip().splitlines()[-1].split()
    return {"wall_s": float(wall), "peak_rss_mb": round(int(max_rss_kb) / 1024, 1)}


def lp_columns(warehouse: Path) -> int:
    """The LP's size: its columns over all products, one per candidate lane and one per store
    (the LP stage's optimization.product_status)."""
    status = handoff.read_table(handoff.handoff_dir(warehouse), "optimization", "product_status")
    return int((status["n_lanes"] + status["n_stores"]).sum())


def bench_dataset(
    name: str,
    dataset: str,
    extra_env: dict[str, str],
    stages_to_run: tuple[tuple[str, str], ...] = STAGES,
    one_process: bool = True,
) -> dict:
    """The stages in order on a fresh warehouse of its own (then, unless one_process is False,
    the LP stage again with one process and the forecast stage again on one core)."""
    warehouse = BENCH_WAREHOUSES / name / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    warehouse.unlink(missing_ok=True)
    env = {**os.environ, "DATASET": dataset, "DUCKDB_PATH": str(warehouse), **extra_env}
    load_at_start = os.getloadavg()
    stages = []
    started = time.perf_counter()
    for stage, selection in stages_to_run:
        measured = run_stage(selection, env)
        if measured is not None:
            stages.append({"stage": stage, "selection": selection, **measured})
            print(
                f"  {stage:<58} {measured['wall_s']:>8.1f} s {measured['peak_rss_mb']:>9.0f} MB",
                flush=True,
            )
    total = round(time.perf_counter() - started, 1)
    print(f"  total {total} s", flush=True)
    result = {
        "name": name,
        "dataset": dataset,
        "machine": machine(),
        "load_average_at_start": load_at_start,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "stages": stages,
        "processes": int(env.get("PROCESSES") or 0) or os.cpu_count(),
        "total_wall_s": total,
        "peak_rss_mb": max(stage["peak_rss_mb"] for stage in stages),
        "lp_columns": lp_columns(warehouse),
    }
    if one_process:
        one = run_stage(dict(STAGES)[PARALLEL_STAGE], {**env, "PROCESSES": "1"})
        print(f"  {PARALLEL_STAGE} again, PROCESSES=1: {one['wall_s']:.1f} s", flush=True)
        result["one_process"] = {"stage": PARALLEL_STAGE, **one}
        if shutil.which("taskset"):
            pinned = run_stage(dict(STAGES)[FORECAST_STAGE], env, ("taskset", "-c", "0"))
            print(f"  {FORECAST_STAGE} again, on one core: {pinned['wall_s']:.1f} s", flush=True)
            result["forecast_one_core"] = {
                "stage": FORECAST_STAGE,
                "cores_of_the_first_run": os.cpu_count(),
                **pinned,
            }
    return result


def growth_exponent(sizes: list[int], values: list[float]) -> float:
    """b in value ~ a * size^b, least squares on logs."""
    slope, _ = np.polyfit(np.log(sizes), np.log(values), 1)
    return round(float(slope), 2)


def stage_again(run: dict, stage: str) -> None:
    """Run one stage again on the run's warehouse (after a change to it) and put its new figures
    in the run; the run's total wall time changes by the stage's difference, and the LP stage's
    one-process figures, now from older code, move aside."""
    warehouse = BENCH_WAREHOUSES / run["name"] / "warehouse.duckdb"
    env = {
        **os.environ,
        "DATASET": run["dataset"],
        "DUCKDB_PATH": str(warehouse),
        "FRN_PATH": str(warehouse.parent / "train.parquet"),
    }
    measured = run_stage(dict(STAGES)[stage], env)
    print(f"  {run['name']}: {stage} again {measured['wall_s']:.1f} s", flush=True)
    row = stage_row(run, stage)
    run["total_wall_s"] = round(run["total_wall_s"] - row["wall_s"] + measured["wall_s"], 1)
    row.update(measured, measured_again_at=time.strftime("%Y-%m-%d %H:%M:%S"))
    run["lp_columns"] = lp_columns(warehouse)
    if stage == PARALLEL_STAGE and "one_process" in run:
        run["one_process_before_stage_again"] = run.pop("one_process")


def bench_scaling(base_stores: int, scales: tuple[int, ...], again: str | None = None) -> dict:
    """Synthetic networks of scale x base_stores stores x SYNTHETIC['products'] products, every
    store carrying every product: the series count scales with the store count, so lanes,
    clusters and zones grow too, not only the number of independent products. Runs of other
    scales kept in pipeline_scaling.json (same base) stay, so one scale can be run again alone;
    with `again`, only that stage runs again on each of the scales' kept networks."""
    previous = RESULTS / "pipeline_scaling.json"
    kept = []
    if previous.exists():
        earlier = json.loads(previous.read_text())
        if earlier["synthetic_network"].get("base_stores") == base_stores:
            kept = earlier["runs"]
    if again is not None:
        for run in kept:
            if run["scale"] in scales:
                stage_again(run, again)
        scales = ()
    kept = [run for run in kept if run["scale"] not in scales]
    for run in kept:  # measured before the LP's size was recorded: read it from its warehouse
        if "lp_columns" not in run:
            run["lp_columns"] = lp_columns(BENCH_WAREHOUSES / run["name"] / "warehouse.duckdb")
    runs = kept
    for scale in scales:
        stores = base_stores * scale
        path = BENCH_WAREHOUSES / f"synthetic_{scale}x" / "train.parquet"
        write_synthetic_freshretailnet(
            path, SYNTHETIC["cities"], stores, SYNTHETIC["products"], SYNTHETIC["days"], seed=scale
        )
        print(f"synthetic {scale}x: {stores} stores x {SYNTHETIC['products']} products", flush=True)
        large = scale >= FORECAST_AND_LP_FROM_SCALE
        run = bench_dataset(
            f"synthetic_{scale}x",
            "freshretailnet",
            {"FRN_PATH": str(path)},
            FORECAST_AND_LP_STAGES if large else STAGES,
            one_process=not large,
        )
        runs.append({"scale": scale, "stores": stores, "series": stores * SYNTHETIC["products"]})
        runs[-1].update(run)
    runs.sort(key=lambda run: run["scale"])
    return {
        "command": "make bench  (python -m benchmarks.run --dataset scaling "
        f"--base-stores {base_stores} --scales {' '.join(str(run['scale']) for run in runs)})",
        "machine": machine(),
        "synthetic_network": {
            **SYNTHETIC,
            "base_stores": base_stores,
            "scales": [run["scale"] for run in runs],
            "forecast_and_lp_only_from_scale": FORECAST_AND_LP_FROM_SCALE,
        },
        "runs": runs,
        **scaling_exponents(runs),
    }


def scaling_exponents(runs: list[dict]) -> dict:
    """Growth exponents of each stage's wall time against the series, over the runs that have
    the stage; of the LP stage (and its one-process run) against its own size, the LP columns;
    of the total and the peak memory over the runs with every stage."""
    exponents = {}
    for stage, _ in STAGES:
        having = [(run["series"], stage_row(run, stage)) for run in runs]
        having = [(size, row["wall_s"]) for size, row in having if row is not None]
        if len(having) >= 2:
            exponents[stage] = growth_exponent(*map(list, zip(*having, strict=True)))
    complete = [run for run in runs if all(stage_row(run, stage) for stage, _ in STAGES)]
    series = [run["series"] for run in complete]
    exponents["total"] = growth_exponent(series, [run["total_wall_s"] for run in complete])
    lp = [run for run in runs if stage_row(run, PARALLEL_STAGE) and run.get("lp_columns")]
    lp_sizes = [run["lp_columns"] for run in lp]
    own = {
        PARALLEL_STAGE: growth_exponent(
            lp_sizes, [stage_row(run, PARALLEL_STAGE)["wall_s"] for run in lp]
        )
    }
    one = [run for run in lp if "one_process" in run]
    if len(one) >= 2:
        own[f"{PARALLEL_STAGE}, 1 process"] = growth_exponent(
            [run["lp_columns"] for run in one], [run["one_process"]["wall_s"] for run in one]
        )
    return {
        "growth_exponent_wall": exponents,
        "growth_exponent_own_size": own,
        "growth_exponent_peak_rss": growth_exponent(
            series, [run["peak_rss_mb"] for run in complete]
        ),
    }


def fmt(stage: dict | None) -> str:
    return (
        "-" if stage is None else f"{stage['wall_s']:.0f} s / {stage['peak_rss_mb'] / 1024:.1f} GB"
    )


def stage_row(run: dict, stage: str) -> dict | None:
    return next((s for s in run["stages"] if s["stage"] == stage), None)


def _again(run: dict, key: str, unit: str) -> str:
    """A stage run again on one process or core (run[key], naming its stage), and the speed-up
    of the first run's processes or cores."""
    one = run.get(key)
    many = stage_row(run, one["stage"]) if one else None
    if many is None:
        return "-"
    # a record that keeps its own core count says so; otherwise the run's processes
    count = one.get("cores_of_the_first_run") or run["processes"]
    return f"{fmt(one)} ({count} {unit}: {one['wall_s'] / many['wall_s']:.2f}x)"


def render_markdown() -> str:
    """The tables of results/pipeline.md, from the pipeline_*.json present."""
    found = {
        p.stem.removeprefix("pipeline_"): json.loads(p.read_text())
        for p in sorted(RESULTS.glob("pipeline_*.json"))
    }
    lines = [
        "# Pipeline benchmarks (`make bench`)",
        "",
        "Written by `python -m benchmarks.run` from the JSON files beside this one; wall time / peak RSS of each stage, each stage its own process.",
        "",
    ]
    named = [found[name] for name in ("demo", "freshretailnet") if name in found]
    if named:
        lines += [
            "| stage | " + " | ".join(run["dataset"] for run in named) + " |",
            "| --- |" + " --: |" * len(named),
        ]
        for stage, _ in STAGES:
            lines.append(
                f"| {stage} | " + " | ".join(fmt(stage_row(run, stage)) for run in named) + " |"
            )
        lines.append(
            "| **total wall / peak** | "
            + " | ".join(
                f"**{run['total_wall_s']:.0f} s / {run['peak_rss_mb'] / 1024:.1f} GB**"
                for run in named
            )
            + " |"
        )
        lines += [
            f"| {PARALLEL_STAGE}, 1 process (and the speed-up of more) | "
            + " | ".join(_again(run, "one_process", "processes") for run in named)
            + " |",
            f"| {FORECAST_STAGE}, 1 core (and the speed-up of more) | "
            + " | ".join(_again(run, "forecast_one_core", "cores") for run in named)
            + " |",
        ]
        lines += (
            [""]
            + [
                f"- {run['dataset']}: `{run['command']}`, {run['measured_at']}, load average at start {', '.join(f'{x:.2f}' for x in run['load_average_at_start'])}; {run['machine']}"
                for run in named
            ]
            + [""]
        )
    if "scaling" in found:
        scaling = found["scaling"]
        runs = scaling["runs"]
        network = scaling["synthetic_network"]
        lines += [
            f"Synthetic networks (FreshRetailNet's layout, {network['cities']} cities, {network['products']} products, {network['days']} days, every store carrying every product); growth exponent b of wall time ~ series^b, least squares on logs over all sizes and between the two largest:",
            "",
            "| stage | "
            + " | ".join(
                f"{run['scale']}x: {run['stores']} stores, {run['series']:,} series" for run in runs
            )
            + " | b | b, two largest |",
            "| --- |" + " --: |" * (len(runs) + 2),
        ]
        exponents = scaling["growth_exponent_wall"]
        own = scaling.get("growth_exponent_own_size", {})

        def last_two(stage: str) -> str:
            rows = [(run["series"], stage_row(run, stage)) for run in runs]
            rows = [(size, row["wall_s"]) for size, row in rows if row is not None][-2:]
            return (
                "-"
                if len(rows) < 2
                else f"{growth_exponent(*map(list, zip(*rows, strict=True))):.2f}"
            )

        for stage, _ in STAGES:
            b = exponents.get(stage)
            lines.append(
                f"| {stage} | "
                + " | ".join(fmt(stage_row(run, stage)) for run in runs)
                + f" | {'-' if b is None else f'{b:.2f}'} | {last_two(stage)} |"
            )
        lines.append(
            f"| {PARALLEL_STAGE}, 1 process (and the speed-up of more) | "
            + " | ".join(_again(run, "one_process", "processes") for run in runs)
            + " | - | - |"
        )
        lines.append(
            f"| {FORECAST_STAGE}, 1 core (and the speed-up of more) | "
            + " | ".join(_again(run, "forecast_one_core", "cores") for run in runs)
            + " | - | - |"
        )
        complete = [run for run in runs if all(stage_row(run, stage) for stage, _ in STAGES)]
        lines.append(
            "| **total** | "
            + " | ".join(
                f"**{run['total_wall_s']:.0f} s / {run['peak_rss_mb'] / 1024:.1f} GB**"
                + ("" if run in complete else " (stages up to the LP)")
                for run in runs
            )
            + f" | **{exponents['total']:.2f}** | "
            + f"**{growth_exponent([r['series'] for r in complete[-2:]], [r['total_wall_s'] for r in complete[-2:]]):.2f}** |"
        )
        if own:
            lines += [
                "",
                "Against the stage's own problem size: the LP's columns (one per candidate lane and per store, over all products) "
                + ", ".join(f"{run['scale']}x {run.get('lp_columns', 0):,}" for run in runs)
                + "; growth exponent of the LP stage's wall time against them: "
                + ", ".join(
                    f"{name} b = {b:.2f}"
                    + (
                        f" ({growth_exponent([r['lp_columns'] for r in runs[-2:]], [stage_row(r, PARALLEL_STAGE)['wall_s'] for r in runs[-2:]]):.2f} between the two largest)"
                        if name == PARALLEL_STAGE
                        else " (over the sizes it ran at)"
                    )
                    for name, b in own.items()
                )
                + ". The forecast's own size is the series count (the days are the same in every network), so its b is the one above.",
            ]
        lines += [
            "",
            f"Peak memory grows as series^{scaling['growth_exponent_peak_rss']:.2f} (runs with every stage). `{scaling['command']}`; {scaling['machine']}; load averages at the start of each run: "
            + "; ".join(f"{run['scale']}x {run['load_average_at_start'][0]:.2f}" for run in runs)
            + ".",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", action="append", choices=["demo", "freshretailnet", "scaling"])
    parser.add_argument("--base-stores", type=int, default=125, help="stores of the 1x network")
    parser.add_argument(
        "--scales", type=int, nargs="+", default=list(SCALES), help="synthetic network sizes"
    )
    parser.add_argument(
        "--again",
        choices=[name for name, _ in STAGES],
        help="scaling: run only this stage again on the --scales networks already measured",
    )
    parser.add_argument("--render", action="store_true", help="only rewrite results/pipeline.md")
    args = parser.parse_args()
    if args.render:
        (RESULTS / "pipeline.md").write_text(render_markdown())
        return
    frn_path = Path(os.environ.get("FRN_PATH", DEFAULT_FRN_PATH))
    default = ["demo", "freshretailnet", "scaling"] if frn_path.exists() else ["demo", "scaling"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    for dataset in args.dataset or default:
        print(f"{dataset}:", flush=True)
        if dataset == "scaling":
            result = bench_scaling(args.base_stores, tuple(args.scales), args.again)
        else:
            extra = {"FRN_PATH": str(frn_path)} if dataset == "freshretailnet" else {}
            result = bench_dataset(dataset, dataset, extra)
            result["command"] = f"make bench  (python -m benchmarks.run --dataset {dataset})"
        output = RESULTS / f"pipeline_{dataset}.json"
        output.write_text(json.dumps(result, indent=2) + "\n")
        print(f"-> {output}", flush=True)
        (RESULTS / "pipeline.md").write_text(render_markdown())


if __name__ == "__main__":
    main()
