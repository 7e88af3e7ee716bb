"""Benchmark of the allocation LP (issue 5) on synthetic FreshRetailNet-scale instances.

    python -m benchmarks.bench_allocation [--stores 898 --products 865 --pairs 50000]

Stages, each in its own process so its peak RSS is its own:
  full        the full instance with the default lane pruning, shipped allocator (HiGHS
              through highspy's array API): wall time of instance, lanes, prepare, build,
              solve, verify; peak memory; cost vs the do-nothing and decentralised baselines
  full_pulp   the same instance through the PuLP backend (PuLP model built from arrays,
              PuLP's HiGHS interface): PuLP build vs solve time
  scaling     wall time vs number of store x product pairs (1/4, 1/2, 1 x the full instance)
  batch       products per solver call, without and with the transfer-column limit, on the
              full instance and on a dense one (250 stores all carrying 100 products)
  pruning     gap of k-nearest / same-zone pruning against the unpruned optimum on instances
              small enough to solve unpruned (all 898 stores, a product subset)
  mid         mid-size instances: the literal single PuLP model (reference.py) with all lanes
              and CBC vs the shipped allocator (same lanes): objective agreement and speed-up
Results: benchmarks/results/allocation.json (with the command and the machine).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

from python_assets.optimization import (
    LaneSettings,
    SolverSettings,
    baseline_decentralised,
    baseline_do_nothing,
    build_network,
    pruning_gap,
    solve_allocation,
    solve_joint,
)
from python_assets.optimization.synthetic import synthetic_instance

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS = REPO_ROOT / "benchmarks" / "results" / "allocation.json"
STAGES = ("full", "full_pulp", "scaling", "batch", "pruning", "mid")
TARGETS = {
    "full_wall_s": 180.0,
    "full_peak_rss_mb": 4096.0,
    "pruning_gap_pct": 0.5,
    "mid_speedup": 10.0,
    "mid_objective_rel": 1e-6,
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kB


def _warm_up() -> None:
    """Import-time and first-call costs (HiGHS prints its banner once) outside the timings."""
    inst = synthetic_instance(6, 2, 6, n_cities=2, seed=0)
    _, _, lanes = build_network(inst.stores, LaneSettings(n_zones=2, k_nearest=None))
    solve_allocation(inst.store_products, inst.products, lanes)
    solve_allocation(inst.store_products, inst.products, lanes, SolverSettings(solver="cbc"))


def _round(d: dict, nd: int = 3) -> dict:
    return {k: (round(v, nd) if isinstance(v, float) else v) for k, v in d.items()}


def stage_full(args: argparse.Namespace, backend: str) -> dict:
    _warm_up()
    t = time.perf_counter()
    inst = synthetic_instance(args.stores, args.products, args.pairs, seed=args.seed)
    t_inst = time.perf_counter() - t
    lane_settings = LaneSettings()
    t = time.perf_counter()
    _, _, lanes = build_network(inst.stores, lane_settings)
    t_lanes = time.perf_counter() - t
    settings = SolverSettings(backend=backend)
    t = time.perf_counter()
    plan = solve_allocation(inst.store_products, inst.products, lanes, settings)
    t_solve = time.perf_counter() - t
    status = plan.product_status["status"].value_counts().to_dict()
    tm = plan.timings
    out = {
        "backend": settings.resolved_backend,
        "solver": settings.solver,
        "products_per_batch": settings.products_per_batch,
        "lane_settings": {
            k: (str(v) if isinstance(v, float) and not np.isfinite(v) else v)
            for k, v in lane_settings.__dict__.items()
        },
        "stores": args.stores,
        "products": args.products,
        "store_product_pairs": len(inst.store_products),
        "candidate_lanes": len(lanes),
        "transfer_variables": int(plan.product_status["n_lanes"].sum()),
        "wall_s": {
            "instance": t_inst,
            "lanes": t_lanes,
            "prepare": tm["prepare"],
            "build": tm["build_arrays"] + tm["build_model"],
            "build_arrays": tm["build_arrays"],
            "build_model": tm["build_model"],
            "solve": tm["solve"],
            "assemble": tm["assemble"],
            "verify": tm["verify"],
            "solve_allocation_total": t_solve,
            "lanes_plus_solve_allocation": t_lanes + t_solve,
        },
        "solver_calls": int(tm["solver_calls"]),
        "status": plan.status,
        "product_status": status,
        "violations": len(plan.violations),
        "objective": plan.objective,
        "fill_rate": plan.fill_rate,
        "units_transferred": float(plan.transfers["units"].sum()),
        "units_produced": float(plan.production["manufacture_units"].sum()),
    }
    if backend == "highspy":
        t = time.perf_counter()
        nothing = baseline_do_nothing(inst.store_products, inst.products, lanes)
        decentral = baseline_decentralised(inst.store_products, inst.products, lanes)
        out["baselines"] = {
            "do_nothing": nothing.objective,
            "do_nothing_fill_rate": nothing.fill_rate,
            "decentralised": decentral.objective,
            "decentralised_status": decentral.status,
            "optimum_below_both": bool(
                plan.objective < decentral.objective and plan.objective < nothing.objective
            ),
            "wall_s": time.perf_counter() - t,
        }
    out["wall_s"] = _round(out["wall_s"])
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return out


NO_COLUMN_LIMIT = 10**12
DENSE = {"stores": 250, "products": 100}  # every store carries every product: many lanes each


def _batch_sweep(inst, lanes, settings: dict[str, SolverSettings], label: str) -> list[dict]:
    rows = []
    for name, solver_settings in settings.items():
        t = time.perf_counter()
        plan = solve_allocation(inst.store_products, inst.products, lanes, solver_settings)
        rows.append(
            {
                "batching": name,
                "wall_s": round(time.perf_counter() - t, 3),
                "solve_s": round(plan.timings["solve"], 3),
                "solver_calls": int(plan.timings["solver_calls"]),
                "objective": plan.objective,
                "status": plan.status,
            }
        )
        print(f"    {label} {name}: {rows[-1]['wall_s']:.1f} s", flush=True)
    return rows


def stage_batch(args: argparse.Namespace) -> dict:
    """Products per solver call with no column limit, then the default (16 products or 20,000
    transfer variables, whichever comes first), on the full instance and on a dense one."""
    _warm_up()
    inst = synthetic_instance(args.stores, args.products, args.pairs, seed=args.seed)
    _, _, lanes = build_network(inst.stores, LaneSettings())
    fixed = {
        f"{size} product{'s' * (size > 1)}": SolverSettings(
            products_per_batch=size, batch_transfer_columns=NO_COLUMN_LIMIT
        )
        for size in (1, 4, 16, 64, 256)
    }
    sweep = _batch_sweep(inst, lanes, {**fixed, "default": SolverSettings()}, "full")
    n_dense = DENSE["stores"] * DENSE["products"]
    dense = synthetic_instance(DENSE["stores"], DENSE["products"], n_dense, seed=args.seed)
    _, _, dense_lanes = build_network(dense.stores, LaneSettings())
    dense_settings = {
        "1 product": fixed["1 product"],
        "16 products": fixed["16 products"],
        "default": SolverSettings(),
    }
    return {
        "sweep": sweep,
        "dense_instance": {**DENSE, "lanes": len(dense_lanes)},
        "dense_sweep": _batch_sweep(dense, dense_lanes, dense_settings, "dense"),
    }


def stage_scaling(args: argparse.Namespace) -> dict:
    _warm_up()
    rows = []
    for share in (0.25, 0.5, 1.0):
        products = max(2, round(args.products * share))
        pairs = round(args.pairs * share)
        inst = synthetic_instance(args.stores, products, pairs, seed=args.seed)
        t = time.perf_counter()
        _, _, lanes = build_network(inst.stores, LaneSettings())
        plan = solve_allocation(inst.store_products, inst.products, lanes)
        wall = time.perf_counter() - t
        rows.append(
            {
                "stores": args.stores,
                "products": products,
                "store_product_pairs": pairs,
                "wall_s": round(wall, 3),
                "solve_s": round(plan.timings["solve"], 3),
                "us_per_pair": round(1e6 * wall / pairs, 1),
                "status": plan.status,
            }
        )
        print(f"    {pairs} pairs: {wall:.1f} s", flush=True)
    return {"rows": rows}


def stage_pruning(args: argparse.Namespace) -> dict:
    _warm_up()
    settings = SolverSettings()
    ks = (25, 50, 100, 150, 200)
    cases = []
    for seed in (args.seed + 1, args.seed + 2):
        inst = synthetic_instance(args.stores, args.products, args.pairs, seed=seed)
        keep = np.random.default_rng(seed).choice(
            args.products, min(args.pruning_products, args.products), replace=False
        )
        sp = inst.store_products[inst.store_products["product_id"].isin(keep)]
        pr = inst.products[inst.products["product_id"].isin(keep)]
        _, _, full = build_network(inst.stores, LaneSettings(k_nearest=None))
        variants = [(k, False) for k in ks] + [(None, True), (150, True)]
        for k, same_zone in variants:
            _, _, pruned = build_network(
                inst.stores, LaneSettings(k_nearest=k, same_zone_only=same_zone)
            )
            g = pruning_gap(sp, pr, pruned, full, settings)
            row = {
                "seed": seed,
                "stores": args.stores,
                "products": len(keep),
                "store_product_pairs": len(sp),
                "k_nearest": k,
                "same_zone_only": same_zone,
                **_round(g, 6),
            }
            cases.append(row)
            print(
                f"    seed {seed} k={k} same_zone={same_zone}: gap {g['gap_pct']:.4f}% "
                f"({g['lanes_pruned']} of {g['lanes_unpruned']} lanes)",
                flush=True,
            )
    worst = {
        f"k={k}": max(
            c["gap_pct"] for c in cases if c["k_nearest"] == k and not c["same_zone_only"]
        )
        for k in ks
    }
    ok = [k for k in ks if worst[f"k={k}"] < TARGETS["pruning_gap_pct"]]
    return {
        "service_limit_days": LaneSettings().max_lead_time_days,
        "cases": cases,
        "worst_gap_pct_by_k": worst,
        "smallest_k_under_target": ok[0] if ok else None,
        "default_k": LaneSettings().k_nearest,
        "default_gap_pct_worst": worst.get(f"k={LaneSettings().k_nearest}"),
    }


def _timed(fn, repeats: int):
    times, plan = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        plan = fn()
        times.append(time.perf_counter() - t)
    return plan, times


def _route_record(plan, times: list[float], pulp_model: bool = True) -> dict:
    """Objective, status and wall times of one solver route; a route through a PuLP model also
    gets the split of its last run into building the model and solving it."""
    record = {
        "objective": plan.objective,
        "status": plan.status,
        "wall_s": [round(x, 3) for x in times],
    }
    if pulp_model:
        record["build_model_s"] = round(plan.timings["build_model"], 3)
        record["solve_s"] = round(plan.timings["solve"], 3)
    return record


def stage_mid(args: argparse.Namespace) -> dict:
    _warm_up()
    rows = []
    for n_stores, n_products, n_pairs, n_cities in ((60, 40, 1200, 6), (150, 100, 6000, 10)):
        inst = synthetic_instance(n_stores, n_products, n_pairs, n_cities=n_cities, seed=args.seed)
        _, _, lanes = build_network(
            inst.stores, LaneSettings(n_zones=n_cities, k_nearest=None, max_lead_time_days=None)
        )
        sp, pr = inst.store_products, inst.products
        joint, t_joint = _timed(
            lambda sp=sp, pr=pr, lanes=lanes: solve_joint(
                sp, pr, lanes, SolverSettings(solver="cbc")
            ),
            args.repeats,
        )
        shipped, t_ship = _timed(
            lambda sp=sp, pr=pr, lanes=lanes: solve_allocation(sp, pr, lanes), args.repeats
        )
        via_pulp, t_pulp = _timed(
            lambda sp=sp, pr=pr, lanes=lanes: solve_allocation(
                sp, pr, lanes, SolverSettings(backend="pulp")
            ),
            args.repeats,
        )
        rel = abs(shipped.objective - joint.objective) / abs(joint.objective)
        rows.append(
            {
                "stores": n_stores,
                "products": n_products,
                "store_product_pairs": len(sp),
                "lanes": "all pairs (no pruning, no service limit)",
                "candidate_lanes": len(lanes),
                "transfer_variables": int(shipped.product_status["n_lanes"].sum()),
                "joint_pulp_cbc": _route_record(joint, t_joint),
                "shipped_highspy": _route_record(shipped, t_ship, pulp_model=False),
                "decomposed_pulp_highs": _route_record(via_pulp, t_pulp),
                "objective_rel_diff": rel,
                "speedup_shipped": round(min(t_joint) / min(t_ship), 1),
                "speedup_pulp_backend": round(min(t_joint) / min(t_pulp), 1),
            }
        )
        print(
            f"    {n_stores}x{n_products}: joint CBC {min(t_joint):.2f} s, shipped "
            f"{min(t_ship):.2f} s ({rows[-1]['speedup_shipped']}x), PuLP backend "
            f"{min(t_pulp):.2f} s ({rows[-1]['speedup_pulp_backend']}x), rel diff {rel:.1e}",
            flush=True,
        )
    return {"instances": rows, "timing": f"min over {args.repeats} runs"}


def run_stage_here(args: argparse.Namespace) -> dict:
    if args.stage == "full":
        return stage_full(args, "highspy")
    if args.stage == "full_pulp":
        return stage_full(args, "pulp")
    if args.stage == "batch":
        return stage_batch(args)
    if args.stage == "scaling":
        return stage_scaling(args)
    if args.stage == "pruning":
        return stage_pruning(args)
    return stage_mid(args)


def _machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "versions": {
            p: version(p) for p in ("pulp", "highspy", "numpy", "pandas", "scikit-learn", "scipy")
        },
    }


def _summary(res: dict) -> dict:
    out = {}
    full = res.get("full")
    if full:
        wall = full["wall_s"]["lanes_plus_solve_allocation"]
        out["full_wall_s"] = wall
        out["full_peak_rss_mb"] = full["peak_rss_mb"]
        out["full_met"] = bool(
            wall <= TARGETS["full_wall_s"]
            and full["peak_rss_mb"] <= TARGETS["full_peak_rss_mb"]
            and full["status"] == "optimal"
        )
    if res.get("full_pulp"):
        out["full_pulp_wall_s"] = res["full_pulp"]["wall_s"]["lanes_plus_solve_allocation"]
    pr = res.get("pruning")
    if pr:
        out["pruning_default_k"] = pr["default_k"]
        out["pruning_gap_pct_worst_at_default_k"] = pr["default_gap_pct_worst"]
        out["pruning_smallest_k_under_0_5pct"] = pr["smallest_k_under_target"]
        out["pruning_met"] = bool(
            pr["default_gap_pct_worst"] is not None
            and pr["default_gap_pct_worst"] < TARGETS["pruning_gap_pct"]
        )
    mid = res.get("mid")
    if mid:
        first = mid["instances"][0]
        out["mid_speedups_shipped"] = [r["speedup_shipped"] for r in mid["instances"]]
        out["mid_speedups_pulp_backend"] = [r["speedup_pulp_backend"] for r in mid["instances"]]
        out["mid_objective_rel_diff_max"] = max(r["objective_rel_diff"] for r in mid["instances"])
        out["mid_met"] = bool(
            first["speedup_shipped"] >= TARGETS["mid_speedup"]
            and out["mid_objective_rel_diff_max"] <= TARGETS["mid_objective_rel"]
        )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--stores", type=int, default=898)
    parser.add_argument("--products", type=int, default=865)
    parser.add_argument("--pairs", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--pruning-products",
        type=int,
        default=150,
        help="products in each pruning-gap instance (all stores, solved unpruned)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="timing repeats of the mid stage")
    parser.add_argument("--only", action="append", choices=STAGES, help="run only these stages")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--stage", choices=STAGES, help=argparse.SUPPRESS)  # child process
    parser.add_argument("--stage-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.stage:  # child: one stage, result as JSON
        result = run_stage_here(args)
        args.stage_out.write_text(json.dumps(result, indent=2, default=str))
        return

    command = "python -m benchmarks.bench_allocation " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    results: dict = {
        "command": command.strip(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": _machine(),
        "targets": TARGETS,
    }
    base = [
        "--stores",
        str(args.stores),
        "--products",
        str(args.products),
        "--pairs",
        str(args.pairs),
        "--seed",
        str(args.seed),
        "--pruning-products",
        str(args.pruning_products),
        "--repeats",
        str(args.repeats),
    ]
    for stage in args.only or STAGES:
        print(f"{stage}:", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "stage.json"
            t = time.perf_counter()
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.bench_allocation",
                    *base,
                    "--stage",
                    stage,
                    "--stage-out",
                    str(out),
                ],
                cwd=REPO_ROOT,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise RuntimeError(f"stage {stage} failed:\n{done.stderr[-4000:]}")
            for line in done.stdout.splitlines():
                if line.startswith("    "):
                    print(line, flush=True)
            results[stage] = json.loads(out.read_text())
            results[stage]["stage_wall_s"] = round(time.perf_counter() - t, 1)
        if stage in ("full", "full_pulp"):
            r = results[stage]
            print(
                f"  {r['status']}: {r['wall_s']['lanes_plus_solve_allocation']:.1f} s "
                f"(lanes {r['wall_s']['lanes']:.1f}, prepare {r['wall_s']['prepare']:.1f}, "
                f"build {r['wall_s']['build']:.1f}, solve {r['wall_s']['solve']:.1f}, "
                f"verify {r['wall_s']['verify']:.1f}), peak {r['peak_rss_mb']:.0f} MB",
                flush=True,
            )
    if args.out.exists() and args.only:  # keep the other stages of an earlier full run
        earlier = json.loads(args.out.read_text())
        results = {**{k: v for k, v in earlier.items() if k in STAGES}, **results}
    results["summary"] = _summary(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(json.dumps(results["summary"], indent=2))
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
