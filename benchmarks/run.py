"""`make bench`: wall time and peak memory of each pipeline stage, on the demo network and, when
its file is present, on FreshRetailNet-50K. Each stage is its own Dagster materialisation in its
own process under /usr/bin/time, so its peak RSS (including the dbt subprocess) is its own.

Results: benchmarks/results/pipeline_<dataset>.json and the table in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from python_assets.settings import DEFAULT_FRN_PATH, REPO_ROOT

RESULTS = REPO_ROOT / "benchmarks" / "results"

# stage name -> Dagster asset selection; a stage whose selection matches nothing is skipped
STAGES: tuple[tuple[str, str], ...] = (
    ("input files (generate / adapt)", 'key:"landing/input_files"'),
    ("validate + load raw", 'group:"raw"'),
    ("dbt build (staging, clusters, z-scores, marts + tests)", 'kind:"dbt"'),
    ("demand forecast + backtest", 'group:"forecasting"'),
    ("allocation LP + scenarios", 'group:"optimization"'),
    ("KPIs, report, publish", 'group:"reporting"'),
)


def run_stage(selection: str, env: dict[str, str]) -> dict[str, float] | None:
    dagster = str(Path(sys.executable).parent / "dagster")
    command = [
        "/usr/bin/time",
        "-f",
        "%e %M",
        dagster,
        "asset",
        "materialize",
        "--select",
        selection,
        "-m",
        "dagster_defs",
    ]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO_ROOT)
    if "no assets" in done.stderr.lower() or "did not match" in done.stderr.lower():
        return None
    if done.returncode != 0:
        raise RuntimeError(f"stage {selection} failed:\n{done.stderr[-3000:]}")
    wall, max_rss_kb = done.stderr.strip().splitlines()[-1].split()
    return {"wall_s": float(wall), "peak_rss_mb": round(int(max_rss_kb) / 1024, 1)}


def bench_dataset(dataset: str, extra_env: dict[str, str]) -> dict:
    warehouse = REPO_ROOT / "warehouse" / "bench" / dataset / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATASET": dataset, "DUCKDB_PATH": str(warehouse), **extra_env}
    stages = []
    started = time.perf_counter()
    for name, selection in STAGES:
        measured = run_stage(selection, env)
        if measured is not None:
            stages.append({"stage": name, "selection": selection, **measured})
            print(
                f"  {name:<58} {measured['wall_s']:>8.1f} s {measured['peak_rss_mb']:>9.0f} MB",
                flush=True,
            )
    return {
        "dataset": dataset,
        "command": f"make bench  (python -m benchmarks.run --dataset {dataset})",
        "machine": f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "load_average_at_start": os.getloadavg(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "stages": stages,
        "total_wall_s": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", action="append", choices=["demo", "freshretailnet"])
    args = parser.parse_args()
    frn_path = Path(os.environ.get("FRN_PATH", DEFAULT_FRN_PATH))
    datasets = args.dataset or (["demo", "freshretailnet"] if frn_path.exists() else ["demo"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    for dataset in datasets:
        print(f"{dataset}:", flush=True)
        result = bench_dataset(
            dataset, {"FRN_PATH": str(frn_path)} if dataset == "freshretailnet" else {}
        )
        (RESULTS / f"pipeline_{dataset}.json").write_text(json.dumps(result, indent=2) + "\n")
        print(f"  total {result['total_wall_s']} s -> {RESULTS / f'pipeline_{dataset}.json'}")


if __name__ == "__main__":
    main()
