"""Solving the allocation LP product by product: batches, status handling, the plan.

Products share no constraint, so the joint model is block-diagonal and its optimum is the sum
of the products' optima: products are solved in batches of at most `products_per_batch` blocks
and `batch_transfer_columns` transfer variables per solver call (exact). A batch that is not
optimal is bisected until each failing product stands alone and `diagnose` names the constraint
that binds. The plan is then assembled and verified (`checks.verify_plan`). The model itself is
in model.py (arrays) and reference.py (written literally); see docs/methodology.md, section
Allocation LP.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from python_assets.optimization.backends import Basis, solve_block
from python_assets.optimization.checks import verify_plan
from python_assets.optimization.constraints import net_position
from python_assets.optimization.diagnose import cheap_suspects, explain_not_optimal
from python_assets.optimization.model import Block, Problem, build_block, build_problem
from python_assets.optimization.parallel import (
    SHARDS_PER_PROCESS,
    combine_plans,
    map_in_processes,
    product_shards,
)
from python_assets.optimization.pricing import breakdown_from_tables
from python_assets.optimization.problem import SOLVED, AllocationPlan, SolverSettings

Progress = Callable[[int, int, float], None]  # (products done, products, seconds so far)

# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


# a block as a warm start knows it: its first and last product_id, columns and rows
BlockKey = tuple[object, object, int, int]
Bases = Mapping[BlockKey, Basis]


def block_key(prob: Problem, block: Block) -> BlockKey:
    return (prob.product_ids[block.k0], prob.product_ids[block.k1 - 1], block.n_cols, block.n_rows)


@dataclass
class Solution:
    """Values of every column, product-aligned; NaN where a product was not solved."""

    transfer: np.ndarray
    manufacture: np.ndarray
    allocate: np.ndarray
    stockout: np.ndarray
    ending: np.ndarray
    status: np.ndarray  # per product
    explanation: np.ndarray  # per product
    timings: dict[str, float] = field(default_factory=dict)
    calls: int = 0
    block_objectives: list[tuple[int, int, float]] = field(default_factory=list)
    bases: dict[BlockKey, Basis] = field(default_factory=dict)


def _polish(prob: Problem, sol: Solution, k0: int, k1: int, integer: bool) -> None:
    """Clip solver noise (|x| < 1e-9 below 0) and, for the MILP, round transfers and
    allocations to whole packs, set manufacture to their sum (C3) and restore C1 exactly
    through ending_inv / stockout."""
    r0, r1 = prob.starts[k0], prob.starts[k1]
    t0, t1 = prob.t_starts[k0], prob.t_starts[k1]
    parts = (
        sol.transfer[t0:t1],
        sol.manufacture[k0:k1],
        sol.allocate[r0:r1],
        sol.stockout[r0:r1],
        sol.ending[r0:r1],
    )
    for a in parts:
        a[(a < 0) & (a > -1e-9)] = 0.0
    if not integer:
        return
    net = _in_whole_packs(prob, sol, k0, k1, np.round)
    so = np.maximum(sol.stockout[r0:r1], 0.0)
    end = net + so
    short = end < 0
    so[short] -= end[short]
    end[short] = 0.0
    sol.stockout[r0:r1] = so
    sol.ending[r0:r1] = end


def _in_whole_packs(prob: Problem, sol: Solution, k0: int, k1: int, rounding) -> np.ndarray:
    """Transfers and allocations of products [k0, k1) to whole packs by `rounding` (np.round
    for a MILP's solver noise, np.floor for the fallback), manufacture = their sum (C3);
    returns each row's net position (C1 before stockout and ending stock)."""
    r0, r1 = prob.starts[k0], prob.starts[k1]
    t0, t1 = prob.t_starts[k0], prob.t_starts[k1]
    pack = prob.pack[k0:k1]
    row_product = np.repeat(np.arange(k1 - k0), np.diff(prob.starts[k0 : k1 + 1]))
    transfer_pack = pack[row_product[prob.t_src[t0:t1] - r0]]
    sol.transfer[t0:t1] = rounding(sol.transfer[t0:t1] / transfer_pack + 1e-9) * transfer_pack
    row_pack = pack[row_product]
    sol.allocate[r0:r1] = rounding(sol.allocate[r0:r1] / row_pack + 1e-9) * row_pack
    sol.manufacture[k0:k1] = np.bincount(
        row_product, weights=sol.allocate[r0:r1], minlength=k1 - k0
    )
    n = r1 - r0
    inflow = np.bincount(prob.t_dst[t0:t1] - r0, weights=sol.transfer[t0:t1], minlength=n)
    outflow = np.bincount(prob.t_src[t0:t1] - r0, weights=sol.transfer[t0:t1], minlength=n)
    return net_position(prob.cur[r0:r1], inflow, outflow, sol.allocate[r0:r1], prob.dem[r0:r1])


def _rounded_down(prob: Problem, sol: Solution, k: int, settings: SolverSettings) -> str:
    """Product k in whole packs without its MILP: its LP relaxation with every transfer and
    allocation rounded down to whole packs (C2, C4 and lane capacity only bound them from above,
    so they still hold; transfers under the minimum are dropped). Returns the explanation, or ''
    when the rounded plan breaks C5 (a donor that sends less keeps more)."""
    relaxed = replace(settings, integer=False, min_transfer_units=0.0, time_limit_s=None)
    block = build_block(prob, k, k + 1, relaxed)
    res = solve_block(block, relaxed)
    if res.status != "optimal" or res.x is None:
        return ""
    _store_values(prob, sol, block, res.x)
    t0, t1 = prob.t_starts[k], prob.t_starts[k + 1]
    r0, r1 = prob.starts[k], prob.starts[k + 1]
    if settings.min_transfer_units > 0:
        small = sol.transfer[t0:t1] < settings.min_transfer_units - 1e-9
        sol.transfer[t0:t1][small] = 0.0
    net = _in_whole_packs(prob, sol, k, k + 1, np.floor)
    sol.stockout[r0:r1] = np.maximum(0.0, -net)
    sol.ending[r0:r1] = np.maximum(0.0, net)
    if (sol.ending[r0:r1] > prob.cap[r0:r1] + settings.verify_tol).any():
        return ""
    return (
        f"whole packs by rounding the LP relaxation down: the MILP did not finish within "
        f"{settings.time_limit_s:g} s"
    )


def _store_values(prob: Problem, sol: Solution, block: Block, x: np.ndarray) -> None:
    k0, k1 = block.k0, block.k1
    r0, r1 = prob.starts[k0], prob.starts[k1]
    t0, t1 = prob.t_starts[k0], prob.t_starts[k1]
    n_t, n_p, n = block.n_t, block.n_p, block.n
    sol.transfer[t0:t1] = x[:n_t] * block.t_scale  # packs -> units
    sol.manufacture[k0:k1] = x[n_t : n_t + n_p]
    a = n_t + n_p
    sol.allocate[r0:r1] = x[a : a + n] * block.a_scale
    sol.stockout[r0:r1] = x[a + n : a + 2 * n]
    sol.ending[r0:r1] = x[a + 2 * n : a + 3 * n]


def solve_problem(
    prob: Problem,
    settings: SolverSettings,
    progress: Progress | None = None,
    warm_start: Bases | None = None,
) -> Solution:
    """Solve every product: batches of up to products_per_batch products and
    batch_transfer_columns transfer variables; a batch that is not optimal is
    bisected until each failing product stands alone and is explained. progress(done, total,
    seconds) is called about twenty times along the way (log lines for long runs).

    warm_start: optimal bases of an earlier solve of the same products with other numbers
    (another plan's `bases`, e.g. a scenario's from the plan's): a block with the same key
    starts its simplex there (docs/methodology.md, "Warm starts"). With settings.keep_bases the
    bases of this solve are kept in the solution."""
    P = prob.n_products
    sol = Solution(
        transfer=np.full(len(prob.t_src), np.nan),
        manufacture=np.full(P, np.nan),
        allocate=np.full(len(prob.sp), np.nan),
        stockout=np.full(len(prob.sp), np.nan),
        ending=np.full(len(prob.sp), np.nan),
        status=np.full(P, "not_solved", dtype=object),
        explanation=np.full(P, "", dtype=object),
        timings={
            "build_arrays": 0.0,
            "build_model": 0.0,
            "solve": 0.0,
            "diagnose": 0.0,
            "simplex_iterations": 0.0,
        },
    )
    # products failing a store-level check go alone, so they never spoil a batch
    suspect = np.zeros(P, dtype=bool)
    t = time.perf_counter()
    for k in cheap_suspects(prob, settings):
        suspect[k] = True
    sol.timings["diagnose"] += time.perf_counter() - t

    def run(k0: int, k1: int) -> None:
        t = time.perf_counter()
        block = build_block(prob, k0, k1, settings)
        key = block_key(prob, block)
        sol.timings["build_arrays"] += time.perf_counter() - t
        res = solve_block(block, settings, (warm_start or {}).get(key))
        sol.calls += 1
        if res.basis is not None:
            sol.bases[key] = res.basis
        sol.timings["build_model"] += res.build_s
        sol.timings["solve"] += res.solve_s
        sol.timings["simplex_iterations"] += res.iterations
        if res.status == "optimal" and res.x is not None:
            _store_values(prob, sol, block, res.x)
            _polish(prob, sol, k0, k1, settings.integer)
            sol.status[k0:k1] = "optimal"
            sol.block_objectives.append((k0, k1, res.objective))
        elif k1 - k0 > 1:
            mid = (k0 + k1) // 2
            run(k0, mid)
            run(mid, k1)
        elif (
            res.status == "not_solved"
            and settings.integer
            and (why := _rounded_down(prob, sol, k0, settings))
        ):
            sol.status[k0] = "rounded"
            sol.explanation[k0] = why
        else:
            t = time.perf_counter()
            status, why = explain_not_optimal(prob, k0, res.status, settings)
            if status == "not_solved":
                why += f" (solver status: {res.detail})"
            sol.status[k0] = status
            sol.explanation[k0] = why
            sol.timings["diagnose"] += time.perf_counter() - t

    k = 0
    size, columns = settings.products_per_batch, settings.batch_transfer_columns
    started, next_report = time.perf_counter(), 0
    while k < P:
        end = k + 1
        if not suspect[k]:
            while (
                end < P
                and end - k < size
                and not suspect[end]
                and prob.t_starts[end + 1] - prob.t_starts[k] <= columns
            ):
                end += 1
        run(k, end)
        k = end
        if progress is not None and (k >= next_report or k == P):
            progress(k, P, time.perf_counter() - started)
            next_report = k + max(1, P // 20)
    return sol


# ---------------------------------------------------------------------------------------------
# Plan assembly
# ---------------------------------------------------------------------------------------------


def assemble_plan(prob: Problem, sol: Solution, settings: SolverSettings) -> AllocationPlan:
    """Plan tables from the values of the optimal products (others: status rows only)."""
    P = prob.n_products
    ok_p = np.isin(sol.status, SOLVED)
    row_p = np.repeat(np.arange(P), np.diff(prob.starts))
    ok_r = ok_p[row_p]
    t_p = row_p[prob.t_src] if len(prob.t_src) else np.zeros(0, dtype=np.int64)
    ok_t = ok_p[t_p] & (np.nan_to_num(sol.transfer) > 1e-9)
    sp = prob.sp
    n = len(sp)
    tr_units = np.where(np.isnan(sol.transfer), 0.0, sol.transfer)
    inflow = np.bincount(prob.t_dst, weights=tr_units, minlength=n)
    outflow = np.bincount(prob.t_src, weights=tr_units, minlength=n)
    lanes = prob.lanes
    lane = prob.t_lane[ok_t]
    units = sol.transfer[ok_t]
    transfers = pd.DataFrame(
        {
            "from_store": sp["store_id"].to_numpy()[prob.t_src[ok_t]],
            "to_store": sp["store_id"].to_numpy()[prob.t_dst[ok_t]],
            "product_id": sp["product_id"].to_numpy()[prob.t_src[ok_t]],
            "units": units,
            "distance_km": lanes["distance_km"].to_numpy(np.float64)[lane],
            "cost_per_unit": prob.t_cost[ok_t],
            "cost": units * prob.t_cost[ok_t],
            "lead_time_days": lanes["lead_time_days"].to_numpy(np.float64)[lane],
        }
    )
    production = pd.DataFrame(
        {"product_id": prob.product_ids[ok_p], "manufacture_units": sol.manufacture[ok_p]}
    )
    dem = prob.dem[ok_r]
    so = sol.stockout[ok_r]
    with np.errstate(divide="ignore", invalid="ignore"):
        fill = np.where(dem > 0, 1.0 - so / np.where(dem > 0, dem, 1.0), 1.0)
    rows = pd.DataFrame(
        {
            "store_id": sp["store_id"].to_numpy()[ok_r],
            "product_id": sp["product_id"].to_numpy()[ok_r],
            "current_inv": prob.cur[ok_r],
            "demand": dem,
            "safety_stock": prob.ss[ok_r],
            "max_capacity": prob.cap[ok_r],
            "allocate_units": sol.allocate[ok_r],
            "stockout_units": so,
            "ending_inv": sol.ending[ok_r],
            "transfer_in": inflow[ok_r],
            "transfer_out": outflow[ok_r],
            "fill_rate": fill,
        }
    )
    priced = rows.assign(
        holding_cost=prob.hold[ok_r],
        stockout_penalty=prob.pen[ok_r],
        distribution_cost=prob.dist[ok_r],
    )
    breakdown = breakdown_from_tables(priced, transfers, production, prob.products)
    per = breakdown[breakdown["level"] == "product"].set_index("product_id")["total"]
    objective = np.full(P, np.nan)
    if ok_p.any():
        objective[ok_p] = per.reindex(prob.product_ids[ok_p]).to_numpy()
    lanes_per_product = np.diff(prob.t_starts)
    status = pd.DataFrame(
        {
            "product_id": prob.product_ids,
            "status": sol.status.astype(str),
            "objective": objective,
            "explanation": sol.explanation.astype(str),
            "n_stores": np.diff(prob.starts),
            "n_lanes": lanes_per_product,
        }
    )
    optimal = (sol.status == "optimal").all()
    overall = "optimal" if optimal else ("partial" if ok_p.any() else "failed")
    return AllocationPlan(
        transfers=transfers,
        production=production,
        store_products=rows,
        product_status=status,
        cost_breakdown=breakdown,
        status=overall,
        settings=settings,
    )


def check_solver_objectives(
    plan: AllocationPlan, prob: Problem, sol: Solution, tol: float
) -> list[str]:
    """The solver's objective of every block must equal the plan's cost of the same products
    at the input prices (guards the model arrays against pricing errors)."""
    if not sol.block_objectives:
        return []
    per = plan.product_status.set_index("product_id")["objective"]
    out = []
    for k0, k1, solver_obj in sol.block_objectives:
        cost = float(per.reindex(prob.product_ids[k0:k1]).sum())
        if not abs(cost - solver_obj) <= tol * max(1.0, abs(cost)):
            out.append(
                f"solver objective {solver_obj:.9g} of products {prob.product_ids[k0]!r}.."
                f"{prob.product_ids[k1 - 1]!r} differs from their cost at input prices {cost:.9g}"
            )
    return out


def solve_allocation(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame,
    settings: SolverSettings = SolverSettings(),
    progress: Progress | None = None,
    warm_start: Bases | None = None,
) -> AllocationPlan:
    """Solve the allocation LP product by product (exact), verify it, return the plan.

    A product that is infeasible, unbounded or not solved is named in product_status with the
    constraint that binds; the other products are still solved and the plan is 'partial'. The
    plan is checked by `verify_plan` (C1-C6, lane capacity, service limit, costs) before it is
    returned; any violation marks it 'failed' and lists the violations. With
    `settings.processes > 1` and at least `parallel_min_store_products` pairs, product shards
    are solved in worker processes and joined (optimization/parallel.py): the same plan.
    warm_start: another plan's `bases` (see solve_problem); the plan keeps its own when
    settings.keep_bases asks for them.
    """
    if settings.processes > 1 and len(store_products) >= settings.parallel_min_store_products:
        return _solve_in_shards(store_products, products, lanes, settings, progress, warm_start)
    t = time.perf_counter()
    prob = build_problem(store_products, products, lanes, settings)
    t_prep = time.perf_counter() - t
    sol = solve_problem(prob, settings, progress, warm_start)
    t = time.perf_counter()
    plan = assemble_plan(prob, sol, settings)
    t_asm = time.perf_counter() - t
    t = time.perf_counter()
    plan.violations = verify_plan(store_products, products, lanes, plan, settings.verify_tol)
    plan.violations += check_solver_objectives(plan, prob, sol, settings.verify_tol)
    t_ver = time.perf_counter() - t
    if plan.violations:
        plan.status = "failed"
    plan.bases = sol.bases
    plan.timings = {
        "prepare": t_prep,
        **sol.timings,
        "assemble": t_asm,
        "verify": t_ver,
        "solver_calls": float(sol.calls),
    }
    return plan


def _solve_in_shards(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame,
    settings: SolverSettings,
    progress: Progress | None,
    warm_start: Bases | None,
) -> AllocationPlan:
    """solve_allocation over product shards in `settings.processes` worker processes."""
    started = time.perf_counter()
    n_shards = settings.processes * SHARDS_PER_PROCESS
    shard = product_shards(store_products["product_id"], n_shards)
    product_shard = product_shards(products["product_id"], n_shards)
    in_worker = replace(settings, processes=1)
    warm_start = warm_start or {}

    def shard_task(k: int) -> tuple:
        ids = set(products.loc[product_shard == k, "product_id"])
        warm = {key: basis for key, basis in warm_start.items() if key[0] in ids}
        return (
            store_products[shard == k],
            products[product_shard == k],
            lanes,
            in_worker,
            None,
            warm,
        )

    tasks = [shard_task(k) for k in np.unique(shard)]
    plans: list[AllocationPlan] = []
    done, total = 0, store_products["product_id"].nunique()
    for plan in map_in_processes(solve_allocation, tasks, settings.processes):
        plans.append(plan)
        done += len(plan.product_status)
        if progress is not None:
            progress(done, total, time.perf_counter() - started)
    plan = combine_plans(plans, settings)
    plan.timings["wall"] = time.perf_counter() - started
    return plan
