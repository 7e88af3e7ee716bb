"""Why a product is not optimal: the constraint that binds, named with its numbers.

Store-level conflicts (C4, C5 against C2 and the lanes) are found without solving; a conflict
spread over the network is found with an elastic model (C5 relaxed by an excess column of cost
1) whose least excess names the stores. Unboundedness is traced to a negative cost on a
variable with no upper bound.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from python_assets.optimization.backends import solve_block
from python_assets.optimization.constraints import transferable_stock
from python_assets.optimization.model import Problem, build_block
from python_assets.optimization.problem import SolverSettings

_MAX_LISTED = 5


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
    can_leave = np.minimum(transferable_stock(prob.cur[r0:r1], prob.ss[r0:r1]), out_cap)
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
        if why := _only_whole(prob, k, settings):
            return "infeasible", f"product {pid!r} infeasible only {why}"
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


def _only_whole(prob: Problem, k: int, settings: SolverSettings) -> str:
    """When the MILP of product k is infeasible but its LP relaxation is not: what makes it so
    (whole packs, the minimum transfer), else ''."""
    if not (settings.integer or settings.min_transfer_units > 0):
        return ""
    relaxed = replace(settings, integer=False, min_transfer_units=0.0)
    if solve_block(build_block(prob, k, k + 1, relaxed), relaxed).status != "optimal":
        return ""
    rules = []
    if settings.integer:
        rules.append(f"in whole packs of {_fmt(prob.pack[k])} units")
    if settings.min_transfer_units > 0:
        rules.append(f"with transfers of at least {_fmt(settings.min_transfer_units)} units")
    return (
        " and ".join(rules)
        + ": the fractional plan exists (typically a store must send part of a pack to keep within "
        "C5, or its surplus above safety stock is below the minimum; solve it fractional, or "
        "change pack_size / min_transfer_units)"
    )


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


def cheap_suspects(prob: Problem, settings: SolverSettings) -> np.ndarray:
    """Products that fail a store-level C4/C5 check (vectorised over all products)."""
    n = len(prob.sp)
    pcode = np.repeat(np.arange(prob.n_products), np.diff(prob.starts))
    out_cap = np.bincount(prob.t_src, weights=prob.t_cap, minlength=n)
    can_leave = np.minimum(transferable_stock(prob.cur, prob.ss), out_cap)
    bad_row = (prob.cur - prob.dem - can_leave > prob.cap + 1e-9) | (prob.cap < 0)
    bad = np.zeros(prob.n_products, dtype=bool)
    bad[pcode[bad_row]] = True
    if settings.allow_production:
        bad |= prob.maxprod < 0
    return np.flatnonzero(bad)
