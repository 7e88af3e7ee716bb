"""Settings, plan container and input normalisation shared by the allocation LP modules."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

SOLVERS = ("highs", "cbc")
BACKENDS = ("auto", "pulp", "highspy")
# SolverSettings.cold_simplex -> HiGHS's simplex_strategy
COLD_SIMPLEX = {"dual": 1, "primal": 4}
PRODUCT_STATUSES = ("optimal", "rounded", "infeasible", "unbounded", "not_solved")
# products with a plan: solved to optimality, or (a MILP out of time) rounded down from the LP
SOLVED = ("optimal", "rounded")
PLAN_STATUSES = ("optimal", "partial", "failed", "baseline")

SP_REQUIRED = (
    "store_id",
    "product_id",
    "current_inv",
    "demand",
    "safety_stock",
    "max_capacity",
    "holding_cost",
    "stockout_penalty",
    "distribution_cost",
)
SP_FINITE = (
    "current_inv",
    "demand",
    "safety_stock",
    "holding_cost",
    "stockout_penalty",
    "distribution_cost",
)
PRODUCTS_REQUIRED = ("product_id", "manufacturing_cost", "max_production")
LANES_REQUIRED = ("from_store", "to_store", "cost_per_unit")
COST_COLUMNS = ("holding", "stockout", "transport", "manufacturing", "distribution", "total")


@dataclass(frozen=True)
class SolverSettings:
    """How the allocation LP is solved.

    solver: 'highs' (default) or 'cbc' (fallback, always through PuLP).
    backend: how the model reaches the solver. Both build the identical model from the same
        numpy arrays (one block of products at a time):
        'highspy' - arrays passed straight to HiGHS (`Highs.passModel`, the array overload);
        'pulp'    - a PuLP model (one variable per column, one LpAffineExpression per row)
                    solved through PuLP's HiGHS or CBC interface;
        'auto' (default) - 'highspy' for HiGHS (the fast path: PuLP's per-variable and
                    per-constraint Python objects cost more than the solve), 'pulp' for CBC.
    integer: transfer and allocate in whole units (MILP), in whole packs where products carry
        a pack_size (ignored by the fractional LP); manufacture is then whole by C3. stockout
        and ending_inv stay continuous: they are accounting slacks of C1 and demand may be
        fractional.
    min_transfer_units: a transfer moves nothing or at least this many units (whole packs in
        the MILP): semi-continuous variables, HiGHS only (0 = no minimum).
    time_limit_s: per solver call (None = no limit); a call that stops early marks its products
        'not_solved', except in the MILP, where such a product is planned by rounding its LP
        relaxation down to whole packs ('rounded', when that keeps C5).
    products_per_batch: products solved in one call. Products share no constraint, so a batch
        is block-diagonal and its optimum is every product's optimum (exact); a batch that is
        not optimal is bisected until the failing products are isolated and explained.
    batch_transfer_columns: a batch also closes before its transfer variables would pass this
        many (a product above it goes alone). HiGHS's time grows faster than a block's size, so
        where each product has many lanes (many stores carry it) one product per call is faster
        than 16, while products with few lanes gain from sharing a call (measured by
        `python -m benchmarks.bench_allocation --only batch`, see benchmarks/RESULTS.md).
    allow_transfers / allow_production: switch store-to-store transfers / central supply off
        (decentralised scenario, do-nothing baseline).
    max_lead_time_days: service limit; lanes with a longer lead time are not used.
    mip_rel_gap: relative optimality gap of the MILP (0 = proven optimal).
    threads: solver threads (None = solver default).
    presolve: HiGHS presolve (None: off for the LP - faster on these blocks, see
        benchmarks/RESULTS.md -, on for the MILP).
    verify_tol: tolerance of the C1-C6 check every plan passes before it is returned.
    processes: worker processes (1 = solve here). With more, the products are split into
        shards by a stable hash of product_id and the shards solved in parallel
        (optimization/parallel.py): the same optimum, product by product.
    parallel_min_store_products: smaller problems are solved here whatever `processes` says:
        their solves take about a second, less than starting the workers.
    keep_bases: keep each LP block's optimal basis in the plan (`bases`), for a later solve
        that starts from it (docs/methodology.md, "Warm starts"); reading a basis back costs
        a Python object per column and row, so only plans that serve as warm starts keep them.
    cold_simplex: HiGHS's simplex (array interface) for an LP block with no starting basis:
        'primal' (faster on FreshRetailNet-50K's blocks, see benchmarks/RESULTS.md) or 'dual'
        (HiGHS's default). A block started from a basis uses the dual simplex, which suits a
        basis whose demand or stock changed. Either finds the same optimum.
    """

    solver: str = "highs"
    backend: str = "auto"
    integer: bool = False
    min_transfer_units: float = 0.0
    time_limit_s: float | None = None
    products_per_batch: int = 16
    batch_transfer_columns: int = 20_000
    allow_transfers: bool = True
    allow_production: bool = True
    max_lead_time_days: float | None = None
    mip_rel_gap: float = 0.0
    threads: int | None = None
    presolve: bool | None = None
    verify_tol: float = 1e-6
    processes: int = 1
    parallel_min_store_products: int = 20_000
    keep_bases: bool = False
    cold_simplex: str = "primal"

    def __post_init__(self) -> None:
        if self.solver not in SOLVERS:
            raise ValueError(f"solver must be one of {SOLVERS}, got {self.solver!r}")
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {self.backend!r}")
        if self.backend == "highspy" and self.solver != "highs":
            raise ValueError("backend='highspy' needs solver='highs' (CBC runs through PuLP)")
        if self.cold_simplex not in COLD_SIMPLEX:
            raise ValueError(
                f"cold_simplex must be one of {tuple(COLD_SIMPLEX)}, got {self.cold_simplex!r}"
            )
        if self.products_per_batch < 1:
            raise ValueError("products_per_batch must be >= 1")
        if self.processes < 1:
            raise ValueError(f"processes must be >= 1, got {self.processes}")
        if self.batch_transfer_columns < 1:
            raise ValueError("batch_transfer_columns must be >= 1")
        if self.time_limit_s is not None and self.time_limit_s <= 0:
            raise ValueError("time_limit_s must be > 0 (or None)")
        if not self.min_transfer_units >= 0:
            raise ValueError("min_transfer_units must be >= 0")
        if self.min_transfer_units > 0 and self.resolved_backend != "highspy":
            raise ValueError(
                "min_transfer_units needs HiGHS through its array interface (solver='highs', "
                "backend='auto' or 'highspy'): PuLP has no semi-continuous variables"
            )

    @property
    def resolved_backend(self) -> str:
        if self.backend != "auto":
            return self.backend
        return "highspy" if self.solver == "highs" else "pulp"


@dataclass
class AllocationPlan:
    """A solved (or priced) allocation plan.

    transfers: from_store, to_store, product_id, units, distance_km, cost_per_unit, cost,
        lead_time_days (only units > 0).
    production: product_id, manufacture_units.
    store_products: store_id, product_id, current_inv, demand, safety_stock, max_capacity,
        allocate_units, stockout_units, ending_inv, transfer_in, transfer_out, fill_rate.
    product_status: product_id, status, objective, explanation, n_stores, n_lanes.
    cost_breakdown: level ('product' | 'total'), product_id, holding, stockout, transport,
        manufacturing, distribution, total.
    status: 'optimal' (every product optimal and verified), 'partial' (some products not
        optimal: named in product_status; the rest verified, rounded ones included), 'failed' (verification found a
        violation, or nothing solved), 'baseline' (a fixed plan priced, not optimised).
    Only products whose status is in SOLVED ('optimal', or 'rounded': a MILP out of time,
    rounded down from its LP relaxation) have rows in transfers/production/store_products.
    """

    transfers: pd.DataFrame
    production: pd.DataFrame
    store_products: pd.DataFrame
    product_status: pd.DataFrame
    cost_breakdown: pd.DataFrame
    status: str
    violations: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    settings: SolverSettings | None = None
    # the optimal simplex basis of each LP block (HiGHS), to warm-start a solve of the same
    # products with other numbers (solve.BlockKey: first and last product_id, columns, rows)
    bases: dict = field(default_factory=dict)

    @property
    def objective(self) -> float:
        """Total cost of the plan (sum over the products it contains)."""
        total = self.cost_breakdown.loc[self.cost_breakdown["level"] == "total", "total"]
        return float(total.iloc[0]) if len(total) else float("nan")

    @property
    def fill_rate(self) -> float:
        """Overall service level: share of demand met."""
        sp = self.store_products
        demand = float(sp["demand"].sum())
        return float(1.0 - sp["stockout_units"].sum() / demand) if demand > 0 else 1.0


def _need(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} needs columns {missing}")


def _as_float(frame: pd.DataFrame, name: str, columns, finite: bool) -> None:
    for col in columns:
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64)
        if finite:
            bad = ~np.isfinite(values)
            if bad.any():
                raise ValueError(
                    f"{name}.{col}: {int(bad.sum())} missing or infinite values "
                    f"(first at row {int(np.flatnonzero(bad)[0])})"
                )
        else:  # NaN = unlimited
            values = np.where(np.isnan(values), np.inf, values)
        frame[col] = values


def normalise_inputs(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame,
    max_lead_time_days: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Validated copies: store_products sorted by (product_id, store_id), float columns,
    max_capacity / max_production / capacity_units NaN -> inf (unlimited), self-lanes dropped,
    the service limit applied to lanes. Raises ValueError naming the problem."""
    _need(store_products, "store_products", SP_REQUIRED)
    _need(products, "products", PRODUCTS_REQUIRED)
    _need(lanes, "lanes", LANES_REQUIRED)
    sp = store_products.copy()
    _as_float(sp, "store_products", SP_FINITE, finite=True)
    _as_float(sp, "store_products", ("max_capacity",), finite=False)
    dup = sp.duplicated(["store_id", "product_id"])
    if dup.any():
        row = sp.loc[dup].iloc[0]
        raise ValueError(
            f"store_products: duplicate store {row['store_id']!r} x product {row['product_id']!r}"
        )
    sp = sp.sort_values(["product_id", "store_id"], kind="stable").reset_index(drop=True)

    prods = products.copy()
    if "pack_size" not in prods.columns:
        prods["pack_size"] = 1.0
    prods["pack_size"] = pd.to_numeric(prods["pack_size"], errors="coerce").fillna(1.0)
    bad_pack = ~(np.isfinite(prods["pack_size"]) & (prods["pack_size"] > 0))
    if bad_pack.any():
        row = prods.loc[bad_pack].iloc[0]
        raise ValueError(
            f"products.pack_size must be > 0: {int(bad_pack.sum())} products, e.g. "
            f"{row['product_id']!r} = {row['pack_size']}"
        )
    _as_float(prods, "products", ("manufacturing_cost",), finite=True)
    _as_float(prods, "products", ("max_production",), finite=False)
    if prods["product_id"].duplicated().any():
        raise ValueError(
            f"products: duplicate product_id {prods.loc[prods['product_id'].duplicated(), 'product_id'].iloc[0]!r}"
        )
    unknown = ~sp["product_id"].isin(prods["product_id"])
    if unknown.any():
        raise ValueError(
            f"products: no manufacturing cost / capacity for product "
            f"{sp.loc[unknown, 'product_id'].iloc[0]!r} ({int(sp.loc[unknown, 'product_id'].nunique())} products)"
        )
    # isin over the distinct ids: pandas' Arrow strings convert every value given to isin
    prods = prods[prods["product_id"].isin(sp["product_id"].unique())]
    prods = prods.sort_values("product_id", kind="stable").reset_index(drop=True)

    ln = lanes.copy()
    for col, default in (("distance_km", np.nan), ("lead_time_days", 0.0)):
        if col not in ln.columns:
            ln[col] = default
    if "capacity_units" not in ln.columns:
        ln["capacity_units"] = np.inf
    _as_float(ln, "lanes", ("cost_per_unit", "lead_time_days"), finite=True)
    _as_float(ln, "lanes", ("capacity_units",), finite=False)
    ln["distance_km"] = pd.to_numeric(ln["distance_km"], errors="coerce").astype(np.float64)
    if (ln["capacity_units"] < 0).any():
        raise ValueError("lanes.capacity_units must be >= 0 (NaN or inf = unlimited)")
    ln = ln[ln["from_store"] != ln["to_store"]]
    if ln.duplicated(["from_store", "to_store"]).any():
        row = ln.loc[ln.duplicated(["from_store", "to_store"])].iloc[0]
        raise ValueError(f"lanes: duplicate lane {row['from_store']!r} -> {row['to_store']!r}")
    if max_lead_time_days is not None:
        ln = ln[ln["lead_time_days"] <= max_lead_time_days]
    return sp, prods, ln.reset_index(drop=True)
