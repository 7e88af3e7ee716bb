"""The allocation LP of 003, decomposed by product and built from arrays.

For one product p (stores S_p that stock it, lanes L_p between them) the model is 003's:

    min  sum_s holding[s] ending[s] + penalty[s] stockout[s] + sum_(i,j) cost[i,j] transfer[i,j]
         + manufacturing manufacture + sum_s distribution[s] allocate[s]
    C1   ending[s] = current_inv[s] + sum_i transfer[i,s] - sum_j transfer[s,j] + allocate[s]
                     - demand[s] + stockout[s]                         (row, equality)
    C2   sum_j transfer[s,j] <= max(0, current_inv[s] - safety_stock[s]) (row, stores with lanes out)
    C3   sum_s allocate[s] = manufacture                                 (row)
    C4   manufacture <= max_production                                   (column upper bound)
    C5   ending[s] <= max_capacity[s]                                    (column upper bound)
    C6   every variable >= 0                                             (column lower bounds)
    lane capacity: transfer[i,j] <= capacity_units[i,j]                  (column upper bound)
    service limit: only lanes with lead time <= max_lead_time_days       (lanes filtered)

(`solve_joint` writes C4, C5 and lane capacity as rows, literally; as column bounds they are
the same constraints.) Products share no constraint, so the joint model is block-diagonal and
its optimum is the sum of the products' optima: products are solved in batches of at most
`products_per_batch` blocks and `batch_transfer_columns` transfer variables per solver call
(exact). The constraint matrix of a batch is
assembled with numpy in CSR form (no per-cell Python loop) and handed either straight to HiGHS
(`Highs.passModel`, the shipped path) or to PuLP (one variable per column, one
`LpAffineExpression` per row, built in bulk from the CSR arrays).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp
from scipy import sparse

from python_assets.optimization.checks import breakdown_from_tables, verify_plan
from python_assets.optimization.problem import AllocationPlan, SolverSettings, normalise_inputs

INF = float("inf")
_MAX_LISTED = 5


# ---------------------------------------------------------------------------------------------
# The problem as arrays
# ---------------------------------------------------------------------------------------------


@dataclass
class Problem:
    """Normalised inputs as aligned arrays; rows of `sp` sorted by (product, store).

    Transfers (one candidate per lane and product whose both ends stock the product) are
    t_src/t_dst (rows of sp), t_lane (row of lanes), grouped by product: t_starts.
    """

    sp: pd.DataFrame
    products: pd.DataFrame
    lanes: pd.DataFrame
    product_ids: np.ndarray
    starts: np.ndarray
    cur: np.ndarray
    dem: np.ndarray
    ss: np.ndarray
    cap: np.ndarray
    hold: np.ndarray
    pen: np.ndarray
    dist: np.ndarray
    mcost: np.ndarray
    maxprod: np.ndarray
    t_src: np.ndarray
    t_dst: np.ndarray
    t_lane: np.ndarray
    t_starts: np.ndarray
    t_cost: np.ndarray
    t_cap: np.ndarray

    @property
    def n_products(self) -> int:
        return len(self.product_ids)


Progress = Callable[[int, int, float], None]  # (products done, products, seconds so far)


def build_problem(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame,
    settings: SolverSettings = SolverSettings(),
) -> Problem:
    sp, prods, ln = normalise_inputs(store_products, products, lanes, settings.max_lead_time_days)
    product_ids, pcode = np.unique(sp["product_id"].to_numpy(), return_inverse=True)
    starts = np.searchsorted(pcode, np.arange(len(product_ids) + 1))
    store_index = pd.Index(
        pd.unique(
            np.concatenate(
                [sp["store_id"].to_numpy(), ln["from_store"].to_numpy(), ln["to_store"].to_numpy()]
            )
        )
    )
    scode = store_index.get_indexer(sp["store_id"])
    n_st = len(store_index)
    parts_s, parts_d, parts_l = [], [], []
    if settings.allow_transfers and len(ln):
        fc = store_index.get_indexer(ln["from_store"])
        tc = store_index.get_indexer(ln["to_store"])
        lane_mat = sparse.csr_matrix(
            (np.arange(1, len(ln) + 1, dtype=np.int64), (fc, tc)), shape=(n_st, n_st)
        )
        for k in range(len(product_ids)):
            r0, r1 = starts[k], starts[k + 1]
            sub = lane_mat[scode[r0:r1]][:, scode[r0:r1]].tocoo()
            parts_s.append(sub.row.astype(np.int64) + r0)
            parts_d.append(sub.col.astype(np.int64) + r0)
            parts_l.append(sub.data.astype(np.int64) - 1)
    if parts_s:
        t_src, t_dst, t_lane = (np.concatenate(p) for p in (parts_s, parts_d, parts_l))
        order = np.lexsort((t_dst, t_src))  # by product (rows are product-sorted), then store
        t_src, t_dst, t_lane = t_src[order], t_dst[order], t_lane[order]
    else:
        t_src = t_dst = t_lane = np.zeros(0, dtype=np.int64)
    t_starts = np.searchsorted(t_src, starts)
    pindex = prods.set_index("product_id")

    def col(name: str) -> np.ndarray:
        return sp[name].to_numpy(np.float64)

    return Problem(
        sp=sp,
        products=prods,
        lanes=ln,
        product_ids=product_ids,
        starts=starts,
        cur=col("current_inv"),
        dem=col("demand"),
        ss=col("safety_stock"),
        cap=col("max_capacity"),
        hold=col("holding_cost"),
        pen=col("stockout_penalty"),
        dist=col("distribution_cost"),
        mcost=pindex["manufacturing_cost"].reindex(product_ids).to_numpy(np.float64),
        maxprod=pindex["max_production"].reindex(product_ids).to_numpy(np.float64),
        t_src=t_src,
        t_dst=t_dst,
        t_lane=t_lane,
        t_starts=t_starts,
        t_cost=ln["cost_per_unit"].to_numpy(np.float64)[t_lane],
        t_cap=ln["capacity_units"].to_numpy(np.float64)[t_lane],
    )


@dataclass
class Block:
    """The LP of products [k0, k1) in arrays: columns are transfers (T), manufacture (P),
    allocate (N), stockout (N), ending_inv (N) [, elastic C5 excess (N)]; rows are C1 (N),
    C2 (stores with lanes out), C3 (P). Matrix in CSR."""

    k0: int
    k1: int
    n_t: int
    n_p: int
    n: int
    cost: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    integer: np.ndarray
    row_lb: np.ndarray
    row_ub: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    @property
    def n_cols(self) -> int:
        return len(self.cost)

    @property
    def n_rows(self) -> int:
        return len(self.row_lb)


def build_block(
    prob: Problem, k0: int, k1: int, settings: SolverSettings, elastic: bool = False
) -> Block:
    """Arrays of products [k0, k1). elastic=True: feasibility version for diagnosis (all costs
    0, C5 relaxed by an excess column of cost 1 per store)."""
    r0, r1 = prob.starts[k0], prob.starts[k1]
    t0, t1 = prob.t_starts[k0], prob.t_starts[k1]
    n, n_t, n_p = r1 - r0, t1 - t0, k1 - k0
    src = prob.t_src[t0:t1] - r0
    dst = prob.t_dst[t0:t1] - r0
    prod_local = np.repeat(np.arange(n_p), np.diff(prob.starts[k0 : k1 + 1]))
    cm, ca = n_t, n_t + n_p
    cs, ce = ca + n, ca + 2 * n
    rows_n = np.arange(n)
    c2_src, c2_row = np.unique(src, return_inverse=True)
    n_c2 = len(c2_src)
    c3 = n + n_c2
    rows = [rows_n, rows_n, rows_n, src, dst, n + c2_row, c3 + prod_local, c3 + np.arange(n_p)]
    cols = [
        ce + rows_n,
        cs + rows_n,
        ca + rows_n,
        np.arange(n_t),
        np.arange(n_t),
        np.arange(n_t),
        ca + rows_n,
        cm + np.arange(n_p),
    ]
    vals = [
        np.ones(n),
        -np.ones(n),
        -np.ones(n),
        np.ones(n_t),
        -np.ones(n_t),
        np.ones(n_t),
        np.ones(n),
        -np.ones(n_p),
    ]
    sl = slice(r0, r1)
    produce = settings.allow_production
    cost = np.concatenate(
        [
            prob.t_cost[t0:t1],
            prob.mcost[k0:k1],
            prob.dist[sl],
            prob.pen[sl],
            prob.hold[sl],
        ]
    )
    ub = np.concatenate(
        [
            prob.t_cap[t0:t1],
            prob.maxprod[k0:k1] if produce else np.zeros(n_p),
            np.full(n, INF) if produce else np.zeros(n),
            np.full(n, INF),
            prob.cap[sl],
        ]
    )
    integer = np.zeros(len(cost), dtype=bool)
    if settings.integer:
        integer[: ca + n] = True
    if elastic:
        rows.append(rows_n)
        cols.append(ce + n + rows_n)
        vals.append(np.ones(n))
        cost = np.concatenate([np.zeros(len(cost)), np.ones(n)])
        ub = np.concatenate([ub, np.full(n, INF)])
        ub = np.maximum(ub, 0.0)  # negative capacities are reported by the input checks
        integer = np.concatenate([integer, np.zeros(n, dtype=bool)])
    lb = np.zeros(len(cost))
    n_rows = c3 + n_p
    mat = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, len(cost)),
    )
    net = prob.cur[sl] - prob.dem[sl]
    excess = np.maximum(0.0, prob.cur[sl] - prob.ss[sl])[c2_src]
    row_lb = np.concatenate([net, np.full(n_c2, -INF), np.zeros(n_p)])
    row_ub = np.concatenate([net, excess, np.zeros(n_p)])
    return Block(
        k0=k0,
        k1=k1,
        n_t=n_t,
        n_p=n_p,
        n=n,
        cost=cost,
        lb=lb,
        ub=ub,
        integer=integer,
        row_lb=row_lb,
        row_ub=row_ub,
        indptr=mat.indptr,
        indices=mat.indices,
        data=mat.data,
    )


# ---------------------------------------------------------------------------------------------
# Backends: the same arrays solved through PuLP (HiGHS or CBC) or straight by highspy
# ---------------------------------------------------------------------------------------------


@dataclass
class SolveResult:
    status: str  # optimal | infeasible | unbounded | unbounded_or_infeasible | not_solved
    x: np.ndarray | None
    objective: float
    build_s: float = 0.0
    solve_s: float = 0.0
    detail: str = ""


def _presolve(settings: SolverSettings) -> bool:
    """HiGHS presolve: off for the LP (measured 2-4x faster on these transportation-like
    blocks), on for the MILP, unless set."""
    return settings.integer if settings.presolve is None else settings.presolve


def _pulp_solver(settings: SolverSettings):
    if settings.solver == "highs":
        options = {"presolve": "on" if _presolve(settings) else "off"}
        if settings.integer:
            options["mip_rel_gap"] = settings.mip_rel_gap
        return pulp.HiGHS(
            msg=False,
            mip=settings.integer,
            timeLimit=settings.time_limit_s,
            threads=settings.threads,
            **options,
        )
    options = dict(
        msg=False,
        mip=settings.integer,
        timeLimit=settings.time_limit_s,
        threads=settings.threads,
        gapRel=settings.mip_rel_gap if settings.integer else None,
    )
    if pulp.COIN_CMD().available():  # a system CBC (PuLP 4's way)
        return pulp.COIN_CMD(**options)
    # the CBC binary bundled with PuLP 3.x: deprecated for PuLP 4, which pyproject excludes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(**options)


def block_to_pulp(block: Block, name: str = "allocation") -> tuple[pulp.LpProblem, list]:
    """The PuLP model of a block: one variable per column, one constraint per CSR row."""
    lp = pulp.LpProblem(name, pulp.LpMinimize)
    n_t, n_p, n = block.n_t, block.n_p, block.n
    prefixes = [
        ("transfer", n_t),
        ("manufacture", n_p),
        ("allocate", n),
        ("stockout", n),
        ("ending_inv", n),
    ]
    if block.n_cols > n_t + n_p + 3 * n:
        prefixes.append(("c5_excess", n))
    names = [f"{p}_{i}" for p, m in prefixes for i in range(m)]
    ub = block.ub
    cat = np.where(block.integer, pulp.LpInteger, pulp.LpContinuous)
    add = lp.add_variable
    xs = [
        add(nm, 0.0, None if u == INF else u, c)
        for nm, u, c in zip(names, ub.tolist(), cat.tolist(), strict=True)
    ]
    nz = np.flatnonzero(block.cost)
    lp.setObjective(
        pulp.LpAffineExpression(
            zip([xs[j] for j in nz.tolist()], block.cost[nz].tolist(), strict=True)
        )
    )
    indptr = block.indptr.tolist()
    idx = block.indices.tolist()
    val = block.data.tolist()
    n_c2 = block.n_rows - n - n_p
    row_kind = ["C1"] * n + ["C2"] * n_c2 + ["C3"] * n_p
    eq, le = pulp.LpConstraintEQ, pulp.LpConstraintLE
    # C1 and C3 are equalities (row_lb == row_ub), C2 has no lower bound: the rhs is row_ub
    for r, hi in enumerate(block.row_ub.tolist()):
        s, e = indptr[r], indptr[r + 1]
        expr = pulp.LpAffineExpression(zip([xs[j] for j in idx[s:e]], val[s:e], strict=True))
        kind = row_kind[r]
        lp.addConstraint(pulp.LpConstraint(expr, eq if kind != "C2" else le, f"{kind}_{r}", hi))
    return lp, xs


def _solve_pulp(block: Block, settings: SolverSettings) -> SolveResult:
    t = time.perf_counter()
    lp, xs = block_to_pulp(block)
    built = time.perf_counter()
    lp.solve(_pulp_solver(settings))
    solved = time.perf_counter()
    status = {
        pulp.LpStatusOptimal: "optimal",
        pulp.LpStatusInfeasible: "infeasible",
        pulp.LpStatusUnbounded: "unbounded",
    }.get(lp.status, "not_solved")
    detail = pulp.LpStatus.get(lp.status, str(lp.status))
    if status == "optimal" and lp.sol_status != pulp.LpSolutionOptimal:
        status, detail = (
            "not_solved",
            f"stopped with solution status {lp.sol_status} (not proven optimal)",
        )
    if status == "infeasible" and settings.solver == "highs":
        # PuLP maps HiGHS' 'unbounded or infeasible' to infeasible: let the diagnosis decide
        status = "unbounded_or_infeasible"
    x = None
    if status == "optimal":
        x = np.array([v.varValue for v in xs], dtype=np.float64)
    return SolveResult(
        status,
        x,
        float(pulp.value(lp.objective) or 0.0) if x is not None else np.nan,
        build_s=built - t,
        solve_s=solved - built,
        detail=detail,
    )


def _solve_highspy(block: Block, settings: SolverSettings) -> SolveResult:
    import highspy

    t = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if settings.time_limit_s is not None:
        h.setOptionValue("time_limit", float(settings.time_limit_s))
    if settings.threads is not None:
        h.setOptionValue("threads", int(settings.threads))
    if settings.integer:
        h.setOptionValue("mip_rel_gap", float(settings.mip_rel_gap))
    h.setOptionValue("presolve", "on" if _presolve(settings) else "off")
    integrality = (
        block.integer.astype(np.int32) if settings.integer else np.zeros(block.n_cols, np.int32)
    )
    # the array overload of passModel (Highs_passMip): no per-element Python conversion
    h.passModel(
        block.n_cols,
        block.n_rows,
        len(block.data),
        int(highspy.MatrixFormat.kRowwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        block.cost,
        block.lb,
        np.minimum(block.ub, highspy.kHighsInf),
        np.maximum(block.row_lb, -highspy.kHighsInf),
        np.minimum(block.row_ub, highspy.kHighsInf),
        block.indptr.astype(np.int32),
        block.indices.astype(np.int32),
        block.data,
        integrality,
    )
    built = time.perf_counter()
    h.run()
    solved = time.perf_counter()
    ms = h.getModelStatus()
    S = highspy.HighsModelStatus
    status = {
        S.kOptimal: "optimal",
        S.kInfeasible: "infeasible",
        S.kUnbounded: "unbounded",
        S.kUnboundedOrInfeasible: "unbounded_or_infeasible",
    }.get(ms, "not_solved")
    x = np.array(h.getSolution().col_value, dtype=np.float64) if status == "optimal" else None
    obj = float(h.getInfo().objective_function_value) if x is not None else np.nan
    return SolveResult(
        status, x, obj, build_s=built - t, solve_s=solved - built, detail=h.modelStatusToString(ms)
    )


def solve_block(block: Block, settings: SolverSettings) -> SolveResult:
    if settings.resolved_backend == "highspy":
        return _solve_highspy(block, settings)
    return _solve_pulp(block, settings)


# ---------------------------------------------------------------------------------------------
# Diagnosis of products that are not optimal
# ---------------------------------------------------------------------------------------------


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def _listed(items: list[str]) -> str:
    more = len(items) - _MAX_LISTED
    return "; ".join(items[:_MAX_LISTED]) + (f"; and {more} more" if more > 0 else "")


def _store_checks(prob: Problem, k: int, settings: SolverSettings) -> list[str]:
    """Infeasibility visible store by store (without solving)."""
    r0, r1 = prob.starts[k], prob.starts[k + 1]
    pid = prob.product_ids[k]
    stores = prob.sp["store_id"].to_numpy()[r0:r1]
    msgs: list[str] = []
    if settings.allow_production and prob.maxprod[k] < 0:
        msgs.append(
            f"C4 production capacity of product {pid!r}: max_production = "
            f"{_fmt(prob.maxprod[k])} < 0"
        )
    t0, t1 = prob.t_starts[k], prob.t_starts[k + 1]
    out_cap = np.bincount(prob.t_src[t0:t1] - r0, weights=prob.t_cap[t0:t1], minlength=r1 - r0)
    excess = np.maximum(0.0, prob.cur[r0:r1] - prob.ss[r0:r1])
    can_leave = np.minimum(excess, out_cap)
    net = prob.cur[r0:r1] - prob.dem[r0:r1]
    cap = prob.cap[r0:r1]
    for i in np.flatnonzero(cap < 0):
        msgs.append(
            f"C5 storage capacity at store {stores[i]!r}: max_capacity = {_fmt(cap[i])} < 0"
        )
    for i in np.flatnonzero((net - can_leave > cap + 1e-9) & (cap >= 0)):
        if not settings.allow_transfers:
            why = "transfers are switched off"
        elif out_cap[i] == 0:
            why = "no candidate lane leaves the store"
        else:
            why = (
                f"C2 lets at most {_fmt(can_leave[i])} units leave (current_inv - safety_stock"
                f" = {_fmt(prob.cur[r0 + i] - prob.ss[r0 + i])}, lane capacity {_fmt(out_cap[i])})"
            )
        msgs.append(
            f"C5 storage capacity at store {stores[i]!r}: current_inv - demand = {_fmt(net[i])}"
            f" > max_capacity = {_fmt(cap[i])}, and {why}"
        )
    return msgs


def _elastic_excess(prob: Problem, k: int, settings: SolverSettings) -> np.ndarray | None:
    """Least C5 excess per store over all plans satisfying the other constraints."""
    block = build_block(prob, k, k + 1, settings, elastic=True)
    plain = SolverSettings(solver="highs", backend="highspy", time_limit_s=settings.time_limit_s)
    res = solve_block(block, plain)
    if res.status != "optimal" or res.x is None:
        return None
    return res.x[block.n_t + block.n_p + 3 * block.n :]


def explain_not_optimal(
    prob: Problem, k: int, status: str, settings: SolverSettings
) -> tuple[str, str]:
    """(status, explanation) of a product its own solve did not prove optimal."""
    pid = prob.product_ids[k]
    r0, r1 = prob.starts[k], prob.starts[k + 1]
    stores = prob.sp["store_id"].to_numpy()[r0:r1]
    if status in ("infeasible", "unbounded_or_infeasible"):
        msgs = _store_checks(prob, k, settings)
        if msgs:
            return "infeasible", f"product {pid!r} infeasible: " + _listed(msgs)
        excess = _elastic_excess(prob, k, settings)
        if excess is not None and excess.sum() > 1e-7:
            items = [
                f"store {stores[i]!r} {_fmt(excess[i])} over max_capacity = "
                f"{_fmt(prob.cap[r0 + i])}"
                for i in np.argsort(-excess)
                if excess[i] > 1e-7
            ]
            return "infeasible", (
                f"product {pid!r} infeasible: C5 storage capacity (network): after demand, its "
                f"stores must hold at least {_fmt(excess.sum())} units more than their "
                "max_capacity allows, whatever is moved on the candidate lanes within C2 "
                "(stock above safety stock); a least-excess placement: " + _listed(items)
            )
        if status == "infeasible":
            return "infeasible", (
                f"product {pid!r} infeasible according to the solver, but no C4/C5 conflict was "
                "found (numerical trouble?)"
            )
    if status in ("unbounded", "unbounded_or_infeasible"):
        return "unbounded", f"product {pid!r} unbounded: " + _explain_unbounded(prob, k)
    return "not_solved", f"product {pid!r} not solved"


def _explain_unbounded(prob: Problem, k: int) -> str:
    r0, r1 = prob.starts[k], prob.starts[k + 1]
    stores = prob.sp["store_id"].to_numpy()[r0:r1]
    cap, pen, hold = prob.cap[r0:r1], prob.pen[r0:r1], prob.hold[r0:r1]
    items = [
        f"store {stores[i]!r}: max_capacity unlimited (C5) and stockout_penalty + holding_cost"
        f" = {_fmt(pen[i] + hold[i])} < 0"
        for i in np.flatnonzero(np.isinf(cap) & (pen + hold < 0))
    ]
    if np.isinf(prob.maxprod[k]):
        dist = prob.dist[r0:r1]
        items += [
            f"max_production unlimited (C4) and at store {stores[i]!r} max_capacity unlimited "
            f"(C5) with manufacturing + distribution + holding = "
            f"{_fmt(prob.mcost[k] + dist[i] + hold[i])} < 0"
            for i in np.flatnonzero(np.isinf(cap) & (prob.mcost[k] + dist + hold < 0))
        ]
    if not items:
        items = ["a negative cost on a variable with no upper bound"]
    return _listed(items)


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


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


def _polish(prob: Problem, sol: Solution, k0: int, k1: int, integer: bool) -> None:
    """Clip solver noise (|x| < 1e-9 below 0) and, for the MILP, round the integer columns and
    restore C1 exactly through ending_inv / stockout."""
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
    for a in parts[:3]:
        np.round(a, out=a)
    n = r1 - r0
    inflow = np.bincount(prob.t_dst[t0:t1] - r0, weights=sol.transfer[t0:t1], minlength=n)
    outflow = np.bincount(prob.t_src[t0:t1] - r0, weights=sol.transfer[t0:t1], minlength=n)
    net = prob.cur[r0:r1] + inflow - outflow + sol.allocate[r0:r1] - prob.dem[r0:r1]
    so = np.maximum(sol.stockout[r0:r1], 0.0)
    end = net + so
    short = end < 0
    so[short] -= end[short]
    end[short] = 0.0
    sol.stockout[r0:r1] = so
    sol.ending[r0:r1] = end


def _store_values(prob: Problem, sol: Solution, block: Block, x: np.ndarray) -> None:
    k0, k1 = block.k0, block.k1
    r0, r1 = prob.starts[k0], prob.starts[k1]
    t0, t1 = prob.t_starts[k0], prob.t_starts[k1]
    n_t, n_p, n = block.n_t, block.n_p, block.n
    sol.transfer[t0:t1] = x[:n_t]
    sol.manufacture[k0:k1] = x[n_t : n_t + n_p]
    a = n_t + n_p
    sol.allocate[r0:r1] = x[a : a + n]
    sol.stockout[r0:r1] = x[a + n : a + 2 * n]
    sol.ending[r0:r1] = x[a + 2 * n : a + 3 * n]


def solve_problem(
    prob: Problem, settings: SolverSettings, progress: Progress | None = None
) -> Solution:
    """Solve every product: batches of up to products_per_batch products and
    batch_transfer_columns transfer variables; a batch that is not optimal is
    bisected until each failing product stands alone and is explained. progress(done, total,
    seconds) is called about twenty times along the way (log lines for long runs)."""
    P = prob.n_products
    sol = Solution(
        transfer=np.full(len(prob.t_src), np.nan),
        manufacture=np.full(P, np.nan),
        allocate=np.full(len(prob.sp), np.nan),
        stockout=np.full(len(prob.sp), np.nan),
        ending=np.full(len(prob.sp), np.nan),
        status=np.full(P, "not_solved", dtype=object),
        explanation=np.full(P, "", dtype=object),
        timings={"build_arrays": 0.0, "build_model": 0.0, "solve": 0.0, "diagnose": 0.0},
    )
    # products failing a store-level check go alone, so they never spoil a batch
    suspect = np.zeros(P, dtype=bool)
    t = time.perf_counter()
    for k in _cheap_suspects(prob, settings):
        suspect[k] = True
    sol.timings["diagnose"] += time.perf_counter() - t

    def run(k0: int, k1: int) -> None:
        t = time.perf_counter()
        block = build_block(prob, k0, k1, settings)
        sol.timings["build_arrays"] += time.perf_counter() - t
        res = solve_block(block, settings)
        sol.calls += 1
        sol.timings["build_model"] += res.build_s
        sol.timings["solve"] += res.solve_s
        if res.status == "optimal" and res.x is not None:
            _store_values(prob, sol, block, res.x)
            _polish(prob, sol, k0, k1, settings.integer)
            sol.status[k0:k1] = "optimal"
            sol.block_objectives.append((k0, k1, res.objective))
        elif k1 - k0 > 1:
            mid = (k0 + k1) // 2
            run(k0, mid)
            run(mid, k1)
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


def _cheap_suspects(prob: Problem, settings: SolverSettings) -> np.ndarray:
    """Products that fail a store-level C4/C5 check (vectorised over all products)."""
    n = len(prob.sp)
    pcode = np.repeat(np.arange(prob.n_products), np.diff(prob.starts))
    out_cap = np.bincount(prob.t_src, weights=prob.t_cap, minlength=n)
    can_leave = np.minimum(np.maximum(0.0, prob.cur - prob.ss), out_cap)
    bad_row = (prob.cur - prob.dem - can_leave > prob.cap + 1e-9) | (prob.cap < 0)
    bad = np.zeros(prob.n_products, dtype=bool)
    bad[pcode[bad_row]] = True
    if settings.allow_production:
        bad |= prob.maxprod < 0
    return np.flatnonzero(bad)


# ---------------------------------------------------------------------------------------------
# Plan assembly
# ---------------------------------------------------------------------------------------------


def assemble_plan(prob: Problem, sol: Solution, settings: SolverSettings) -> AllocationPlan:
    """Plan tables from the values of the optimal products (others: status rows only)."""
    P = prob.n_products
    ok_p = sol.status == "optimal"
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
    overall = "optimal" if ok_p.all() else ("partial" if ok_p.any() else "failed")
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
) -> AllocationPlan:
    """Solve 003's LP product by product (exact), verify it, return the plan.

    A product that is infeasible, unbounded or not solved is named in product_status with the
    constraint that binds; the other products are still solved and the plan is 'partial'. The
    plan is checked by `verify_plan` (C1-C6, lane capacity, service limit, costs) before it is
    returned; any violation marks it 'failed' and lists the violations.
    """
    t = time.perf_counter()
    prob = build_problem(store_products, products, lanes, settings)
    t_prep = time.perf_counter() - t
    sol = solve_problem(prob, settings, progress)
    t = time.perf_counter()
    plan = assemble_plan(prob, sol, settings)
    t_asm = time.perf_counter() - t
    t = time.perf_counter()
    plan.violations = verify_plan(store_products, products, lanes, plan, settings.verify_tol)
    plan.violations += check_solver_objectives(plan, prob, sol, settings.verify_tol)
    t_ver = time.perf_counter() - t
    if plan.violations:
        plan.status = "failed"
    plan.timings = {
        "prepare": t_prep,
        **sol.timings,
        "assemble": t_asm,
        "verify": t_ver,
        "solver_calls": float(sol.calls),
    }
    return plan
