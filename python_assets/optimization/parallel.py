"""Product shards solved in worker processes (docs/methodology.md, "Parallel solves").

Products share no constraint of the allocation LP, so the plan of a set of products is the union
of the plans of any partition of it. `solve_allocation` with `processes > 1` splits the products
into shards by a stable hash of product_id, solves every shard in a worker process and joins the
plans with `combine_plans`: the same optimum as one process, product by product.
"""

from __future__ import annotations

import functools
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ParamSpec, TypeVar

import numpy as np
import pandas as pd

from python_assets.handoff import SHARD_PART
from python_assets.optimization.pricing import over_products
from python_assets.optimization.problem import SOLVED, AllocationPlan, SolverSettings

P = ParamSpec("P")
R = TypeVar("R")

# shards per worker process: more shards than workers keeps both busy when products differ in size
SHARDS_PER_PROCESS = 4


def product_shards(product_ids: pd.Series, shards: int, salt: str = "") -> np.ndarray:
    """The shard (0..shards-1) of each product: a hash of its id (after `salt`), the same in
    every run and process, so a product keeps its shard whatever else is in the network.
    Another salt gives an independent split (the plan's partitions use one, so the worker
    shards inside a partition are not all of one residue)."""
    ids = salt + pd.Series(product_ids, copy=False).astype(str)
    return (pd.util.hash_pandas_object(ids, index=False).to_numpy() % shards).astype(np.int64)


# the salt of the plan's partitions (Dagster partitions of allocation_plan), not the workers'
PARTITION_SALT = "partition:"


def partition_keys(shards: int) -> list[str]:
    """The names of the plan's product partitions: shard-1-of-2, shard-2-of-2, ..."""
    if shards < 1:
        raise ValueError(f"the number of product partitions must be >= 1, got {shards}")
    return [f"shard-{k + 1}-of-{shards}" for k in range(shards)]


def in_partition(product_ids: pd.Series, key: str) -> np.ndarray:
    """Which products belong to the partition `key` (one of partition_keys(n))."""
    match = SHARD_PART.fullmatch(key)
    if match is None or not 1 <= int(match[1]) <= int(match[2]):
        raise ValueError(f"not a product partition: {key!r} (expected e.g. shard-1-of-2)")
    return product_shards(product_ids, int(match[2]), PARTITION_SALT) == int(match[1]) - 1


# what the worker processes import before their first task
PRELOAD = "python_assets.optimization"
# processes -> the pool of that many workers, kept up between the solves of one plan or replay
_pools: dict[int, ProcessPoolExecutor] = {}


def _pool(processes: int) -> ProcessPoolExecutor:
    if processes not in _pools:
        # forkserver, not fork: the parent (a Dagster step) runs threads that a fork would copy
        # mid-flight. The server imports the optimisation code once, before it forks the
        # workers, and nothing else: a Dagster step would otherwise pass on the run's own list
        # (all of dagster_defs). A server this process already runs keeps its list.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([PRELOAD])
        _pools[processes] = ProcessPoolExecutor(processes, mp_context=context)
    return _pools[processes]


def stop_workers() -> None:
    """Shut every worker pool down."""
    while _pools:
        _pools.popitem()[1].shutdown(cancel_futures=True)


def stops_workers(fn: Callable[P, R]) -> Callable[P, R]:
    """fn, stopping the worker processes when it returns. A process that ends through
    multiprocessing (each step of Dagster's multiprocess executor does) would otherwise wait
    for its idle workers forever, and the run with it."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        finally:
            stop_workers()

    return wrapper


def map_in_processes(
    fn: Callable[..., Any], tasks: Iterable[tuple], processes: int
) -> Iterator[Any]:
    """fn(*task) for every task, in the order they finish, computed by a pool of `processes`
    worker processes (kept for the next call, until `stop_workers`)."""
    pool = _pool(processes)
    try:
        for future in as_completed([pool.submit(fn, *task) for task in tasks]):
            yield future.result()
    except BrokenProcessPool:
        # a worker died (e.g. out of memory): the next call starts afresh
        _pools.pop(processes, None)
        raise


def _sorted(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    return frame.sort_values(by, kind="stable").reset_index(drop=True)


def combine_plans(plans: list[AllocationPlan], settings: SolverSettings) -> AllocationPlan:
    """One plan from the plans of disjoint sets of products (each already verified): tables
    joined in product order, the cost breakdown's total summed again, the status recomputed as
    `assemble_plan` does, violations and timings (seconds summed over the shards) kept."""

    def joined(name: str, by: list[str]) -> pd.DataFrame:
        return _sorted(pd.concat([getattr(p, name) for p in plans], ignore_index=True), by)

    status = joined("product_status", ["product_id"])
    breakdown = over_products(
        _sorted(pd.concat([p.cost_breakdown for p in plans], ignore_index=True), ["product_id"]),
        status.loc[status["status"].isin(SOLVED), "product_id"],
    )
    violations = [v for p in plans for v in p.violations]
    solved = status["status"].isin(SOLVED)
    if violations or not solved.any():
        overall = "failed"
    else:
        overall = "optimal" if (status["status"] == "optimal").all() else "partial"
    timings: dict[str, float] = {}
    for plan in plans:
        for key, seconds in plan.timings.items():
            timings[key] = timings.get(key, 0.0) + seconds
    return AllocationPlan(
        transfers=joined("transfers", ["product_id", "from_store", "to_store"]),
        production=joined("production", ["product_id"]),
        store_products=joined("store_products", ["product_id", "store_id"]),
        product_status=status,
        cost_breakdown=breakdown,
        status=overall,
        violations=violations,
        timings=timings | {"shards": float(len(plans))},
        settings=settings,
        bases={key: basis for p in plans for key, basis in p.bases.items()},
    )
