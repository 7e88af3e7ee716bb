"""Cost model and verification of allocation plans (C1-C6, lane capacity, service limit).

Everything here recomputes from the inputs and the plan's own tables; nothing trusts the
solver. The cost model is 003's objective:

    holding_cost x ending_inv + stockout_penalty x stockout + cost_per_unit x transfer
    + manufacturing_cost x manufacture + distribution_cost x allocate
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from python_assets.optimization.problem import (
    COST_COLUMNS,
    PRODUCT_STATUSES,
    AllocationPlan,
    normalise_inputs,
)


def _nullable_ids(values: pd.Series | np.ndarray) -> pd.Series:
    s = pd.Series(values)
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.astype("Int64")
    return s


def cost_breakdown_frame(
    product_ids: np.ndarray,
    holding: np.ndarray,
    stockout: np.ndarray,
    transport: np.ndarray,
    manufacturing: np.ndarray,
    distribution: np.ndarray,
) -> pd.DataFrame:
    """Per-product rows (level 'product') and one 'total' row (product_id missing)."""
    parts = np.column_stack([holding, stockout, transport, manufacturing, distribution])
    total = parts.sum(axis=1)
    per = pd.DataFrame(
        {
            "level": "product",
            "product_id": _nullable_ids(np.asarray(product_ids)),
            **{c: parts[:, i] for i, c in enumerate(COST_COLUMNS[:-1])},
            "total": total,
        }
    )
    tot = pd.DataFrame(
        {
            "level": ["total"],
            "product_id": pd.Series([pd.NA], dtype=per["product_id"].dtype),
            **{c: [float(parts[:, i].sum())] for i, c in enumerate(COST_COLUMNS[:-1])},
            "total": [float(total.sum())],
        }
    )
    return pd.concat([per, tot], ignore_index=True)


def breakdown_from_tables(
    sp_rows: pd.DataFrame,
    transfers: pd.DataFrame,
    production: pd.DataFrame,
    products: pd.DataFrame,
) -> pd.DataFrame:
    """Cost breakdown of plan tables.

    sp_rows: product_id, holding_cost, stockout_penalty, distribution_cost, ending_inv,
    stockout_units, allocate_units; transfers: product_id, cost; production: product_id,
    manufacture_units; products: product_id, manufacturing_cost.
    """
    pids = np.sort(sp_rows["product_id"].unique())
    index = pd.Index(pids)

    def per_product(frame: pd.DataFrame, values: np.ndarray) -> np.ndarray:
        if len(frame) == 0:
            return np.zeros(len(pids))
        code = index.get_indexer(frame["product_id"])
        if (code < 0).any():
            raise ValueError("plan has rows for products without store x product rows")
        return np.bincount(code, weights=values, minlength=len(pids))

    mcost = products.set_index("product_id")["manufacturing_cost"]
    man_cost = (
        production["manufacture_units"].to_numpy(np.float64)
        * mcost.reindex(production["product_id"]).to_numpy(np.float64)
        if len(production)
        else np.zeros(0)
    )
    return cost_breakdown_frame(
        pids,
        per_product(sp_rows, (sp_rows["holding_cost"] * sp_rows["ending_inv"]).to_numpy()),
        per_product(sp_rows, (sp_rows["stockout_penalty"] * sp_rows["stockout_units"]).to_numpy()),
        per_product(transfers, transfers["cost"].to_numpy(np.float64))
        if len(transfers)
        else np.zeros(len(pids)),
        per_product(production, man_cost),
        per_product(sp_rows, (sp_rows["distribution_cost"] * sp_rows["allocate_units"]).to_numpy()),
    )


def _positions(reference: pd.DataFrame, keys: pd.DataFrame) -> np.ndarray:
    """Row position in `reference` of every row of `keys` (same columns), -1 when absent."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(reference) == 0:
        return np.full(len(keys), -1, dtype=np.int64)
    index = pd.MultiIndex.from_frame(reference)
    return np.asarray(index.get_indexer(pd.MultiIndex.from_frame(keys)), dtype=np.int64)


def verify_plan(
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame,
    plan: AllocationPlan,
    tol: float = 1e-6,
) -> list[str]:
    """Every violated rule of the plan, as sentences; empty list = valid.

    Checked against the inputs: C1 inventory balance, C2 transfers only of stock above safety
    stock, C3 allocations = production, C4 production capacity, C5 storage capacity, C6
    non-negativity; transfers only on candidate lanes (service limit: lead time <= the plan's
    max_lead_time_days), within lane capacity, between stores that stock the product; whole
    units when the plan is integer; transfer_in/out and the cost breakdown consistent with the
    plan's rows; every product reported once, rows only for optimal products.
    Tolerances: tol x max(1, magnitude of the terms) (absolute for small numbers, relative for
    large ones).
    """
    settings = plan.settings
    max_lt = settings.max_lead_time_days if settings is not None else None
    sp, prods, ln = normalise_inputs(store_products, products, lanes)
    out: list[str] = []
    key = ["store_id", "product_id"]

    # products reported
    ps = plan.product_status
    if ps["product_id"].duplicated().any():
        out.append("product_status: a product is reported more than once")
    missing = set(sp["product_id"].unique()) - set(ps["product_id"])
    if missing:
        out.append(f"product_status: products not reported: {sorted(missing)[:5]}")
    bad_status = ~ps["status"].isin((*PRODUCT_STATUSES, "baseline"))
    if bad_status.any():
        out.append(f"product_status: unknown status {ps.loc[bad_status, 'status'].iloc[0]!r}")
    solved = set(ps.loc[ps["status"].isin(("optimal", "baseline")), "product_id"])
    if plan.status == "optimal" and len(solved) != len(set(sp["product_id"])):
        out.append("plan status is 'optimal' but not every product is optimal")

    # store x product rows: exactly the solved products' pairs, aligned to the inputs
    rows = plan.store_products.reset_index(drop=True)
    if rows.duplicated(key).any():
        out.append("store_products: duplicate store x product rows")
    not_solved_rows = ~rows["product_id"].isin(solved)
    if not_solved_rows.any():
        out.append(
            f"store_products: rows for product {rows.loc[not_solved_rows, 'product_id'].iloc[0]!r}"
            " which is not optimal"
        )
    pos = _positions(sp[key], rows[key])  # input row of every plan row
    if (pos < 0).any():
        r = rows.loc[pos < 0].iloc[0]
        out.append(
            f"store {r['store_id']!r} x product {r['product_id']!r} is unknown to the inputs, "
            "in the plan's rows"
        )
    expected = np.flatnonzero(sp["product_id"].isin(solved).to_numpy())
    absent = np.setdiff1d(expected, pos[pos >= 0])
    if len(absent):
        r = sp.iloc[absent[0]]
        out.append(
            f"store {r['store_id']!r} x product {r['product_id']!r} is missing from the plan's rows"
        )
    keep = pos >= 0
    rows = rows.loc[keep].reset_index(drop=True)
    ref = sp.iloc[pos[keep]].reset_index(drop=True)  # the inputs, aligned to the plan's rows
    n_sp = len(sp)

    # transfers
    tr = plan.transfers.reset_index(drop=True)
    inflow_sp = np.zeros(n_sp)
    outflow_sp = np.zeros(n_sp)
    lane_pos = np.zeros(0, dtype=np.int64)
    if len(tr):
        units = tr["units"].to_numpy(np.float64)
        neg = units < -tol
        if neg.any():
            out.append(f"C6: {int(neg.sum())} negative transfers (min {units.min():.6g})")
        if (tr["from_store"] == tr["to_store"]).any():
            out.append("transfers: a store ships to itself")
        lane_pos = _positions(ln[["from_store", "to_store"]], tr[["from_store", "to_store"]])
        off = lane_pos < 0
        if off.any():
            r = tr.loc[off].iloc[0]
            out.append(
                f"transfers: {int(off.sum())} on lanes outside the candidate set "
                f"(e.g. {r['from_store']!r} -> {r['to_store']!r}, product {r['product_id']!r})"
            )
        on = np.flatnonzero(~off)
        lp = lane_pos[on]
        cap = ln["capacity_units"].to_numpy(np.float64)[lp]
        over = units[on] > cap + tol * np.maximum(1.0, np.where(np.isfinite(cap), cap, 0.0))
        if over.any():
            r = tr.iloc[on[np.flatnonzero(over)[0]]]
            out.append(
                f"lane capacity: {r['from_store']!r} -> {r['to_store']!r} product "
                f"{r['product_id']!r}: {r['units']:.6g} > {cap[np.flatnonzero(over)[0]]:.6g}"
            )
        if max_lt is not None:
            lead = ln["lead_time_days"].to_numpy(np.float64)[lp]
            slow = lead > max_lt + tol
            if slow.any():
                r = tr.iloc[on[np.flatnonzero(slow)[0]]]
                out.append(
                    f"service limit: lane {r['from_store']!r} -> {r['to_store']!r} lead time "
                    f"{lead[np.flatnonzero(slow)[0]]:.4g} d > max {max_lt:.4g} d"
                )
        if "cost" in tr.columns:
            price = units[on] * ln["cost_per_unit"].to_numpy(np.float64)[lp]
            stated = tr["cost"].to_numpy(np.float64)[on]
            wrong = np.abs(stated - price) > tol * np.maximum(1.0, np.abs(price))
            if wrong.any():
                out.append(f"transfers: {int(wrong.sum())} rows whose cost != units x lane cost")
        ends = {}
        for end in ("from_store", "to_store"):
            pairs = tr[[end, "product_id"]].rename(columns={end: "store_id"})
            ends[end] = _positions(sp[key], pairs)
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
        inflow_sp = np.bincount(ends["to_store"][ok_to], weights=units[ok_to], minlength=n_sp)
        outflow_sp = np.bincount(
            ends["from_store"][ok_from], weights=units[ok_from], minlength=n_sp
        )
    inflow = inflow_sp[pos[keep]]
    outflow = outflow_sp[pos[keep]]

    def report(mask: np.ndarray, label: str, lhs: np.ndarray, rhs: np.ndarray, op: str) -> None:
        if mask.any():
            i = int(np.flatnonzero(mask)[0])
            out.append(
                f"{label}: {int(mask.sum())} violations, e.g. store {ref['store_id'].iloc[i]!r} x "
                f"product {ref['product_id'].iloc[i]!r}: {lhs[i]:.9g} {op} {rhs[i]:.9g}"
            )

    if len(rows):
        cur = ref["current_inv"].to_numpy()
        dem = ref["demand"].to_numpy()
        alloc = rows["allocate_units"].to_numpy(np.float64)
        so = rows["stockout_units"].to_numpy(np.float64)
        end = rows["ending_inv"].to_numpy(np.float64)
        rhs = cur + inflow - outflow + alloc - dem + so
        scale = np.maximum.reduce([np.ones(len(rows)), np.abs(cur), np.abs(dem), inflow, outflow])
        report(np.abs(end - rhs) > tol * scale, "C1 inventory balance", end, rhs, "!=")
        excess = np.maximum(0.0, cur - ref["safety_stock"].to_numpy())
        report(
            outflow > excess + tol * np.maximum(1.0, excess),
            "C2 transfer only of stock above safety stock (out vs max(0, current_inv - safety_stock))",
            outflow,
            excess,
            ">",
        )
        cap = ref["max_capacity"].to_numpy()
        report(
            end > cap + tol * np.maximum(1.0, np.abs(np.where(np.isfinite(cap), cap, 0))),
            "C5 storage capacity",
            end,
            cap,
            ">",
        )
        for name, v in (("allocate_units", alloc), ("stockout_units", so), ("ending_inv", end)):
            report(v < -tol, f"C6 non-negativity of {name}", v, np.zeros(len(rows)), "<")
        for name, v in (("transfer_in", inflow), ("transfer_out", outflow)):
            if name in rows.columns:
                stated = rows[name].to_numpy(np.float64)
                report(
                    np.abs(stated - v) > tol * np.maximum(1.0, v),
                    f"{name} inconsistent with the transfers",
                    stated,
                    v,
                    "!=",
                )
        if settings is not None and settings.integer:
            for name, v in (("allocate_units", alloc), ("transfer", inflow)):
                frac = np.abs(v - np.round(v)) > tol
                report(frac, f"integer plan: fractional {name}", v, np.round(v), "!=")

    # production: C3, C4
    prod = plan.production.reset_index(drop=True)
    if (~prod["product_id"].isin(solved)).any():
        out.append("production: rows for a product that is not optimal")
    pm = prods[prods["product_id"].isin(solved)].reset_index(drop=True)
    ppos = _positions(prod[["product_id"]], pm[["product_id"]])
    if (ppos < 0).any():
        out.append(
            f"production: no manufacture_units for product {pm['product_id'][ppos < 0].iloc[0]!r}"
        )
    man = (
        np.where(
            ppos >= 0, prod["manufacture_units"].to_numpy(np.float64)[np.maximum(ppos, 0)], 0.0
        )
        if len(prod)
        else np.zeros(len(pm))
    )
    pm = pm.assign(manufacture_units=man)
    row_prod = _positions(pm[["product_id"]], ref[["product_id"]])
    asum = (
        np.bincount(
            row_prod[row_prod >= 0],
            weights=rows["allocate_units"].to_numpy(np.float64)[row_prod >= 0],
            minlength=len(pm),
        )
        if len(rows)
        else np.zeros(len(pm))
    )
    for i in np.flatnonzero(np.abs(asum - man) > tol * np.maximum(1.0, man))[:5]:
        out.append(
            f"C3 allocation = production: product {pm['product_id'].iloc[i]!r}: "
            f"sum allocate {asum[i]:.9g} != manufacture {man[i]:.9g}"
        )
    maxp = pm["max_production"].to_numpy()
    for i in np.flatnonzero(man > maxp + tol * np.maximum(1.0, np.abs(maxp)))[:5]:
        out.append(
            f"C4 production capacity: product {pm['product_id'].iloc[i]!r}: "
            f"manufacture {man[i]:.9g} > max_production {maxp[i]:.9g}"
        )
    for i in np.flatnonzero(man < -tol)[:5]:
        out.append(f"C6: product {pm['product_id'].iloc[i]!r}: negative manufacture {man[i]:.9g}")
    if settings is not None and not settings.allow_production and (man > tol).any():
        out.append("production present although allow_production is False")
    if settings is not None and settings.integer:
        frac = np.abs(man - np.round(man)) > tol
        if frac.any():
            out.append("integer plan: fractional manufacture_units")

    # costs: recomputed from the plan's rows at the inputs' prices
    if len(rows):
        priced_rows = rows.assign(
            holding_cost=ref["holding_cost"].to_numpy(),
            stockout_penalty=ref["stockout_penalty"].to_numpy(),
            distribution_cost=ref["distribution_cost"].to_numpy(),
        )
        # on candidate lanes at the lane's price; others (already reported) at the plan's own
        if len(tr):
            lane_cost = ln["cost_per_unit"].to_numpy(np.float64)[np.maximum(lane_pos, 0)]
            own = tr["cost"].to_numpy(np.float64) if "cost" in tr.columns else np.nan
            priced_tr = tr.assign(
                cost=np.where(lane_pos >= 0, tr["units"].to_numpy(np.float64) * lane_cost, own)
            )
            priced_tr = priced_tr[priced_tr["product_id"].isin(solved)]
        else:
            priced_tr = tr
        expected = breakdown_from_tables(priced_rows, priced_tr, pm, prods)
        got = plan.cost_breakdown
        cols = list(COST_COLUMNS)
        gpos = _positions(got[["level", "product_id"]], expected[["level", "product_id"]])
        e_val = expected[cols].to_numpy()
        g_val = np.where((gpos >= 0)[:, None], got[cols].to_numpy()[np.maximum(gpos, 0)], np.nan)
        bad = ~(np.abs(g_val - e_val) <= tol * np.maximum(1.0, np.abs(e_val)))
        if bad.any():
            i, j = np.argwhere(bad)[0]
            out.append(
                f"cost_breakdown: {cols[j]} of {expected['level'].iloc[i]} "
                f"{expected['product_id'].iloc[i]!r} is {g_val[i, j]:.9g}, recomputed "
                f"{e_val[i, j]:.9g}"
            )
        per = expected[expected["level"] == "product"]
        opos = _positions(ps[["product_id"]], per[["product_id"]])
        got_obj = np.where(
            opos >= 0, ps["objective"].to_numpy(np.float64)[np.maximum(opos, 0)], np.nan
        )
        want = per["total"].to_numpy()
        off = ~(np.abs(got_obj - want) <= tol * np.maximum(1.0, np.abs(want)))
        if off.any():
            out.append(
                f"product_status: objective of product {per['product_id'].iloc[np.flatnonzero(off)[0]]!r} "
                "differs from the plan's recomputed cost"
            )
    return out
