"""The allocation LP written literally as ONE PuLP model over all products: read this first.

The readable statement of the model; the shipped path (`solve_allocation`: model.py builds the
same model as arrays, one block of products at a time, solve.py solves it) is tested to reach
the same optimum. Meant for small and mid-size instances. See docs/methodology.md, section
Allocation LP.

Sets: stores S, products P, store x product pairs SP (the store stocks the product), candidate
transfers T = {(i, j, p)}: a lane i -> j within the service limit (lead time <=
max_lead_time_days) whose both ends stock p.

Variables (C6: all >= 0): transfer[i, j, p], manufacture[p], allocate[s, p], stockout[s, p],
ending_inv[s, p].

    minimise  sum_SP holding_cost[s,p] ending_inv[s,p] + stockout_penalty[s,p] stockout[s,p]
              + sum_T cost_per_unit[i,j] transfer[i,j,p] + sum_P manufacturing_cost[p]
              manufacture[p] + sum_SP distribution_cost[s,p] allocate[s,p]
    C1  ending_inv[s,p] = current_inv[s,p] + sum_i transfer[i,s,p] - sum_j transfer[s,j,p]
                          + allocate[s,p] - demand[s,p] + stockout[s,p]          for (s,p) in SP
    C2  sum_j transfer[s,j,p] <= max(0, current_inv[s,p] - safety_stock[s,p])
                                                    for (s,p) in SP with a transfer out
    C3  sum_s allocate[s,p] = manufacture[p]                                     for p in P
    C4  manufacture[p] <= max_production[p]   (0 when central supply is off)      for p in P
    C5  ending_inv[s,p] <= max_capacity[s,p]                                     for (s,p) in SP
    C6  every variable >= 0                                          (lower bounds)
    lane capacity  transfer[i,j,p] <= capacity_units[i,j]                        for (i,j,p) in T
    service limit  lanes with lead_time_days > max_lead_time_days are not in T

C2's right-hand side is `constraints.transferable_stock`, the same function the array model,
the verifier and the diagnosis use. Infinite capacities (NaN in the inputs) write no row.
"""

from __future__ import annotations

import time
from collections import defaultdict

import numpy as np
import pandas as pd
import pulp

from python_assets.optimization.backends import pulp_solver
from python_assets.optimization.checks import verify_plan
from python_assets.optimization.constraints import transferable_stock
from python_assets.optimization.model import Problem, build_problem
from python_assets.optimization.problem import AllocationPlan, SolverSettings
from python_assets.optimization.solve import Solution, assemble_plan


def build_joint_model(
    prob: Problem, settings: SolverSettings
) -> tuple[pulp.LpProblem, dict, dict, dict, dict, dict]:
    """The model of the module docstring, variables keyed like it; returns (lp, transfer,
    manufacture, allocate, stockout, ending_inv)."""
    sp = prob.sp
    stores = sp["store_id"].tolist()
    prods = sp["product_id"].tolist()
    SP = list(zip(stores, prods, strict=True))
    P = prob.product_ids.tolist()
    T = [
        (stores[a], stores[b], prods[a])
        for a, b in zip(prob.t_src.tolist(), prob.t_dst.tolist(), strict=True)
    ]
    cur = dict(zip(SP, prob.cur.tolist(), strict=True))
    demand = dict(zip(SP, prob.dem.tolist(), strict=True))
    transferable = dict(zip(SP, transferable_stock(prob.cur, prob.ss).tolist(), strict=True))
    max_capacity = dict(zip(SP, prob.cap.tolist(), strict=True))
    holding_cost = dict(zip(SP, prob.hold.tolist(), strict=True))
    stockout_penalty = dict(zip(SP, prob.pen.tolist(), strict=True))
    distribution_cost = dict(zip(SP, prob.dist.tolist(), strict=True))
    transport_cost = dict(zip(T, prob.t_cost.tolist(), strict=True))
    lane_capacity = dict(zip(T, prob.t_cap.tolist(), strict=True))
    manufacturing_cost = dict(zip(P, prob.mcost.tolist(), strict=True))
    max_production = dict(zip(P, prob.maxprod.tolist(), strict=True))

    lp = pulp.LpProblem("allocation_joint", pulp.LpMinimize)
    cat = pulp.LpInteger if settings.integer else pulp.LpContinuous
    # decision variables, C6 (>= 0) as lower bounds
    transfer = {key: lp.add_variable(f"transfer_{t}", 0, None, cat) for t, key in enumerate(T)}
    manufacture = {p: lp.add_variable(f"manufacture_{k}", 0, None, cat) for k, p in enumerate(P)}
    allocate = {sp_: lp.add_variable(f"allocate_{r}", 0, None, cat) for r, sp_ in enumerate(SP)}
    stockout = {sp_: lp.add_variable(f"stockout_{r}", 0, None) for r, sp_ in enumerate(SP)}
    ending_inv = {sp_: lp.add_variable(f"ending_inv_{r}", 0, None) for r, sp_ in enumerate(SP)}

    # objective
    lp += (
        pulp.lpSum(holding_cost[s, p] * ending_inv[s, p] for s, p in SP)
        + pulp.lpSum(stockout_penalty[s, p] * stockout[s, p] for s, p in SP)
        + pulp.lpSum(transport_cost[i, j, p] * transfer[i, j, p] for i, j, p in T)
        + pulp.lpSum(manufacturing_cost[p] * manufacture[p] for p in P)
        + pulp.lpSum(distribution_cost[s, p] * allocate[s, p] for s, p in SP)
    )
    incoming: dict = defaultdict(list)
    outgoing: dict = defaultdict(list)
    for i, j, p in T:
        outgoing[i, p].append(transfer[i, j, p])
        incoming[j, p].append(transfer[i, j, p])
    stores_of: dict = defaultdict(list)
    for s, p in SP:
        stores_of[p].append(s)

    for r, (s, p) in enumerate(SP):
        # C1 inventory balance
        lp += (
            ending_inv[s, p]
            == cur[s, p]
            + pulp.lpSum(incoming[s, p])
            - pulp.lpSum(outgoing[s, p])
            + allocate[s, p]
            - demand[s, p]
            + stockout[s, p],
            f"C1_{r}",
        )
        # C2 transfer only of stock above safety stock
        if outgoing[s, p]:
            lp += pulp.lpSum(outgoing[s, p]) <= transferable[s, p], f"C2_{r}"
        # C5 storage capacity
        if np.isfinite(max_capacity[s, p]):
            lp += ending_inv[s, p] <= max_capacity[s, p], f"C5_{r}"
    for k, p in enumerate(P):
        # C3 manufacturing-allocation balance
        lp += pulp.lpSum(allocate[s, p] for s in stores_of[p]) == manufacture[p], f"C3_{k}"
        # C4 manufacturing capacity (no central supply: capacity 0)
        limit = max_production[p] if settings.allow_production else 0.0
        if np.isfinite(limit):
            lp += manufacture[p] <= limit, f"C4_{k}"
    # lane capacity, per lane and product
    for t, key in enumerate(T):
        if np.isfinite(lane_capacity[key]):
            lp += transfer[key] <= lane_capacity[key], f"LANE_{t}"
    return lp, transfer, manufacture, allocate, stockout, ending_inv


def solve_joint(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame,
    settings: SolverSettings = SolverSettings(),
) -> AllocationPlan:
    """Solve the model as one PuLP problem over all products (reference implementation).

    Same candidate transfers as `solve_allocation` (every lane of `lanes` within the service
    limit whose both ends stock the product). A joint model has one status: if it is not
    optimal, no product is, and the plan is 'failed'.
    """
    t0 = time.perf_counter()
    prob = build_problem(store_products, products, lanes, settings)
    lp, transfer, manufacture, allocate, stockout, ending_inv = build_joint_model(prob, settings)
    t1 = time.perf_counter()
    lp.solve(pulp_solver(settings))
    t2 = time.perf_counter()
    optimal = lp.status == pulp.LpStatusOptimal and lp.sol_status == pulp.LpSolutionOptimal
    P = prob.n_products
    if optimal:

        def values(d: dict) -> np.ndarray:
            return np.array([v.varValue for v in d.values()], dtype=np.float64)

        sol = Solution(
            transfer=values(transfer),
            manufacture=values(manufacture),
            allocate=values(allocate),
            stockout=values(stockout),
            ending=values(ending_inv),
            status=np.full(P, "optimal", dtype=object),
            explanation=np.full(P, "", dtype=object),
        )
        for a in (sol.transfer, sol.manufacture, sol.allocate, sol.stockout, sol.ending):
            a[(a < 0) & (a > -1e-9)] = 0.0
    else:
        status = {pulp.LpStatusInfeasible: "infeasible", pulp.LpStatusUnbounded: "unbounded"}.get(
            lp.status, "not_solved"
        )
        nan = np.full(len(prob.sp), np.nan)
        sol = Solution(
            transfer=np.full(len(prob.t_src), np.nan),
            manufacture=np.full(P, np.nan),
            allocate=nan,
            stockout=nan.copy(),
            ending=nan.copy(),
            status=np.full(P, status, dtype=object),
            explanation=np.full(
                P,
                f"joint model {pulp.LpStatus.get(lp.status, lp.status)}: no product solved",
                dtype=object,
            ),
        )
    plan = assemble_plan(prob, sol, settings)
    t3 = time.perf_counter()
    plan.violations = verify_plan(store_products, products, lanes, plan, settings.verify_tol)
    if plan.violations:
        plan.status = "failed"
    plan.timings = {
        "build_model": t1 - t0,
        "solve": t2 - t1,
        "assemble": t3 - t2,
        "verify": time.perf_counter() - t3,
        "solver_calls": 1.0,
    }
    return plan
