"""Product shards solved in worker processes give the plan of one process (docs/methodology.md,
"Parallel solves"): the same optimum product by product, every product exactly once."""

from __future__ import annotations

import multiprocessing
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from python_assets.optimization import SolverSettings, plan_with_baselines, solve_allocation
from python_assets.optimization.parallel import (
    in_partition,
    map_in_processes,
    partition_keys,
    product_shards,
    stops_workers,
)
from python_assets.optimization.plan import plan_by_partition
from python_assets.optimization.replay import replay_policies
from tests.optimization.instances import small_random, sp_frame
from tests.optimization.test_diagnose import p2, three_products_one_broken

IN_WORKERS = {"processes": 2, "parallel_min_store_products": 0}


def per_product(plan) -> pd.Series:
    return plan.product_status.set_index("product_id")["objective"].sort_index()


@pytest.mark.parametrize("integer", [False, True], ids=["lp", "whole_units"])
def test_two_processes_give_the_optimum_of_one(integer: bool) -> None:
    inst, lanes = small_random(seed=3, n_stores=20, n_products=24, n_pairs=200)
    settings = SolverSettings(integer=integer)
    one = solve_allocation(inst.store_products, inst.products, lanes, settings)
    two = solve_allocation(
        inst.store_products, inst.products, lanes, replace(settings, **IN_WORKERS)
    )
    assert two.timings["shards"] > 1  # really solved in shards
    assert one.status == two.status == "optimal" and two.violations == []
    assert two.objective == pytest.approx(one.objective, rel=1e-6)
    pd.testing.assert_series_equal(per_product(two), per_product(one), rtol=1e-6)
    # every product and store x product pair exactly once, in the order of one process
    assert list(two.product_status["product_id"]) == sorted(inst.products["product_id"])
    pd.testing.assert_frame_equal(
        two.store_products[["store_id", "product_id", "demand"]],
        one.store_products[["store_id", "product_id", "demand"]],
    )
    assert two.fill_rate == pytest.approx(one.fill_rate, rel=1e-9)


def test_a_product_that_fails_in_its_shard_is_named_as_in_one_process() -> None:
    broken = sp_frame(
        [
            p2("A", current_inv=100.0, demand=0.0, max_capacity=10.0, safety_stock=95.0),
            p2("B", current_inv=0.0, demand=1.0),
        ]
    )
    sp, products, lanes = three_products_one_broken(broken)
    one = solve_allocation(sp, products, lanes, SolverSettings())
    two = solve_allocation(sp, products, lanes, SolverSettings(**IN_WORKERS))
    assert one.status == two.status == "partial"
    pd.testing.assert_frame_equal(two.product_status, one.product_status)
    assert two.objective == pytest.approx(one.objective, rel=1e-9)


def test_small_problems_stay_in_this_process() -> None:
    inst, lanes = small_random()
    plan = solve_allocation(inst.store_products, inst.products, lanes, SolverSettings(processes=2))
    assert "shards" not in plan.timings


def test_a_product_keeps_its_shard_whatever_else_is_in_the_network() -> None:
    ids = pd.Series([f"P{k}" for k in range(200)])
    shards = product_shards(ids, 8)
    assert set(shards) == set(range(8))  # spread over every shard
    assert np.array_equal(product_shards(ids[::-1], 8), shards[::-1])
    assert np.array_equal(product_shards(ids[50:120], 8), shards[50:120])


@stops_workers
def _solve_with_workers() -> list[int]:
    solved = sorted(map_in_processes(abs, [(-i,) for i in range(8)], 2))
    assert multiprocessing.active_children()  # the workers are up while it runs
    return solved


def _step(results: multiprocessing.Queue) -> None:
    results.put((_solve_with_workers(), len(multiprocessing.active_children())))


def test_the_plan_and_the_replay_stop_their_workers_when_they_return() -> None:
    """A process started by multiprocessing - each step of Dagster's multiprocess executor -
    joins its live child processes when it ends: with the LP's worker pool still up, the step
    process, and the run, never ended (seen on FreshRetailNet-50K). plan_with_baselines and
    replay_policies are @stops_workers."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    step = context.Process(target=_step, args=(results,))
    step.start()
    solved, children_left = results.get(timeout=120)
    step.join(timeout=60)
    assert solved == list(range(8)) and children_left == 0
    assert step.exitcode == 0
    assert getattr(plan_with_baselines, "__wrapped__", None) is not None
    assert getattr(replay_policies, "__wrapped__", None) is not None
    assert getattr(plan_by_partition, "__wrapped__", None) is not None


def test_every_product_is_in_exactly_one_plan_partition_whatever_else_is_planned() -> None:
    ids = pd.Series([f"P{i:04d}" for i in range(300)])
    for count in (1, 2, 3):
        member = np.array([in_partition(ids, key) for key in partition_keys(count)])
        assert (member.sum(axis=0) == 1).all()
        assert member.sum(axis=1).min() > 0  # no empty partition among 300 products
        assert np.array_equal(in_partition(ids[::7], partition_keys(count)[0]), member[0][::7])
    # the partitions' hash is not the worker shards': a partition still fills every worker shard
    first = ids[in_partition(ids, "shard-1-of-2")]
    assert len(set(product_shards(first, 8))) == 8
    with pytest.raises(ValueError, match="not a product partition"):
        in_partition(ids, "shard-3-of-2")
