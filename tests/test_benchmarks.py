"""The pipeline benchmark's bookkeeping: its stages cover the graph, its fit and its tables."""

import json

import dagster as dg
import pytest

import benchmarks.run as bench
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


def test_growth_exponent_recovers_known_powers() -> None:
    sizes = [12_500, 25_000, 50_000]
    assert bench.growth_exponent(sizes, [3.0 * n for n in sizes]) == pytest.approx(1.0)
    assert bench.growth_exponent(sizes, [1e-6 * n**2 for n in sizes]) == pytest.approx(2.0)
    assert bench.growth_exponent(sizes, [42.0] * 3) == pytest.approx(0.0)


def fake_run(name: str, factor: float) -> dict:
    stages = [
        {"stage": stage, "selection": sel, "wall_s": 10.0 * factor, "peak_rss_mb": 512.0 * factor}
        for stage, sel in bench.STAGES
    ]
    return {
        "name": name,
        "dataset": name,
        "command": f"bench {name}",
        "machine": "test machine",
        "load_average_at_start": [0.5, 0.5, 0.5],
        "measured_at": "now",
        "stages": stages,
        "total_wall_s": 10.0 * factor * len(stages),
        "peak_rss_mb": 512.0 * factor,
    }


def test_markdown_tables_come_from_the_json_files(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(bench, "RESULTS", tmp_path)
    (tmp_path / "pipeline_demo.json").write_text(json.dumps(fake_run("demo", 1.0)))
    runs = [
        {"scale": k, "stores": 10 * k, "series": 1000 * k, **fake_run(f"synthetic_{k}x", k)}
        for k in bench.SCALES
    ]
    scaling = {
        "command": "bench scaling",
        "machine": "test machine",
        "synthetic_network": {**bench.SYNTHETIC, "base_stores": 10, "scales": list(bench.SCALES)},
        "runs": runs,
        "growth_exponent_wall": {**{s: 1.0 for s, _ in bench.STAGES}, "total": 1.0},
        "growth_exponent_peak_rss": 1.0,
    }
    (tmp_path / "pipeline_scaling.json").write_text(json.dumps(scaling))

    text = bench.render_markdown()
    for stage, _ in bench.STAGES:
        assert f"| {stage} | 10 s / 0.5 GB |" in text  # demo row
        assert f"| {stage} | 10 s / 0.5 GB | 20 s / 1.0 GB | 40 s / 2.0 GB | 1.00 | 1.00 |" in text
    assert "| **total** | **70 s / 0.5 GB** | **140 s / 1.0 GB** | **280 s / 2.0 GB** |" in text
    assert "4x: 40 stores, 4,000 series" in text
