"""Solving one block of the allocation LP: the same arrays passed straight to HiGHS
(`Highs.passModel`, the shipped path) or built as a PuLP model (one variable per column, one
`LpAffineExpression` per row) and solved by HiGHS or CBC; the solver's status mapped to
optimal / infeasible / unbounded / unbounded_or_infeasible / not_solved.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import pulp

from python_assets.optimization.model import INF, Block
from python_assets.optimization.problem import COLD_SIMPLEX, SolverSettings

# an LP's simplex basis: the status of each column and each row, HiGHS's codes
Basis = tuple[np.ndarray, np.ndarray]


@dataclass
class SolveResult:
    status: str  # optimal | infeasible | unbounded | unbounded_or_infeasible | not_solved
    x: np.ndarray | None
    objective: float
    build_s: float = 0.0
    solve_s: float = 0.0
    detail: str = ""
    # the optimal basis of an LP solved by highspy, and its simplex iterations
    basis: Basis | None = None
    iterations: int = 0


def _presolve(settings: SolverSettings) -> bool:
    """HiGHS presolve: off for the LP (faster on these transportation-like blocks, see
    benchmarks/RESULTS.md), on for the MILP, unless set."""
    return settings.integer if settings.presolve is None else settings.presolve


def pulp_solver(settings: SolverSettings):
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
    lp.solve(pulp_solver(settings))
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


def _solve_highspy(
    block: Block, settings: SolverSettings, basis: Basis | None = None
) -> SolveResult:
    """Solve the block with HiGHS through its array interface; an LP starts from `basis` when
    given (a basis of the same block with other numbers: see solve_problem) and returns its
    optimal basis when settings.keep_bases asks for it."""
    import highspy

    t = time.perf_counter()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    if settings.time_limit_s is not None:
        h.setOptionValue("time_limit", float(settings.time_limit_s))
    if settings.threads is not None:
        h.setOptionValue("threads", int(settings.threads))
    if settings.integer or block.semi.any():
        h.setOptionValue("mip_rel_gap", float(settings.mip_rel_gap))
    h.setOptionValue("presolve", "on" if _presolve(settings) else "off")
    kind = highspy.HighsVarType
    integrality = np.zeros(block.n_cols, np.int32)
    if settings.integer:
        integrality[block.integer] = int(kind.kInteger)
    semi = kind.kSemiInteger if settings.integer else kind.kSemiContinuous
    integrality[block.semi] = int(semi)
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
    lp = not (settings.integer or block.semi.any())
    if lp and basis is None:
        h.setOptionValue("simplex_strategy", COLD_SIMPLEX[settings.cold_simplex])
    if lp and basis is not None:
        # status objects by code, looked up rather than constructed (an order of magnitude faster)
        by_code = sorted(highspy.HighsBasisStatus.__members__.values(), key=int)
        start = highspy.HighsBasis()
        start.col_status = [by_code[v] for v in basis[0].tolist()]
        start.row_status = [by_code[v] for v in basis[1].tolist()]
        start.valid = True
        h.setBasis(start)
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
    final = None
    if lp and x is not None and settings.keep_bases:
        optimal = h.getBasis()
        final = (
            np.array([v.value for v in optimal.col_status], dtype=np.int8),
            np.array([v.value for v in optimal.row_status], dtype=np.int8),
        )
    return SolveResult(
        status,
        x,
        obj,
        build_s=built - t,
        solve_s=solved - built,
        detail=h.modelStatusToString(ms),
        basis=final,
        iterations=int(h.getInfo().simplex_iteration_count),
    )


def solve_block(block: Block, settings: SolverSettings, basis: Basis | None = None) -> SolveResult:
    """Solve one block; `basis` (highspy LP only) is where the simplex starts."""
    if settings.resolved_backend == "highspy":
        return _solve_highspy(block, settings, basis)
    return _solve_pulp(block, settings)
