"""The benchmarks' bookkeeping: the pipeline stages cover the graph, the fit and tables, the
forecast's per-day scores."""

import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

import benchmarks.run as bench
from benchmarks.forecast_combinations import combination_scores
from benchmarks.forecast_level_correction import corrected
from benchmarks.forecast_seeds import scored_days
from benchmarks.machine_usage import (
    StepShare,
    busy_seconds,
    measure,
    memory_in_use_gb,
    shares_by_step,
)
from benchmarks.tree_memory import tree_pss_kb
from dagster_defs import defs


def test_stages_select_every_asset_exactly_once() -> None:
    graph = defs.resolve_asset_graph()
    seen: set[dg.AssetKey] = set()
    for stage, selection in bench.STAGES:
        keys = dg.AssetSelection.from_string(selection).resolve(graph)
        assert keys, f"stage {stage!r} selects nothing"
        assert not keys & seen, f"stage {stage!r} repeats {sorted(keys & seen)}"
        seen |= keys
    assert seen == set(graph.materializable_asset_keys)


def test_the_stages_run_over_the_partitions_hold_only_single_run_assets() -> None:
    """`dagster asset materialize --partition-range` refuses a selection with an asset that
    has no single-run backfill policy."""
    graph = defs.resolve_asset_graph()
    for selection in bench.PARTITIONED_STAGES:
        keys = dg.AssetSelection.from_string(selection).resolve(graph)
        assert any(graph.get(key).partitions_def is not None for key in keys)
        for key in keys:
            assert graph.get(key).backfill_policy == dg.BackfillPolicy.single_run(), key


def test_growth_exponent_recovers_known_powers() -> None:
    sizes = [12_500, 25_000, 50_000]
    assert bench.growth_exponent(sizes, [3.0 * n for n in sizes]) == pytest.approx(1.0)
    assert bench.growth_exponent(sizes, [1e-6 * n**2 for n in sizes]) == pytest.approx(2.0)
    assert bench.growth_exponent(sizes, [42.0] * 3) == pytest.approx(0.0)


def fake_run(name: str, factor: float, stages=bench.STAGES) -> dict:
    measured = [
        {"stage": stage, "selection": sel, "wall_s": 10.0 * factor, "peak_rss_mb": 512.0 * factor}
        for stage, sel in stages
    ]
    # the forecast stage again on one core: 1.5x slower than on the machine's two
    one_core = {"stage": bench.FORECAST_STAGE, "cores_of_the_first_run": 2}
    return {
        "forecast_one_core": one_core | {"wall_s": 15.0 * factor, "peak_rss_mb": 512.0 * factor},
        "name": name,
        "dataset": name,
        "command": f"bench {name}",
        "machine": "test machine",
        "load_average_at_start": [0.5, 0.5, 0.5],
        "measured_at": "now",
        "stages": measured,
        "total_wall_s": 10.0 * factor * len(measured),
        "peak_rss_mb": 512.0 * factor,
    }


def test_markdown_tables_come_from_the_json_files(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(bench, "RESULTS", tmp_path)
    (tmp_path / "pipeline_demo.json").write_text(json.dumps(fake_run("demo", 1.0)))
    # 1x-4x with every stage, 8x up to the LP only (as make bench runs them); the LP's columns
    # grow as the series squared, its time (10 s x scale) as the series
    runs = [
        {
            "scale": k,
            "stores": 10 * k,
            "series": 1000 * k,
            "lp_columns": 100 * k * k,
            **fake_run(
                f"synthetic_{k}x",
                k,
                bench.FORECAST_AND_LP_STAGES
                if k >= bench.FORECAST_AND_LP_FROM_SCALE
                else bench.STAGES,
            ),
        }
        for k in bench.SCALES
    ]
    assert bench.SCALES == (1, 2, 4, 8)
    scaling = {
        "command": "bench scaling",
        "machine": "test machine",
        "synthetic_network": {**bench.SYNTHETIC, "base_stores": 10, "scales": list(bench.SCALES)},
        "runs": runs,
        **bench.scaling_exponents(runs),
    }
    # every stage's time grows as the series, the LP's as the square root of its own size
    assert set(scaling["growth_exponent_wall"].values()) == {1.0}
    assert scaling["growth_exponent_own_size"] == {bench.PARALLEL_STAGE: 0.5}
    (tmp_path / "pipeline_scaling.json").write_text(json.dumps(scaling))

    text = bench.render_markdown()
    one_core = f"| {bench.FORECAST_STAGE}, 1 core (and the speed-up of more) |"
    assert f"{one_core} 15 s / 0.5 GB (2 cores: 1.50x) |" in text  # demo table
    assert f"{one_core} 15 s / 0.5 GB (2 cores: 1.50x) | 30 s / 1.0 GB (2 cores: 1.50x) |" in text
    up_to_lp = [stage for stage, _ in bench.FORECAST_AND_LP_STAGES]
    for stage, _ in bench.STAGES:
        assert f"| {stage} | 10 s / 0.5 GB |" in text  # demo row
        eight = "80 s / 4.0 GB" if stage in up_to_lp else "-"
        row = f"| {stage} | 10 s / 0.5 GB | 20 s / 1.0 GB | 40 s / 2.0 GB | {eight} | 1.00 |"
        assert row in text
    n = len(bench.STAGES)  # the total sums the stages' 10 s (x scale) each
    assert (
        f"| **total** | **{10 * n} s / 0.5 GB** | **{20 * n} s / 1.0 GB** | **{40 * n} s / 2.0 GB** | "
        f"**{80 * len(up_to_lp)} s / 4.0 GB** (stages up to the LP) |" in text
    )
    assert "8x: 80 stores, 8,000 series" in text
    assert f"{bench.PARALLEL_STAGE} b = 0.50 (0.50 between the two largest)" in text


def test_scored_days_sum_each_day_over_its_scored_rows_only() -> None:
    day1, day2 = pd.Timestamp("2024-06-12"), pd.Timestamp("2024-06-13")
    predictions = pd.DataFrame(
        {
            "model": ["m"] * 4,
            "window": [1, 1, 1, 1],
            "forecast_date": [day1, day1, day2, day2],
            "actual": [10.0, 30.0, 20.0, 99.0],
            "forecast": [12.0, 24.0, 15.0, 0.0],
            "is_scored": [True, True, True, False],
        }
    )
    days = {row["date"]: row for row in scored_days(predictions)}
    assert set(days) == {"2024-06-12", "2024-06-13"}
    assert days["2024-06-12"]["wape"] == pytest.approx(8 / 40)
    assert days["2024-06-12"]["wpe"] == pytest.approx(-4 / 40)
    assert days["2024-06-13"]["wape"] == pytest.approx(5 / 20)  # the unscored row is left out
    assert days["2024-06-13"]["weekday"] == "Thursday"


def test_replay_figures_come_from_the_built_warehouse(built_warehouse) -> None:
    import duckdb

    from benchmarks.replay import replay_figures

    with duckdb.connect(str(built_warehouse.settings.duckdb_path), read_only=True) as con:
        figures = replay_figures(con, built_warehouse.settings.handoff_dir)
    # 4 policies against doing nothing and 4 against perfect foresight, cost and fill rate each
    assert len(figures["summary"]) == 16
    assert len(figures["per_origin"]) == 4 * 5
    assert figures["replay_seconds"] > 0


def test_forecast_stage_times_the_step_on_the_built_warehouse(
    built_warehouse, tmp_path, monkeypatch
) -> None:
    from benchmarks import forecast_stage
    from python_assets.forecasting import ForecastSettings
    from python_assets.forecasting.gbm import GradientBoostingSettings

    monkeypatch.setattr(forecast_stage, "RESULTS", tmp_path)
    # a small global model: what is checked is what the benchmark records, not the forecast
    small = GradientBoostingSettings(max_iter=20, n_models=1, min_samples_leaf=20)
    monkeypatch.setattr(
        forecast_stage, "ForecastSettings", lambda: ForecastSettings(gradient_boosting=small)
    )
    monkeypatch.setenv("DUCKDB_PATH", str(built_warehouse.settings.duckdb_path))
    figures = forecast_stage.main(["--name", "tiny"])
    assert json.loads((tmp_path / "forecast_stage_tiny.json").read_text()) == figures
    # the same tables the step hands over, one forecast row per series and day
    horizon = 7
    assert figures["rows"]["demand_forecast"] == figures["series"] * horizon
    assert figures["rows"]["demand_classes"] == figures["series"]
    assert figures["seconds"]["forecast"] > 0 and figures["peak_rss_mb"] > 0
    # the run that built the warehouse, as the warehouse records it, whatever this process's
    # environment says
    assert figures["command"].startswith("DEMO_SIZE=tiny DEMO_PROFILE=mixed make run && ")


def test_sharded_backtest_scores_every_series_once() -> None:
    from benchmarks.forecast_shards import sharded_backtest
    from python_assets.forecasting import ForecastSettings
    from python_assets.forecasting.benchmark_data import synthetic_history
    from python_assets.forecasting.gbm import GradientBoostingSettings
    from python_assets.forecasting.panel import build_panel

    history, products = synthetic_history(n_series=40, n_days=63, seed=3)
    panel = build_panel(history, products)
    fast = ForecastSettings(
        gradient_boosting=GradientBoostingSettings(max_iter=20, n_models=1, min_samples_leaf=20)
    )
    one, two = sharded_backtest(panel, 1, fast), sharded_backtest(panel, 2, fast)
    assert len(one["shard_seconds"]) == 1 and len(two["shard_seconds"]) == 2
    assert [w["window"] for w in one["windows"]] == [w["window"] for w in two["windows"]]
    # the moving average does not depend on how the series are split, so its scores agree only
    # if the shards' union holds every series exactly once
    for whole, split in zip(one["windows"], two["windows"], strict=True):
        assert split["wape_moving_average_7"] == pytest.approx(whole["wape_moving_average_7"])


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="reads Linux's /proc")
def test_tree_memory_counts_the_processes_a_command_starts() -> None:
    """A command whose child holds 200 MB: the tree's peak has them, the command alone not."""
    holds = (
        "import time; x = bytearray(200_000_000); x[::4096] = b'1' * len(x[::4096]); time.sleep(3)"
    )
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {holds!r}])"
    child = subprocess.Popen([sys.executable, "-c", parent])
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_pss_kb(child.pid))
        time.sleep(0.2)
    assert child.returncode == 0
    assert 190_000 < peak < 400_000  # kB


def test_combination_scores_average_the_forecasts_before_scoring() -> None:
    """Two windows of two days: gradient boosting exact, the 7-day mean twice the sales, TSB
    zero; their half-and-half average is off by half the sales, so 50% better than the mean."""
    rows = []
    for window in (1, 2):
        for day in pd.date_range("2024-06-01", periods=2):
            for model, factor in (
                ("gradient_boosting", 1.0),
                ("moving_average_7", 2.0),
                ("tsb", 0.0),
            ):
                rows.append(
                    {
                        "model": model,
                        "window": window,
                        "store_id": "S1",
                        "product_id": "P1",
                        "forecast_date": day,
                        "actual": 10.0,
                        "is_scored": True,
                        "forecast": 10.0 * factor,
                    }
                )
    improvement = combination_scores(pd.DataFrame(rows), ["tsb"], [0.5])
    assert improvement.index.tolist() == [1, 2]
    assert improvement["gradient_boosting"].tolist() == [100.0, 100.0]
    assert improvement["tsb"].tolist() == [0.0, 0.0]
    assert improvement["0.5 gradient_boosting + 0.5 tsb"].tolist() == [50.0, 50.0]


def test_the_level_correction_uses_only_earlier_windows_of_the_same_class() -> None:
    scored = pd.DataFrame(
        {
            "window": [1, 1, 2, 2, 3, 3],
            "demand_class": ["smooth", "lumpy"] * 3,
            "actual": [11.0, 4.0, 9.0, 2.0, 5.0, 5.0],
            "forecast": [10.0, 1.0, 10.0, 3.0, 10.0, 5.0],
        }
    )
    # window 1 has no past; window 2: smooth 11 / 10, lumpy 4 / 1 bounded to 1.25; window 3:
    # smooth (11 + 9) / (10 + 10), lumpy (4 + 2) / (1 + 3) = 1.5 bounded to 1.25
    expected = [10.0, 1.0, 11.0, 3.75, 10.0, 6.25]
    assert corrected(scored, clip=0.25).tolist() == pytest.approx(expected)


def test_machine_usage_counts_the_cpu_of_the_processes_a_command_starts() -> None:
    """A command whose child keeps a core busy for a second: the machine's CPU time over the
    command has it (anything else running can only add to it)."""
    work = "import time\nend = time.perf_counter() + 1.0\nwhile time.perf_counter() < end: pass"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {work!r}])"
    usage = measure([sys.executable, "-c", parent])
    assert usage.returncode == 0
    assert usage.wall_s >= 1.0
    assert usage.cpu_busy_s >= 0.9


def test_machine_usage_reads_busy_time_and_memory_in_use(tmp_path) -> None:
    """Busy = every state but idle and iowait; in use = MemTotal - MemAvailable (the machine's
    own level moves with other processes, so the files are made up)."""
    stat = tmp_path / "stat"
    stat.write_text("cpu  100 20 30 400 50 5 5 0 0 0\ncpu0 50 10 15 200 25 2 3 0 0 0\n")
    assert busy_seconds(stat) == pytest.approx(160 / os.sysconf("SC_CLK_TCK"))
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal: 4194304 kB\nMemFree: 10 kB\nMemAvailable: 1048576 kB\n")
    assert memory_in_use_gb(meminfo) == pytest.approx(3.0)


def test_machine_usage_shares_busy_and_idle_core_seconds_out_over_the_steps_running() -> None:
    """Two cores sampled each second: step a alone for 2 s (one core busy), a beside b for 1 s
    (both busy), no step for 1 s (a quarter busy), b alone for 1 s (one and a half busy)."""
    busy = [0.0, 1.0, 2.0, 4.0, 4.25, 5.75]
    samples = [(100.0 + second, b) for second, b in enumerate(busy)]
    steps = [("a", 100.0, 103.0), ("b", 102.0, 103.0), ("b", 104.0, 105.0)]
    shares = shares_by_step(samples, steps, cores=2)
    assert shares == [
        StepShare(("a",), 2.0, 2.0, 2.0),
        StepShare(("a", "b"), 1.0, 2.0, 0.0),
        StepShare((), 1.0, 0.25, 1.75),
        StepShare(("b",), 1.0, 1.5, 0.5),
    ]
    command_busy = measure([sys.executable, "-c", "pass"]).busy_samples
    assert len(command_busy) >= 2
    assert all(t1 >= t0 and b1 >= b0 for (t0, b0), (t1, b1) in itertools.pairwise(command_busy))
