"""The executive summary's headline figures: what each is, how it is printed and the mart value
it equals (the tests recompute every one from the marts)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from python_assets.forecasting.selection import CHOSEN_MODEL
from python_assets.reporting.data import PLAN_LABELS, ReportData


@dataclass(frozen=True)
class FigureSpec:
    """A headline figure: its label, how it is printed, and the mart value it equals."""

    label: str
    kind: str  # money | units | count | pct | index
    source: str


FIGURE_SPECS: dict[str, FigureSpec] = {
    "cost_optimised": FigureSpec(
        "Total cost of the recommended plan",
        "money",
        "marts.allocation_cost_breakdown.total_cost where plan_name = 'optimised' "
        "and cost_level = 'total'",
    ),
    "cost_do_nothing": FigureSpec(
        "Total cost of doing nothing",
        "money",
        "marts.allocation_cost_breakdown.total_cost where plan_name = 'do_nothing' "
        "and cost_level = 'total'",
    ),
    "cost_decentralised": FigureSpec(
        "Total cost of decentralised replenishment",
        "money",
        "marts.allocation_cost_breakdown.total_cost where plan_name = 'decentralised' "
        "and cost_level = 'total'",
    ),
    "cost_zscore_rule_moves": FigureSpec(
        "Total cost of the Z-score rule's moves",
        "money",
        "marts.allocation_cost_breakdown.total_cost where plan_name = 'zscore_rule_moves' "
        "and cost_level = 'total'",
    ),
    "saving_vs_do_nothing": FigureSpec(
        "Saving against doing nothing",
        "money",
        "cost_do_nothing - cost_optimised (marts.allocation_cost_breakdown, cost_level = 'total')",
    ),
    "saving_vs_do_nothing_pct": FigureSpec(
        "Saving against doing nothing (%)",
        "pct",
        "(cost_do_nothing - cost_optimised) / cost_do_nothing",
    ),
    "saving_vs_decentralised": FigureSpec(
        "Saving against decentralised replenishment",
        "money",
        "cost_decentralised - cost_optimised (marts.allocation_cost_breakdown, cost_level = "
        "'total')",
    ),
    "fill_rate_before": FigureSpec(
        "Fill rate doing nothing",
        "pct",
        "marts.allocation_service_level.fill_rate_doing_nothing where service_level_grain = "
        "'overall'",
    ),
    "fill_rate_after": FigureSpec(
        "Fill rate of the plan",
        "pct",
        "marts.allocation_service_level.fill_rate where service_level_grain = 'overall'",
    ),
    "units_transferred": FigureSpec(
        "Units transferred between stores",
        "units",
        "sum(marts.fct_transfer_plan.units)",
    ),
    "transfer_count": FigureSpec(
        "Store-to-store transfers", "count", "count(*) of marts.fct_transfer_plan"
    ),
    "units_central": FigureSpec(
        "Units from central supply (produced)",
        "units",
        "sum(marts.fct_replenishment_plan.allocated_units)",
    ),
    "store_count": FigureSpec("Stores", "count", "count(*) of marts.dim_stores"),
    "stores_flagged": FigureSpec(
        "Stores flagged by the Z-score rule",
        "count",
        "count(*) of marts.imbalanced_rule_results where is_imbalanced",
    ),
    "cases_flagged": FigureSpec(
        "Store x subcategory cases flagged",
        "count",
        "count(*) of marts.imbalanced_zscore_analysis where imbalance_flag in ('over', 'under')",
    ),
    "zscore_units_moved": FigureSpec(
        "Units the Z-score rule moves",
        "units",
        "sum(marts.imbalanced_rule_results.units_in)",
    ),
    "planted_cases": FigureSpec(
        "Planted imbalances",
        "count",
        "marts.imbalance_rule_evaluation.planted_cases",
    ),
    "planted_recall": FigureSpec(
        "Planted imbalances found (recall)",
        "pct",
        "marts.imbalance_rule_evaluation.recall",
    ),
    "balance_index_before": FigureSpec(
        "Regional balance index before (mean over regions)",
        "index",
        "avg(marts.kpi_region.regional_balance_index_before)",
    ),
    "balance_index_after": FigureSpec(
        "Regional balance index after (mean over regions)",
        "index",
        "avg(marts.kpi_region.regional_balance_index_after)",
    ),
    "region_count": FigureSpec("Regions", "count", "count(*) of marts.kpi_region"),
    "revenue_28d": FigureSpec(
        "Revenue, last four weeks", "money", "sum(marts.kpi_store.revenue_28d)"
    ),
    "units_sold_28d": FigureSpec(
        "Units sold, last four weeks", "units", "sum(marts.kpi_store.units_sold_28d)"
    ),
    "forecast_wape": FigureSpec(
        "Forecast WAPE of H-day totals, each series with its class's chosen model (backtest, "
        "pooled)",
        "pct",
        "marts.forecast_accuracy.score_total_wape where backtest_window = 0 and "
        "segment_type = 'all' and model_name = 'chosen_per_class'",
    ),
}


def format_figure(kind: str, value: float) -> str:
    """How a figure of a kind is printed (the tests format mart values with this too)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if kind == "pct":
        return f"{value:.1%}"
    if kind == "index":
        return f"{value:.3f}"
    if kind in ("money", "units", "count"):
        return f"{value:,.0f}"
    raise ValueError(f"unknown figure kind {kind!r}")


def _value(frame: pd.DataFrame, key_column: str, key: str, column: str) -> float | None:
    rows = frame.loc[frame[key_column] == key, column] if len(frame) else pd.Series()
    if rows.empty or pd.isna(rows.iloc[0]):
        return None
    return float(rows.iloc[0])


def chosen_forecast_model(data: ReportData) -> str | None:
    """The models behind fct_demand_forecast (chosen per demand class on the backtest), if the
    forecast ran."""
    models = data.forecast_models["model_name"].dropna().astype(str).tolist()
    return ", ".join(models) if models else None


def backtest_name_of_forecast(data: ReportData) -> str | None:
    """The forecast_accuracy model_name that scores the forecast as used: the per-class
    composite where the backtest has it, else the single model of fct_demand_forecast."""
    if CHOSEN_MODEL in set(data.forecast_accuracy.get("model_name", [])):
        return CHOSEN_MODEL
    return chosen_forecast_model(data)


def executive_summary_figures(data: ReportData) -> dict[str, float]:
    """The figures the executive summary prints, by key of FIGURE_SPECS (whose `source` names
    the mart, column and filter each equals). A figure whose mart is empty is left out."""
    out: dict[str, float] = {}
    costs = {plan: _value(data.plan_costs, "plan_name", plan, "total_cost") for plan in PLAN_LABELS}
    for plan, cost in costs.items():
        if cost is not None:
            out[f"cost_{plan}"] = cost
    optimised, nothing, decentral = (
        costs["optimised"],
        costs["do_nothing"],
        costs["decentralised"],
    )
    if optimised is not None and nothing is not None:
        out["saving_vs_do_nothing"] = nothing - optimised
        if nothing > 0:
            out["saving_vs_do_nothing_pct"] = (nothing - optimised) / nothing
    if optimised is not None and decentral is not None:
        out["saving_vs_decentralised"] = decentral - optimised

    before = _value(data.service_level, "service_level_grain", "overall", "fill_rate_doing_nothing")
    after = _value(data.service_level, "service_level_grain", "overall", "fill_rate")
    if before is not None:
        out["fill_rate_before"] = before
    if after is not None:
        out["fill_rate_after"] = after

    # the plan ran when it has store x product rows; no transfer rows then means none needed
    if len(data.plan_totals):
        out["units_transferred"] = (
            float(data.transfers["units"].sum()) if len(data.transfers) else 0.0
        )
        out["transfer_count"] = float(len(data.transfers))
        allocated = data.plan_totals["allocated_units"].iloc[0]
        out["units_central"] = 0.0 if pd.isna(allocated) else float(allocated)

    if len(data.stores):
        out["store_count"] = float(len(data.stores))
    if len(data.rule_results):
        out["stores_flagged"] = float(data.rule_results["is_imbalanced"].astype(bool).sum())
        out["zscore_units_moved"] = float(data.rule_results["units_in"].fillna(0).sum())
    if len(data.zscore_flag_counts):
        counts = data.zscore_flag_counts
        out["cases_flagged"] = float(
            counts.loc[counts.imbalance_flag.isin(["over", "under"]), "cases"].sum()
        )
    if len(data.rule_evaluation):
        planted = data.rule_evaluation["planted_cases"].iloc[0]
        recall = data.rule_evaluation["recall"].iloc[0]
        if not pd.isna(planted) and planted > 0:
            out["planted_cases"] = float(planted)
            if not pd.isna(recall):
                out["planted_recall"] = float(recall)

    if len(data.kpi_region):
        out["region_count"] = float(len(data.kpi_region))
        for side in ("before", "after"):
            mean = data.kpi_region[f"regional_balance_index_{side}"].astype(float).mean()
            if not pd.isna(mean):
                out[f"balance_index_{side}"] = float(mean)
    if len(data.kpi_store):
        revenue = float(data.kpi_store["revenue_28d"].astype(float).sum())
        if revenue > 0:  # FreshRetailNet has no prices: no revenue to speak of
            out["revenue_28d"] = revenue
        out["units_sold_28d"] = float(data.kpi_store["units_sold_28d"].astype(float).sum())

    model = backtest_name_of_forecast(data)
    if model is not None and len(data.forecast_accuracy):
        acc = data.forecast_accuracy
        pooled = acc[
            (acc.backtest_window == 0) & (acc.segment_type == "all") & (acc.model_name == model)
        ]
        # of H-day totals, what the model choice scores and the run summary prints
        if len(pooled) and not pd.isna(pooled["score_total_wape"].iloc[0]):
            out["forecast_wape"] = float(pooled["score_total_wape"].iloc[0])
    return out
