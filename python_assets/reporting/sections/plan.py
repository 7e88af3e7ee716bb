"""Sections on the recommended plan: top transfers, balance before and after, the plan against
its alternatives and the scenarios, store recommendations and the monitoring KPIs."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from python_assets.reporting import charts
from python_assets.reporting.data import COST_COMPONENTS, PLAN_LABELS, ReportData
from python_assets.reporting.formatting import (
    is_missing,
    num,
    pct,
    store_labels,
    text,
    units,
)
from python_assets.reporting.markup import Col, chart, empty, note, table

# how many items a chart or table labels before it says "top N of M"
TOP_TRANSFERS = 15
TOP_RECOMMENDATIONS = 25
TOP_BALANCE_STORES = 60
TOP_KPI_CATEGORIES = 30


def transfers(data: ReportData) -> str:
    frame = data.transfers
    if frame.empty:
        if len(data.plan_totals):
            return empty("The recommended plan needs no store-to-store transfers in this run.")
        return empty("No transfer plan: " + data.empty_reason("transfers", "plan_totals") + ".")
    top = frame.head(TOP_TRANSFERS).copy()
    top["from_label"] = store_labels(top.from_store_id, top.from_store_name)
    top["to_label"] = store_labels(top.to_store_id, top.to_store_name)
    top["product_label"] = store_labels(top.product_id, top.product_name)
    regions = pd.concat([frame.from_region, frame.to_region]).dropna().astype(str).unique()
    png = charts.transfers_chart(top.iloc[::-1], regions)
    caption = "Bars coloured by the receiving store's region"
    if len(frame) > len(top):
        caption += f"; the {len(top)} largest of {len(frame)} transfers"
    cross = frame[frame.from_region.astype(str) != frame.to_region.astype(str)]
    summary = note(
        f"{len(frame):,} transfers move {units(frame.units.sum())} units for "
        f"{num(frame.transfer_cost.sum())} in transport cost; {len(cross):,} of them cross a "
        "region boundary."
    )
    columns = [
        Col("from_label", "From store"),
        Col("to_label", "To store"),
        Col("product_label", "Product"),
        Col("units", "Units", units, True),
        Col("distance_km", "Distance (km)", num, True),
        Col("lead_time_days", "Lead time (days)", lambda v: num(v, 1), True),
        Col("transfer_cost", "Transport cost", lambda v: num(v, 2), True),
    ]
    return chart(png, "Top transfers by units", caption + ".") + summary + table(top, columns)


def balance(data: ReportData) -> str:
    region = data.kpi_region
    stores = data.kpi_store
    if region.empty:
        return empty("No before/after balance: " + data.empty_reason("kpi_region") + ".")
    region = region.sort_values("regional_balance_index_before", ascending=False)
    parts = [
        chart(
            charts.balance_index_chart(region),
            "Regional balance index before and after",
            "Lower is more even stock across a region's stores.",
        )
    ]
    if not stores.empty:
        frame = stores.assign(
            label=store_labels(stores.store_id, stores.store_name),
            change=(
                stores.days_of_supply_after.astype(float)
                - stores.days_of_supply_before.astype(float)
            ).abs(),
        )
        shown_note = ""
        if len(frame) > TOP_BALANCE_STORES:
            # big networks: the stores the plan changes most, so the chart stays readable
            frame = frame.sort_values("change", ascending=False).head(TOP_BALANCE_STORES)
            shown_note = (
                f"; the {TOP_BALANCE_STORES} stores whose days of supply change most, "
                f"of {len(stores)}"
            )
        frame = frame.sort_values(["region", "days_of_supply_before"], ascending=[False, True])
        regions = stores.region.dropna().astype(str).unique()
        parts.append(
            chart(
                charts.days_of_supply_chart(frame, region, regions),
                "Days of supply per store before and after",
                "Store labels coloured by region; dotted line = the region's days of supply "
                "after the plan" + shown_note + ".",
            )
        )
    one, three = (lambda v: num(v, 1)), (lambda v: num(v, 3))
    columns = [
        Col("region", "Region"),
        Col("store_count", "Stores", num, True),
        Col("days_of_supply_before", "Days of supply before", one, True),
        Col("days_of_supply_after", "Days of supply after", one, True),
        Col("regional_balance_index_before", "Balance index before", three, True),
        Col("regional_balance_index_after", "Balance index after", three, True),
        Col("transfer_in_units", "Units in", units, True),
        Col("transfer_out_units", "Units out", units, True),
        Col("central_allocation_units", "Units from central supply", units, True),
    ]
    parts.append(table(region, columns))
    return "".join(parts)


def scenarios(data: ReportData) -> str:
    parts = [_plan_alternatives(data), _scenario_comparison(data)]
    status = data.plan_status
    if len(status):
        not_optimal = status[status.solver_status.astype(str) != "optimal"]
        if len(not_optimal):
            listed = "; ".join(
                f"{p}: {s} ({text(e)})"
                for p, s, e in zip(
                    not_optimal.product_id.head(10),
                    not_optimal.solver_status.head(10),
                    not_optimal.explanation.head(10),
                    strict=True,
                )
            )
            parts.append(
                note(
                    f"{len(not_optimal):,} of {len(status):,} products were not solved to "
                    f"optimality: {listed}"
                )
            )
        else:
            parts.append(note(f"All {len(status):,} products were solved to optimality."))
        parts.append(note(_units_note(status)))
    return "".join(parts)


def _units_note(status: pd.DataFrame) -> str:
    """Whole packs (and what they cost over the fractional relaxation) or fractional units."""
    if not (status.plan_units.astype(str) == "whole_packs").any():
        return (
            "The plan is in fractional units: the input's units are not whole (or the run "
            "asked for fractional units)."
        )
    both = status[["objective_cost", "relaxation_cost"]].dropna()
    relaxed = float(both.relaxation_cost.sum())
    extra = float(both.objective_cost.sum()) - relaxed
    share = f" ({pct(extra / relaxed, 2)})" if relaxed > 0 else ""
    return (
        "The plan moves whole packs (each product's pack size; single units where it has none), "
        f"solved exactly as a MILP: {num(extra, 2)} more than the fractional LP relaxation"
        f"{share}, the price of whole units."
    )


def _plan_alternatives(data: ReportData) -> str:
    costs = data.plan_costs
    if costs.empty:
        return empty("No plan costs: " + data.empty_reason("plan_costs") + ".")
    order = [p for p in PLAN_LABELS if p in set(costs.plan_name)] + [
        p for p in costs.plan_name if p not in PLAN_LABELS
    ]
    costs = costs.set_index("plan_name").loc[order].reset_index()
    labels = [PLAN_LABELS.get(p, p) for p in costs.plan_name]
    png = charts.cost_chart(
        costs, labels, "The recommended plan against its alternatives", row_height=0.5
    )
    columns = [
        Col("plan", "Plan"),
        Col("plan_status", "Status"),
        *(Col(c, label.capitalize(), num, True) for c, label in COST_COMPONENTS),
        Col("total_cost", "Total", num, True),
    ]
    return chart(
        png,
        "Cost of the plan, doing nothing, decentralised and the Z-score moves",
        "Each alternative priced with the same cost model: holding, stock-out penalty, "
        "transport, production and distribution.",
    ) + table(costs.assign(plan=labels), columns)


def _scenario_comparison(data: ReportData) -> str:
    frame = data.scenarios
    if frame.empty:
        return empty("No scenarios: " + data.empty_reason("scenarios") + ".")
    frame = frame.sort_values("total_cost")
    labels = [
        text(d) if not is_missing(d) else text(s)
        for s, d in zip(frame.scenario_id, frame.scenario_description, strict=True)
    ]
    extra = [
        f"fill {pct(f)}" + ("" if str(s) == "optimal" else f" ({s})")
        for f, s in zip(frame.fill_rate, frame.plan_status, strict=True)
    ]
    png = charts.cost_chart(
        frame, labels, "Scenarios solved with the same model", row_height=0.45, extra=extra
    )
    columns = [
        Col("scenario_id", "Scenario"),
        Col("scenario_description", "What changes"),
        Col("plan_status", "Status"),
        Col("total_cost", "Total cost", num, True),
        Col("forecast_demand_units", "Forecast demand (units)", units, True),
        Col("stockout_units", "Unserved (units)", units, True),
        Col("fill_rate", "Fill rate", pct, True),
        Col("units_transferred", "Units transferred", units, True),
        Col("units_produced", "Units produced", units, True),
    ]
    return (
        chart(
            png,
            "Scenario comparison: total cost by component",
            "Scenarios sorted by total cost; fill rate of forecast demand at the end of each bar.",
        )
        + table(frame, columns)
        + _scenario_reasons(frame)
    )


def _scenario_reasons(frame: pd.DataFrame) -> str:
    """Why a scenario with more forecast demand can cost less than the base (or less demand
    more): holding cost is charged on the stock left at the end of the horizon."""
    base = frame[frame.scenario_id.astype(str) == "base"]
    if base.empty:
        return ""
    b = base.iloc[0]
    reasons = []
    for r in frame[frame.scenario_id.astype(str) != "base"].itertuples():
        more = r.forecast_demand_units > b.forecast_demand_units
        less = r.forecast_demand_units < b.forecast_demand_units
        if (more and r.total_cost < b.total_cost) or (less and r.total_cost > b.total_cost):
            reasons.append(
                f"{text(r.scenario_id)} has {'more' if more else 'less'} forecast demand but "
                f"costs {'less' if more else 'more'} than the base: holding on the stock left at "
                f"the end of the horizon goes from {num(b.holding_cost)} to "
                f"{num(r.holding_cost)}, stock-outs from {num(b.stockout_cost)} to "
                f"{num(r.stockout_cost)}"
            )
    if not reasons:
        return ""
    return note(
        "Holding is charged on every unit left at the end of the horizon, so selling more of "
        "the stock already held can lower the total: " + "; ".join(reasons) + "."
    )


def recommendations(data: ReportData) -> str:
    rec = data.recommendations
    if rec.empty:
        return empty("No store recommendations: " + data.empty_reason("recommendations") + ".")
    counts = rec.recommendation.value_counts()
    summary = ", ".join(f"{int(counts.get(k, 0)):,} {k}" for k in ("increase", "decrease", "hold"))
    parts = [
        note(
            f"{len(rec):,} store x category pairs: {summary}. Increase / decrease = the plan "
            "changes the units on hand by at least one unit."
        )
    ]
    active = rec[rec.recommendation != "hold"].copy()
    active["label"] = store_labels(active.store_id, active.store_name)
    if active.empty:
        parts.append(empty("The plan leaves every store x category as it is (hold)."))
        return "".join(parts)
    shown = active.head(TOP_RECOMMENDATIONS).iloc[::-1]
    caption = "Green = increase, red = decrease; days of supply before -> after in brackets"
    if len(active) > len(shown):
        caption += f"; the {len(shown)} largest of {len(active):,} changes"
    parts.append(
        chart(
            charts.recommendations_chart(shown),
            "Recommended increases and decreases per store and category",
            caption + ".",
        )
    )
    columns = [
        Col("label", "Store"),
        Col("region", "Region"),
        Col("category", "Category"),
        Col("recommendation", "Recommendation"),
        Col(
            "units_change",
            "Units change",
            lambda v: f"{float(v):+,.1f}" if not is_missing(v) else "n/a",
            True,
        ),
        Col("reason", "Reason"),
    ]
    parts.append(table(active.head(TOP_RECOMMENDATIONS), columns))
    return "".join(parts)


def _with_before_after(frame: pd.DataFrame) -> pd.DataFrame:
    """Before/after pairs as one 'a → b' column each, so the KPI tables fit the page."""
    pairs: dict[str, tuple[str, Callable[[object], str]]] = {
        "dos": ("days_of_supply", lambda v: num(v, 1)),
        "turnover": ("inventory_turnover", lambda v: num(v, 1)),
        "fill": ("fill_rate", pct),
    }
    return frame.assign(
        **{
            column: [
                f"{fmt(b)} → {fmt(a)}"
                for b, a in zip(frame[f"{stem}_before"], frame[f"{stem}_after"], strict=True)
            ]
            for column, (stem, fmt) in pairs.items()
        }
    )


KPI_TABLE_COLUMNS = (
    Col("store_count", "Stores", num, True),
    Col("units_sold_28d", "Units sold, 4 weeks", num, True),
    Col("dos", "Days of supply, before → after", text, True),
    Col("turnover", "Turnover (turns/yr), before → after", text, True),
    Col("stockout_frequency_28d", "Stock-out frequency", pct, True),
    Col("fill", "Fill rate, before → after", text, True),
    Col("transfer_in_units", "Transfers in (units)", units, True),
    Col("transfer_out_units", "Transfers out (units)", units, True),
    Col("central_allocation_units", "From central supply (units)", units, True),
)


def kpis(data: ReportData) -> str:
    region = data.kpi_region
    if region.empty:
        return empty("No monitoring KPIs: " + data.empty_reason("kpi_region") + ".")
    region = region.sort_values("region")
    parts = [
        chart(
            charts.kpi_chart(region),
            "Monitoring KPIs per region before and after the plan",
            "Before = current stock; after = stock once the plan's transfers and central "
            "allocation arrive.",
        ),
        "<h3>By region</h3>",
        table(_with_before_after(region), [Col("region", "Region"), *KPI_TABLE_COLUMNS]),
        "<h3>By category</h3>",
    ]
    category = data.kpi_category
    if category.empty:
        parts.append(empty("No category KPIs: " + data.empty_reason("kpi_category") + "."))
        return "".join(parts)
    ordered = category.sort_values("units_sold_28d", ascending=False)
    shown_note = ""
    if len(ordered) > TOP_KPI_CATEGORIES:
        shown_note = (
            f"The {TOP_KPI_CATEGORIES} categories with the most units sold, of {len(ordered)}."
        )
        ordered = ordered.head(TOP_KPI_CATEGORIES)
    parts.append(
        table(_with_before_after(ordered), [Col("category", "Category"), *KPI_TABLE_COLUMNS])
    )
    if shown_note:
        parts.append(note(shown_note))
    return "".join(parts)
