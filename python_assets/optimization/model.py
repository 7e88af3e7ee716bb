"""The allocation LP as arrays: the normalised inputs of every product (`Problem`), and the
constraint matrix of a block of products in CSR form (`Block`, no per-cell Python loop).

The model is the one written out in reference.py, per product. Columns of a block: transfers,
manufacture, allocate, stockout, ending_inv. Rows: C1 (one equality per store x product), C2 (one
per store x product with a lane out, from `constraints.transfer_rows`, shared with the reference
model, the verifier and the diagnosis), C3 (one equality per product). C4, C5 and lane capacity
are column upper bounds, C6 the zero lower bounds; the service limit has filtered the lanes. See
docs/methodology.md, section Allocation LP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from python_assets.optimization.constraints import transfer_rows
from python_assets.optimization.problem import SolverSettings, normalise_inputs

INF = float("inf")


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
    pack: np.ndarray
    t_src: np.ndarray
    t_dst: np.ndarray
    t_lane: np.ndarray
    t_starts: np.ndarray
    t_cost: np.ndarray
    t_cap: np.ndarray

    @property
    def n_products(self) -> int:
        return len(self.product_ids)


def build_problem(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame,
    settings: SolverSettings = SolverSettings(),
) -> Problem:
    sp, prods, ln = normalise_inputs(store_products, products, lanes, settings.max_lead_time_days)
    # ids as integer codes, without a Python object per row (pandas' Arrow strings)
    pcode, product_ids = pd.factorize(sp["product_id"], sort=True)
    product_ids = np.asarray(product_ids, dtype=object)
    starts = np.searchsorted(pcode, np.arange(len(product_ids) + 1))
    stores = pd.concat([sp["store_id"], ln["from_store"], ln["to_store"]], ignore_index=True)
    store_codes, store_ids = pd.factorize(stores)
    scode = store_codes[: len(sp)]
    n_st = len(store_ids)
    parts_s, parts_d, parts_l = [], [], []
    if settings.allow_transfers and len(ln):
        fc = store_codes[len(sp) : len(sp) + len(ln)]
        tc = store_codes[len(sp) + len(ln) :]
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
        pack=pindex["pack_size"].reindex(product_ids).to_numpy(np.float64),
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
    C2 (stores with lanes out), C3 (P). Matrix in CSR.

    In the MILP a transfer or allocate column counts packs: its units are the column's value x
    t_scale / a_scale (the product's pack size; 1 in the LP). semi: transfer columns that are 0
    or at least their lower bound (the minimum transfer)."""

    k0: int
    k1: int
    n_t: int
    n_p: int
    n: int
    cost: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    integer: np.ndarray
    semi: np.ndarray
    t_scale: np.ndarray
    a_scale: np.ndarray
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
    sl = slice(r0, r1)
    # units per column: a pack in the MILP, a unit in the LP
    pack = prob.pack[k0:k1] if settings.integer else np.ones(n_p)
    a_scale, t_scale = pack[prod_local], pack[prod_local[src]]
    c2 = transfer_rows(src, prob.cur[sl], prob.ss[sl])
    n_c2 = len(c2.stores)
    c3 = n + n_c2
    rows = [
        rows_n,
        rows_n,
        rows_n,
        src,
        dst,
        n + c2.row_of_transfer,
        c3 + prod_local,
        c3 + np.arange(n_p),
    ]
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
        -a_scale,
        t_scale,
        -t_scale,
        t_scale,
        a_scale,
        -np.ones(n_p),
    ]
    produce = settings.allow_production
    cost = np.concatenate(
        [
            prob.t_cost[t0:t1] * t_scale,
            prob.mcost[k0:k1],
            prob.dist[sl] * a_scale,
            prob.pen[sl],
            prob.hold[sl],
        ]
    )
    t_ub = prob.t_cap[t0:t1] / t_scale
    lb = np.zeros(len(cost))
    semi = np.zeros(len(cost), dtype=bool)
    if settings.min_transfer_units > 0 and n_t:
        # 0 or at least the minimum; a semi-continuous column needs a finite upper bound: what
        # the sending store holds (C2 lets less leave)
        t_ub = np.minimum(t_ub, np.maximum(prob.cur[sl][src], 0.0) / t_scale)
        lb[:n_t] = settings.min_transfer_units / t_scale
        semi[:n_t] = True
    if settings.integer:
        t_ub = np.floor(t_ub + 1e-9)
        lb[:n_t] = np.ceil(lb[:n_t] - 1e-9)
    # a lane whose sender holds less than the minimum carries nothing (HiGHS needs lb <= ub)
    short = lb[:n_t] > t_ub
    t_ub[short] = 0.0
    lb[:n_t][short] = 0.0
    ub = np.concatenate(
        [
            t_ub,
            prob.maxprod[k0:k1] if produce else np.zeros(n_p),
            np.full(n, INF) if produce else np.zeros(n),
            np.full(n, INF),
            prob.cap[sl],
        ]
    )
    integer = np.zeros(len(cost), dtype=bool)
    if settings.integer:  # transfers and allocations; manufacture is their sum (C3)
        integer[:cm] = True
        integer[ca : ca + n] = True
    if elastic:
        rows.append(rows_n)
        cols.append(ce + n + rows_n)
        vals.append(np.ones(n))
        cost = np.concatenate([np.zeros(len(cost)), np.ones(n)])
        ub = np.concatenate([ub, np.full(n, INF)])
        ub = np.maximum(ub, 0.0)  # negative capacities are reported by the input checks
        integer = np.concatenate([integer, np.zeros(n, dtype=bool)])
        lb = np.concatenate([lb, np.zeros(n)])
        semi = np.concatenate([semi, np.zeros(n, dtype=bool)])
    n_rows = c3 + n_p
    mat = sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, len(cost)),
    )
    net = prob.cur[sl] - prob.dem[sl]
    row_lb = np.concatenate([net, np.full(n_c2, -INF), np.zeros(n_p)])
    row_ub = np.concatenate([net, c2.rhs, np.zeros(n_p)])
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
        semi=semi,
        t_scale=t_scale,
        a_scale=a_scale,
        row_lb=row_lb,
        row_ub=row_ub,
        indptr=mat.indptr,
        indices=mat.indices,
        data=mat.data,
    )
