"""One check per constraint family of the allocation LP, on a plan's tables.

C1 inventory balance, C2 transfer only of stock above safety stock, C3 allocation =
production, C4 production capacity, C5 storage capacity, C6 non-negativity, lane capacity and
the service limit; plus the candidate lanes, the stated flows and whole units. Each function
returns its violations as sentences; `checks.verify_plan` runs them all. The rules themselves
come from constraints.py, as in the model. See docs/methodology.md, section Allocation LP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from python_assets.optimization.constraints import net_position, transferable_stock
from python_assets.optimization.problem import AllocationPlan, SolverSettings

KEY = ["store_id", "product_id"]


def row_positions(reference: pd.DataFrame, keys: pd.DataFrame) -> np.ndarray:
    """Row position in `reference` of every row of `keys` (same columns), -1 when absent."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(reference) == 0:
        return np.full(len(keys), -1, dtype=np.int64)
    index = pd.MultiIndex.from_frame(reference)
    return np.asarray(index.get_indexer(pd.MultiIndex.from_frame(keys)), dtype=np.int64)


def tolerance_scale(values: np.ndarray) -> np.ndarray:
    """Tolerance scale: absolute for small numbers, relative for large ones."""
    return np.maximum(1.0, values)


@dataclass
class StoreRows:
    """The plan's store x product rows aligned to the inputs, with the transfer flows.

    rows: the plan's rows that match an input row; ref: those input rows, aligned;
    inflow / outflow: units transferred in / out of each, summed from the plan's transfers.
    """

    rows: pd.DataFrame
    ref: pd.DataFrame
    inflow: np.ndarray
    outflow: np.ndarray

    def report(self, mask: np.ndarray, label: str, lhs, rhs, op: str) -> list[str]:
        """One sentence for the rows in `mask`: how many, and the first as an example."""
        if not mask.any():
            return []
        i = int(np.flatnonzero(mask)[0])
        return [
            f"{label}: {int(mask.sum())} violations, e.g. store {self.ref['store_id'].iloc[i]!r} x "
            f"product {self.ref['product_id'].iloc[i]!r}: {lhs[i]:.9g} {op} {rhs[i]:.9g}"
        ]

    def column(self, name: str) -> np.ndarray:
        return self.rows[name].to_numpy(np.float64)


# ---------------------------------------------------------------------------------------------
# Transfers: candidate lanes, lane capacity, service limit, ends that stock the product
# ---------------------------------------------------------------------------------------------


def transfer_lanes(ln: pd.DataFrame, tr: pd.DataFrame) -> np.ndarray:
    """Row in the candidate lanes of every transfer, -1 when it is on no candidate lane."""
    return row_positions(ln[["from_store", "to_store"]], tr[["from_store", "to_store"]])


def check_lanes(ln: pd.DataFrame, tr: pd.DataFrame, lane_pos: np.ndarray) -> list[str]:
    """Transfers only on candidate lanes, never from a store to itself."""
    out = []
    if (tr["from_store"] == tr["to_store"]).any():
        out.append("transfers: a store ships to itself")
    off = lane_pos < 0
    if off.any():
        r = tr.loc[off].iloc[0]
        out.append(
            f"transfers: {int(off.sum())} on lanes outside the candidate set "
            f"(e.g. {r['from_store']!r} -> {r['to_store']!r}, product {r['product_id']!r})"
        )
    return out


def _on_lanes(ln: pd.DataFrame, lane_pos: np.ndarray, column: str) -> tuple[np.ndarray, np.ndarray]:
    """(positions of the transfers on candidate lanes, their lanes' `column`)."""
    on = np.flatnonzero(lane_pos >= 0)
    return on, ln[column].to_numpy(np.float64)[lane_pos[on]]


def _first_lane(tr: pd.DataFrame, on: np.ndarray, bad: np.ndarray) -> tuple[int, str]:
    """(position among `on` of the first bad transfer, its lane 'from -> to' for a sentence);
    (-1, '') when none is bad."""
    first = np.flatnonzero(bad)
    if not len(first):
        return -1, ""
    r = tr.iloc[on[first[0]]]
    return int(first[0]), f"{r['from_store']!r} -> {r['to_store']!r}"


def check_lane_capacity(
    ln: pd.DataFrame, tr: pd.DataFrame, lane_pos: np.ndarray, tol: float
) -> list[str]:
    """transfer[i, j, p] <= capacity_units[i, j] (per lane and product)."""
    on, cap = _on_lanes(ln, lane_pos, "capacity_units")
    units = tr["units"].to_numpy(np.float64)[on]
    i, lane = _first_lane(
        tr, on, units > cap + tol * tolerance_scale(np.where(np.isfinite(cap), cap, 0))
    )
    if i < 0:
        return []
    product = tr["product_id"].iloc[on[i]]
    return [f"lane capacity: {lane} product {product!r}: {units[i]:.6g} > {cap[i]:.6g}"]


def check_service_limit(
    ln: pd.DataFrame, tr: pd.DataFrame, lane_pos: np.ndarray, max_lead_time: float | None, tol
) -> list[str]:
    """No transfer on a lane whose lead time exceeds the plan's max_lead_time_days."""
    if max_lead_time is None:
        return []
    on, lead = _on_lanes(ln, lane_pos, "lead_time_days")
    i, lane = _first_lane(tr, on, lead > max_lead_time + tol)
    if i < 0:
        return []
    return [f"service limit: lane {lane} lead time {lead[i]:.4g} d > max {max_lead_time:.4g} d"]


def check_transfer_sizes(
    tr: pd.DataFrame, prods: pd.DataFrame, settings: SolverSettings | None, tol: float
) -> list[str]:
    """No lane carries a product both ways; in a MILP every transfer is whole packs; every
    transfer is at least min_transfer_units."""
    out = []
    moved = tr.loc[tr["units"] > tol, ["from_store", "to_store", "product_id"]]
    back = moved.merge(
        moved.rename(columns={"from_store": "to_store", "to_store": "from_store"}),
        on=["from_store", "to_store", "product_id"],
    )
    if len(back):
        r = back.iloc[0]
        out.append(
            f"transfers both ways: {len(back) // 2} lane x product pairs, e.g. product "
            f"{r['product_id']!r} between {r['from_store']!r} and {r['to_store']!r}"
        )
    if settings is None:
        return out
    units = tr["units"].to_numpy(np.float64)
    if settings.integer:
        pack = prods.set_index("product_id")["pack_size"].reindex(tr["product_id"]).to_numpy()
        packs = units / pack
        bad = np.flatnonzero(np.abs(packs - np.round(packs)) > tol)
        if len(bad):
            r = tr.iloc[bad[0]]
            out.append(
                f"integer plan: {len(bad)} transfers not in whole packs, e.g. "
                f"{r['from_store']!r} -> {r['to_store']!r} product {r['product_id']!r}: "
                f"{units[bad[0]]:.6g} units, pack {pack[bad[0]]:.6g}"
            )
    small = np.flatnonzero((units > tol) & (units < settings.min_transfer_units - tol))
    if len(small):
        r = tr.iloc[small[0]]
        out.append(
            f"minimum transfer: {len(small)} transfers below {settings.min_transfer_units:.6g} "
            f"units, e.g. {r['from_store']!r} -> {r['to_store']!r} product "
            f"{r['product_id']!r}: {units[small[0]]:.6g}"
        )
    return out


def check_transfer_prices(
    ln: pd.DataFrame, tr: pd.DataFrame, lane_pos: np.ndarray, tol: float
) -> list[str]:
    """A transfer's cost is its units x its lane's cost_per_unit."""
    if "cost" not in tr.columns:
        return []
    on, cost_per_unit = _on_lanes(ln, lane_pos, "cost_per_unit")
    price = tr["units"].to_numpy(np.float64)[on] * cost_per_unit
    stated = tr["cost"].to_numpy(np.float64)[on]
    wrong = np.abs(stated - price) > tol * tolerance_scale(np.abs(price))
    if wrong.any():
        return [f"transfers: {int(wrong.sum())} rows whose cost != units x lane cost"]
    return []


def transfer_flows(
    sp: pd.DataFrame,
    tr: pd.DataFrame,
    solved: set,
    settings: SolverSettings | None,
    tol: float,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(units in, units out per input row, violations): both ends stock the product, only
    solved products move, C6 for transfers, no transfers when they are switched off."""
    n_sp = len(sp)
    if len(tr) == 0:
        return np.zeros(n_sp), np.zeros(n_sp), []
    out = []
    units = tr["units"].to_numpy(np.float64)
    neg = units < -tol
    if neg.any():
        out.append(f"C6: {int(neg.sum())} negative transfers (min {units.min():.6g})")
    ends = {}
    for end in ("from_store", "to_store"):
        pairs = tr[[end, "product_id"]].rename(columns={end: "store_id"})
        ends[end] = row_positions(sp[KEY], pairs)
        unknown = ends[end] < 0
        if unknown.any():
            r = pairs.loc[unknown].iloc[0]
            out.append(
                f"transfers: store {r['store_id']!r} does not stock product {r['product_id']!r}"
            )
    if (~tr["product_id"].isin(solved)).any():
        out.append("transfers: rows for a product that is not optimal")
    if settings is not None and not settings.allow_transfers and (units > tol).any():
        out.append("transfers present although allow_transfers is False")
    ok_to, ok_from = ends["to_store"] >= 0, ends["from_store"] >= 0
    inflow = np.bincount(ends["to_store"][ok_to], weights=units[ok_to], minlength=n_sp)
    outflow = np.bincount(ends["from_store"][ok_from], weights=units[ok_from], minlength=n_sp)
    return inflow, outflow, out


# ---------------------------------------------------------------------------------------------
# Store x product rows: C1, C2, C5, C6, flows, whole units
# ---------------------------------------------------------------------------------------------


def check_inventory_balance(s: StoreRows, tol: float) -> list[str]:
    """C1: ending_inv = current_inv + transfer_in - transfer_out + allocate - demand + stockout."""
    cur = s.ref["current_inv"].to_numpy()
    dem = s.ref["demand"].to_numpy()
    end = s.column("ending_inv")
    balance = net_position(cur, s.inflow, s.outflow, s.column("allocate_units"), dem) + s.column(
        "stockout_units"
    )
    scale = np.maximum.reduce([np.ones(len(cur)), np.abs(cur), np.abs(dem), s.inflow, s.outflow])
    return s.report(np.abs(end - balance) > tol * scale, "C1 inventory balance", end, balance, "!=")


def check_transferable_stock(s: StoreRows, tol: float) -> list[str]:
    """C2: units sent away <= max(0, current_inv - safety_stock)."""
    limit = transferable_stock(s.ref["current_inv"], s.ref["safety_stock"])
    return s.report(
        s.outflow > limit + tol * tolerance_scale(limit),
        "C2 transfer only of stock above safety stock (out vs max(0, current_inv - safety_stock))",
        s.outflow,
        limit,
        ">",
    )


def check_storage_capacity(s: StoreRows, tol: float) -> list[str]:
    """C5: ending_inv <= max_capacity (inf = unlimited)."""
    cap = s.ref["max_capacity"].to_numpy()
    end = s.column("ending_inv")
    finite = np.abs(np.where(np.isfinite(cap), cap, 0))
    return s.report(end > cap + tol * tolerance_scale(finite), "C5 storage capacity", end, cap, ">")


def check_non_negativity(s: StoreRows, tol: float) -> list[str]:
    """C6 for the store x product variables (transfers and manufacture: where they are read)."""
    out = []
    for name in ("allocate_units", "stockout_units", "ending_inv"):
        v = s.column(name)
        out += s.report(v < -tol, f"C6 non-negativity of {name}", v, np.zeros(len(v)), "<")
    return out


def check_stated_flows(s: StoreRows, tol: float) -> list[str]:
    """transfer_in / transfer_out of the rows equal the sums of the plan's transfers."""
    out = []
    for name, v in (("transfer_in", s.inflow), ("transfer_out", s.outflow)):
        if name in s.rows.columns:
            stated = s.column(name)
            out += s.report(
                np.abs(stated - v) > tol * tolerance_scale(v),
                f"{name} inconsistent with the transfers",
                stated,
                v,
                "!=",
            )
    return out


def check_whole_units(s: StoreRows, prods: pd.DataFrame, tol: float) -> list[str]:
    """Integer plans allocate and transfer whole packs (pack_size units, 1 without packs)."""
    pack = prods.set_index("product_id")["pack_size"].reindex(s.ref["product_id"]).to_numpy()
    out = []
    for name, v in (("allocate_units", s.column("allocate_units")), ("transfer", s.inflow)):
        packs = v / pack
        whole = np.round(packs) * pack
        frac = np.abs(packs - np.round(packs)) > tol
        out += s.report(frac, f"integer plan: {name} not in whole packs", v, whole, "!=")
    return out


# ---------------------------------------------------------------------------------------------
# Production: C3, C4
# ---------------------------------------------------------------------------------------------


def production_rows(
    prods: pd.DataFrame, plan: AllocationPlan, solved: set
) -> tuple[pd.DataFrame, list[str]]:
    """The solved products with the plan's manufacture_units (0 where absent, reported)."""
    out = []
    prod = plan.production.reset_index(drop=True)
    if (~prod["product_id"].isin(solved)).any():
        out.append("production: rows for a product that is not optimal")
    pm = prods[prods["product_id"].isin(solved)].reset_index(drop=True)
    ppos = row_positions(prod[["product_id"]], pm[["product_id"]])
    if (ppos < 0).any():
        out.append(
            f"production: no manufacture_units for product {pm['product_id'][ppos < 0].iloc[0]!r}"
        )
    stated = prod["manufacture_units"].to_numpy(np.float64)
    man = np.where(ppos >= 0, stated[np.maximum(ppos, 0)], 0.0) if len(prod) else np.zeros(len(pm))
    return pm.assign(manufacture_units=man), out


def check_allocation_balance(pm: pd.DataFrame, s: StoreRows, tol: float) -> list[str]:
    """C3: sum over stores of allocate = manufacture, per product."""
    man = pm["manufacture_units"].to_numpy()
    row_prod = row_positions(pm[["product_id"]], s.ref[["product_id"]])
    known = row_prod >= 0
    allocated = (
        np.bincount(row_prod[known], s.column("allocate_units")[known], minlength=len(pm))
        if len(s.rows)
        else np.zeros(len(pm))
    )
    return [
        f"C3 allocation = production: product {pm['product_id'].iloc[i]!r}: "
        f"sum allocate {allocated[i]:.9g} != manufacture {man[i]:.9g}"
        for i in np.flatnonzero(np.abs(allocated - man) > tol * tolerance_scale(man))[:5]
    ]


def check_production_capacity(
    pm: pd.DataFrame, settings: SolverSettings | None, tol: float
) -> list[str]:
    """C4: manufacture <= max_production (0 when central supply is off); C6 for manufacture
    (whole packs follow from the allocations by C3)."""
    man = pm["manufacture_units"].to_numpy()
    maxp = pm["max_production"].to_numpy()
    out = [
        f"C4 production capacity: product {pm['product_id'].iloc[i]!r}: "
        f"manufacture {man[i]:.9g} > max_production {maxp[i]:.9g}"
        for i in np.flatnonzero(man > maxp + tol * tolerance_scale(np.abs(maxp)))[:5]
    ]
    out += [
        f"C6: product {pm['product_id'].iloc[i]!r}: negative manufacture {man[i]:.9g}"
        for i in np.flatnonzero(man < -tol)[:5]
    ]
    if settings is not None and not settings.allow_production and (man > tol).any():
        out.append("production present although allow_production is False")
    return out
