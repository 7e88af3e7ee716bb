"""The regional rebalancing report: one self-contained HTML file (002's report, rebuilt on data).

Everything the report says is read from the marts with plain SQL (`load_report_data`) and computed
here; nothing is typed in. The design document 002 is only the outline: its sections (regional
demand heatmap, store performance, seasonal category distribution, regional treemap, store
strategies, monitoring metrics) come back with figures from this warehouse, next to what 002 did
not have: the optimised plan against its alternatives, the forecast backtest and the Z-score cases.

Robustness rules, because the report runs at the end of every pipeline run and on every dataset:
- every section tolerates an empty or missing mart (no customer orders on FreshRetailNet, no planted
  imbalances outside the demo, a warehouse built before the forecast or LP step) and says so in
  words instead of crashing or drawing an empty chart;
- charts are embedded as base64 PNG and the page has no external CSS, JS or fonts, so the file
  opens offline in any browser and can be mailed around;
- charts cap the number of labelled items (top N) so a 900-store network stays legible.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import matplotlib

matplotlib.use("Agg")  # no display on a pipeline worker
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from python_assets.reporting.charts import figure_png, png_data_uri

# The marts the report reads: the Dagster asset depends on exactly these.
REPORT_MARTS: tuple[str, ...] = (
    "dataset_assumptions",
    "dim_stores",
    "dim_products",
    "fct_sales_daily",
    "kpi_store",
    "kpi_region",
    "kpi_category",
    "store_recommendations",
    "customer_segment_profiles",
    "fct_transfer_plan",
    "fct_replenishment_plan",
    "allocation_cost_breakdown",
    "allocation_service_level",
    "allocation_plan_status",
    "scenario_comparison",
    "fct_demand_forecast",
    "forecast_accuracy",
    "imbalanced_zscore_analysis",
    "imbalanced_detailed_cases",
    "imbalanced_rule_results",
    "imbalance_rule_evaluation",
)

PLAN_LABELS: dict[str, str] = {
    "optimised": "Recommended plan (optimised)",
    "do_nothing": "Do nothing",
    "decentralised": "Decentralised (no store-to-store transfers)",
    "zscore_rule_moves": "Z-score rule's moves",
}
COST_COMPONENTS: tuple[tuple[str, str], ...] = (
    ("holding_cost", "holding"),
    ("stockout_cost", "stockout penalty"),
    ("transport_cost", "store-to-store transport"),
    ("manufacturing_cost", "central production"),
    ("distribution_cost", "central distribution"),
)
COMPONENT_COLOURS = ("#6baed6", "#e6550d", "#31a354", "#756bb1", "#bdbdbd")
# neutral palette, one colour per region (cycled when there are more regions)
REGION_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
BEFORE_COLOUR = "#9e9e9e"
AFTER_COLOUR = "#1565c0"
# how many items a chart or table labels before it says "top N of M"
TOP_STORES = 25
TOP_CATEGORIES = 12
TOP_SERIES = 8
TOP_TRANSFERS = 15
TOP_CASES = 25
TOP_RECOMMENDATIONS = 25


# ---------------------------------------------------------------------------------------------
# Loading


@dataclass(frozen=True)
class _Query:
    """One frame of ReportData: its SQL, the marts it reads and the columns it returns (so a
    missing mart still yields a frame with the right columns and the renderer needs no cases)."""

    sql: str
    tables: tuple[str, ...]
    columns: tuple[str, ...]


def _select(table: str, columns: Sequence[str], where: str = "", order: str = "") -> _Query:
    sql = f"select {', '.join(columns)} from marts.{table}"
    sql += f" where {where}" if where else ""
    sql += f" order by {order}" if order else ""
    return _Query(sql, (table,), tuple(columns))


KPI_COLUMNS = (
    "revenue_28d",
    "units_sold_28d",
    "daily_demand_units",
    "days_of_supply_before",
    "days_of_supply_after",
    "inventory_turnover_before",
    "inventory_turnover_after",
    "stockout_frequency_28d",
    "fill_rate_before",
    "fill_rate_after",
    "transfer_in_units",
    "transfer_out_units",
    "central_allocation_units",
)

QUERIES: dict[str, _Query] = {
    "assumptions": _select(
        "dataset_assumptions", ("dataset_name", "topic", "assumption", "setting")
    ),
    "stores": _select(
        "dim_stores", ("store_id", "store_name", "region", "city", "store_format"), order="store_id"
    ),
    "products": _select(
        "dim_products",
        ("product_id", "product_name", "category", "subcategory"),
        order="product_id",
    ),
    # aggregated in SQL: fct_sales_daily has millions of rows on the larger datasets
    "sales_period": _Query(
        """
        select min(sales_date) as first_date, max(sales_date) as last_date,
               count(distinct sales_date) as days, sum(units_sold) as units_sold,
               sum(revenue) as revenue
        from marts.fct_sales_daily
        having count(*) > 0
        """,
        ("fct_sales_daily",),
        ("first_date", "last_date", "days", "units_sold", "revenue"),
    ),
    "sales_region_category": _Query(
        """
        select s.region, p.category, sum(f.units_sold) as units_sold, sum(f.revenue) as revenue,
               count(distinct f.store_id) as store_count
        from marts.fct_sales_daily as f
        inner join marts.dim_stores as s on f.store_id = s.store_id
        inner join marts.dim_products as p on f.product_id = p.product_id
        group by s.region, p.category
        order by s.region, p.category
        """,
        ("fct_sales_daily", "dim_stores", "dim_products"),
        ("region", "category", "units_sold", "revenue", "store_count"),
    ),
    "sales_month_category": _Query(
        """
        select date_trunc('month', f.sales_date) as month, p.category,
               sum(f.units_sold) as units_sold, sum(f.revenue) as revenue,
               count(distinct f.sales_date) as days
        from marts.fct_sales_daily as f
        inner join marts.dim_products as p on f.product_id = p.product_id
        group by 1, 2
        order by 1, 2
        """,
        ("fct_sales_daily", "dim_products"),
        ("month", "category", "units_sold", "revenue", "days"),
    ),
    "kpi_store": _select(
        "kpi_store",
        (
            "store_id",
            "store_name",
            "region",
            "city",
            "store_format",
            "average_order_value_28d",
            "on_hand_units_before",
            "on_hand_units_after",
            *KPI_COLUMNS,
        ),
        order="store_id",
    ),
    "kpi_region": _select(
        "kpi_region",
        (
            "region",
            "store_count",
            *KPI_COLUMNS,
            "regional_balance_index_before",
            "regional_balance_index_after",
        ),
        order="region",
    ),
    "kpi_category": _select(
        "kpi_category", ("category", "store_count", *KPI_COLUMNS), order="category"
    ),
    "recommendations": _Query(
        """
        select r.store_id, s.store_name, r.region, r.category, r.recommendation, r.units_change,
               r.days_of_supply_before, r.days_of_supply_after, r.region_median_days_of_supply,
               r.reason
        from marts.store_recommendations as r
        left join marts.dim_stores as s on r.store_id = s.store_id
        order by abs(r.units_change) desc, r.store_id, r.category
        """,
        ("store_recommendations", "dim_stores"),
        (
            "store_id",
            "store_name",
            "region",
            "category",
            "recommendation",
            "units_change",
            "days_of_supply_before",
            "days_of_supply_after",
            "region_median_days_of_supply",
            "reason",
        ),
    ),
    "customer_segments": _select(
        "customer_segment_profiles",
        (
            "segment_id",
            "customer_count",
            "mean_recency_days",
            "mean_frequency_orders",
            "mean_monetary_amount",
            "mean_average_order_value",
        ),
        order="segment_id",
    ),
    "transfers": _Query(
        """
        select t.from_store_id, fs.store_name as from_store_name, t.to_store_id,
               ts.store_name as to_store_name, t.product_id, p.product_name, t.units,
               t.distance_km, t.transfer_cost, t.lead_time_days, t.from_region, t.to_region
        from marts.fct_transfer_plan as t
        left join marts.dim_stores as fs on t.from_store_id = fs.store_id
        left join marts.dim_stores as ts on t.to_store_id = ts.store_id
        left join marts.dim_products as p on t.product_id = p.product_id
        order by t.units desc, t.from_store_id, t.to_store_id, t.product_id
        """,
        ("fct_transfer_plan", "dim_stores", "dim_products"),
        (
            "from_store_id",
            "from_store_name",
            "to_store_id",
            "to_store_name",
            "product_id",
            "product_name",
            "units",
            "distance_km",
            "transfer_cost",
            "lead_time_days",
            "from_region",
            "to_region",
        ),
    ),
    # one row per plan run (none when the LP has not run): zero transfers is then a result
    "plan_totals": _Query(
        """
        select count(*) as store_product_rows, sum(demand_units) as demand_units,
               sum(allocated_units) as allocated_units, sum(stockout_units) as stockout_units
        from marts.fct_replenishment_plan
        having count(*) > 0
        """,
        ("fct_replenishment_plan",),
        ("store_product_rows", "demand_units", "allocated_units", "stockout_units"),
    ),
    "plan_costs": _select(
        "allocation_cost_breakdown",
        ("plan_name", "plan_status", *(c for c, _ in COST_COMPONENTS), "total_cost"),
        where="cost_level = 'total'",
        order="plan_name",
    ),
    "service_level": _select(
        "allocation_service_level",
        (
            "service_level_grain",
            "grain_key",
            "demand_units",
            "served_units",
            "fill_rate",
            "fill_rate_doing_nothing",
        ),
        where="service_level_grain in ('overall', 'region')",
        order="service_level_grain, grain_key",
    ),
    "plan_status": _select(
        "allocation_plan_status",
        ("product_id", "solver_status", "explanation"),
        order="product_id",
    ),
    "scenarios": _select(
        "scenario_comparison",
        (
            "scenario_id",
            "scenario_description",
            "plan_status",
            *(c for c, _ in COST_COMPONENTS),
            "total_cost",
            "demand_units",
            "stockout_units",
            "fill_rate",
            "units_transferred",
            "units_produced",
        ),
        order="scenario_id",
    ),
    "forecast_models": _Query(
        """
        select model_name, count(*) as forecast_rows, min(forecast_date) as first_date,
               max(forecast_date) as last_date
        from marts.fct_demand_forecast
        group by model_name
        order by model_name
        """,
        ("fct_demand_forecast",),
        ("model_name", "forecast_rows", "first_date", "last_date"),
    ),
    "forecast_accuracy": _select(
        "forecast_accuracy",
        (
            "model_name",
            "backtest_window",
            "origin_date",
            "segment_type",
            "segment_value",
            "wape",
            "wpe",
            "mase",
            "coverage_80",
            "coverage_95",
            "scored_rows",
        ),
        order="model_name, backtest_window, segment_type, segment_value",
    ),
    "zscore_flag_counts": _Query(
        """
        select imbalance_flag, count(*) as cases
        from marts.imbalanced_zscore_analysis
        group by imbalance_flag
        order by imbalance_flag
        """,
        ("imbalanced_zscore_analysis",),
        ("imbalance_flag", "cases"),
    ),
    "zscore_cases": _Query(
        """
        select z.store_id, s.store_name, z.subcategory, z.cluster_id, z.imbalance_flag,
               z.metric_name, z.metric_value, z.cluster_mean, z.z_score, z.zscore_threshold,
               z.on_hand_units, z.units_at_mean
        from marts.imbalanced_zscore_analysis as z
        left join marts.dim_stores as s on z.store_id = s.store_id
        where z.imbalance_flag in ('over', 'under')
        order by abs(z.z_score) desc, z.store_id, z.subcategory
        """,
        ("imbalanced_zscore_analysis", "dim_stores"),
        (
            "store_id",
            "store_name",
            "subcategory",
            "cluster_id",
            "imbalance_flag",
            "metric_name",
            "metric_value",
            "cluster_mean",
            "z_score",
            "zscore_threshold",
            "on_hand_units",
            "units_at_mean",
        ),
    ),
    "zscore_details": _Query(
        """
        select d.store_id, d.subcategory, d.imbalance_flag, d.metric_before, d.metric_after,
               d.units_to_mean, d.units_matched, d.units_unmatched, d.unmatched_reason,
               d.move_id, d.move_direction, d.counterpart_store_id,
               c.store_name as counterpart_store_name, d.product_id, p.product_name,
               d.move_units
        from marts.imbalanced_detailed_cases as d
        left join marts.dim_stores as c on d.counterpart_store_id = c.store_id
        left join marts.dim_products as p on d.product_id = p.product_id
        order by d.store_id, d.subcategory, d.move_id
        """,
        ("imbalanced_detailed_cases", "dim_stores", "dim_products"),
        (
            "store_id",
            "subcategory",
            "imbalance_flag",
            "metric_before",
            "metric_after",
            "units_to_mean",
            "units_matched",
            "units_unmatched",
            "unmatched_reason",
            "move_id",
            "move_direction",
            "counterpart_store_id",
            "counterpart_store_name",
            "product_id",
            "product_name",
            "move_units",
        ),
    ),
    "rule_results": _select(
        "imbalanced_rule_results",
        ("store_id", "is_imbalanced", "imbalanced_subcategory_count", "units_in", "units_out"),
        order="store_id",
    ),
    "rule_evaluation": _select(
        "imbalance_rule_evaluation",
        (
            "planted_cases",
            "flagged_cases",
            "planted_cases_flagged",
            "planted_cases_flagged_same_direction",
            "recall",
            "precision_vs_planted",
        ),
    ),
}


@dataclass(frozen=True)
class ReportData:
    """Every frame the report draws from, one per query of QUERIES (same names), plus the marts
    that were not in the warehouse at all (a frame of a missing mart is empty)."""

    assumptions: pd.DataFrame
    stores: pd.DataFrame
    products: pd.DataFrame
    sales_period: pd.DataFrame
    sales_region_category: pd.DataFrame
    sales_month_category: pd.DataFrame
    kpi_store: pd.DataFrame
    kpi_region: pd.DataFrame
    kpi_category: pd.DataFrame
    recommendations: pd.DataFrame
    customer_segments: pd.DataFrame
    transfers: pd.DataFrame
    plan_totals: pd.DataFrame
    plan_costs: pd.DataFrame
    service_level: pd.DataFrame
    plan_status: pd.DataFrame
    scenarios: pd.DataFrame
    forecast_models: pd.DataFrame
    forecast_accuracy: pd.DataFrame
    zscore_flag_counts: pd.DataFrame
    zscore_cases: pd.DataFrame
    zscore_details: pd.DataFrame
    rule_results: pd.DataFrame
    rule_evaluation: pd.DataFrame
    missing_tables: tuple[str, ...] = ()

    @property
    def dataset_name(self) -> str:
        names = self.assumptions["dataset_name"].dropna().unique() if len(self.assumptions) else []
        return ", ".join(str(n) for n in names) or "unknown"

    @property
    def is_freshretailnet(self) -> bool:
        return "freshretailnet" in self.dataset_name.lower()

    def empty_reason(self, *tables: str) -> str:
        """Why a section has nothing to show, naming the marts it reads."""
        missing = [t for t in tables if t in self.missing_tables]
        if missing:
            return (
                "marts." + ", marts.".join(missing) + " not found in this warehouse "
                "(built before that step ran?)"
            )
        return "marts." + " / marts.".join(tables) + " has no rows for this run"


def _empty_frame(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def load_report_data(con: duckdb.DuckDBPyConnection) -> ReportData:
    """Read every frame of the report from the marts (read-only SQL). A mart that does not exist
    yields an empty frame and is listed in ReportData.missing_tables."""
    existing = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    frames: dict[str, pd.DataFrame] = {}
    missing: set[str] = set()
    for name, query in QUERIES.items():
        absent = [t for t in query.tables if t not in existing]
        if absent:
            missing.update(absent)
            frames[name] = _empty_frame(query.columns)
            continue
        frame = con.execute(query.sql).df()
        # the declared columns are what the renderer relies on: fail loudly if a query drifts
        if tuple(frame.columns) != query.columns:
            raise ValueError(f"query {name} returned {list(frame.columns)}, not {query.columns}")
        frames[name] = frame
    return ReportData(**frames, missing_tables=tuple(sorted(missing)))


# ---------------------------------------------------------------------------------------------
# Executive summary figures


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
        "Forecast WAPE of the chosen model (backtest, pooled)",
        "pct",
        "marts.forecast_accuracy.wape where backtest_window = 0 and segment_type = 'all' and "
        "model_name = the model of marts.fct_demand_forecast",
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
    """The model behind fct_demand_forecast (chosen on the backtest), if the forecast ran."""
    models = data.forecast_models["model_name"].dropna().astype(str).tolist()
    return ", ".join(models) if models else None


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

    model = chosen_forecast_model(data)
    if model is not None and len(data.forecast_accuracy):
        acc = data.forecast_accuracy
        pooled = acc[
            (acc.backtest_window == 0) & (acc.segment_type == "all") & (acc.model_name == model)
        ]
        if len(pooled) and not pd.isna(pooled["wape"].iloc[0]):
            out["forecast_wape"] = float(pooled["wape"].iloc[0])
    return out


# ---------------------------------------------------------------------------------------------
# Formatting helpers


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _is_missing(value: object) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _num(value: object, decimals: int = 0) -> str:
    if _is_missing(value):
        return "n/a"
    return f"{float(value):,.{decimals}f}"  # type: ignore[arg-type]


def _units(value: object) -> str:
    """Units: whole numbers from 100 up, one decimal below (LP plans are continuous)."""
    if _is_missing(value):
        return "n/a"
    v = float(value)  # type: ignore[arg-type]
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}"


def _pct(value: object, decimals: int = 1) -> str:
    if _is_missing(value):
        return "n/a"
    text = f"{float(value):.{decimals}%}"  # type: ignore[arg-type]
    return text[1:] if text.startswith("-") and not text.strip("-0.%") else text  # no "-0.0%"


def _share(value: float) -> str:
    """A share for labels: whole percent, but never a misleading 0% for a small non-zero part."""
    return "<1%" if 0 < value < 0.005 else f"{value:.0%}"


def _compact(value: float) -> str:
    """Short numbers for chart annotations (12.3k, 4.5M)."""
    v = abs(value)
    if v >= 1e6:
        return f"{value / 1e6:,.1f}M"
    if v >= 1e4:
        return f"{value / 1e3:,.0f}k"
    if v >= 1e3:
        return f"{value / 1e3:,.1f}k"
    return f"{value:,.0f}" if v >= 10 else f"{value:,.1f}"


def _text(value: object) -> str:
    return "n/a" if _is_missing(value) else str(value)


def _truncate(label: str, width: int = 32) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def _short(label: str, width: int) -> str:
    """Truncate a 'name (id)' label in the name, so the id stays readable."""
    if len(label) <= width or not label.endswith(")") or " (" not in label:
        return _truncate(label, width)
    name, _, ident = label.rpartition(" (")
    room = width - len(ident) - 2
    return f"{_truncate(name, room)} ({ident}" if room >= 6 else _truncate(label, width)


def _store_label(store_id: object, store_name: object) -> str:
    """The store's name, with its id when the name does not contain it."""
    sid = _text(store_id)
    name = "" if _is_missing(store_name) else str(store_name)
    if not name or name == sid:
        return sid
    return name if sid in name else f"{name} ({sid})"


def _fig(figures: dict[str, float], key: str) -> str:
    """A figure in running text, tagged with its key so a test can check it against the mart."""
    spec = FIGURE_SPECS[key]
    return (
        f'<b class="fig" data-figure="{key}" title="{_esc(spec.source)}">'
        f"{_esc(format_figure(spec.kind, figures[key]))}</b>"
    )


def _name(value: object) -> str:
    """A name from the data in running text (a region, a model): may contain digits."""
    return f'<span class="name">{_esc(value)}</span>'


def _empty(message: str) -> str:
    return f'<p class="empty">{_esc(message)}</p>'


def _note(message: str) -> str:
    return f'<p class="note">{_esc(message)}</p>'


@dataclass(frozen=True)
class _Col:
    column: str
    header: str
    fmt: Callable[[object], str] = _text
    numeric: bool = False


def _table(frame: pd.DataFrame, columns: Sequence[_Col], caption: str = "") -> str:
    head = "".join(
        f'<th class="{"num" if c.numeric else "txt"}">{_esc(c.header)}</th>' for c in columns
    )
    body = []
    for _, row in frame.iterrows():
        cells = "".join(
            f'<td class="{"num" if c.numeric else "txt"}">{_esc(c.fmt(row[c.column]))}</td>'
            for c in columns
        )
        body.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{_esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="tablewrap"><table>{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _chart(fig: plt.Figure, alt: str, caption: str = "") -> str:
    uri = png_data_uri(figure_png(fig))
    cap = f"<figcaption>{_esc(caption)}</figcaption>" if caption else ""
    return f'<figure class="chart"><img src="{uri}" alt="{_esc(alt)}">{cap}</figure>'


def _region_colours(regions: Sequence[str]) -> dict[str, str]:
    return {r: REGION_PALETTE[i % len(REGION_PALETTE)] for i, r in enumerate(sorted(regions))}


def _style_axes(ax: plt.Axes) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=8)
    ax.grid(axis="x", color="#e0e0e0", lw=0.6)
    ax.set_axisbelow(True)


def _thousands(ax: plt.Axes, axis: str = "x", percent: bool = False) -> None:
    def fmt(v: float, _pos: int) -> str:
        if percent:
            return f"{v:.0%}"
        # whole ticks without decimals (2, 4, 6), fractional ones with one (0.5)
        return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.1f}"

    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(FuncFormatter(fmt))


def _legend_below(
    fig: plt.Figure,
    ax: plt.Axes,
    ncols: int,
    title: str | None = None,
    fontsize: float = 7,
    entries: tuple[list, list[str]] | None = None,
) -> None:
    """A legend under the whole figure, with room reserved for it in inches (a fraction of the
    axes would land it on the tick labels of short charts or far below tall ones). `entries`
    = (handles, labels) when they are not the axes' own artists."""
    handles, labels = entries or ax.get_legend_handles_labels()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    rows = math.ceil(len(labels) / max(ncols, 1)) + (1 if title else 0)
    reserve = (0.12 + 0.2 * rows) / fig.get_figheight()
    fig.legend(
        handles,
        labels,
        loc="lower center",
        ncols=ncols,
        fontsize=fontsize,
        frameon=False,
        title=title,
        title_fontsize=fontsize,
    )
    fig.tight_layout(rect=(0, reserve, 1, 1))


def _top_with_other(
    totals: pd.Series, n: int, other_label: str = "Other categories"
) -> tuple[list[str], str | None]:
    """The n largest keys, and the label the rest are merged under (None when nothing is)."""
    ordered = totals.sort_values(ascending=False)
    if len(ordered) <= n:
        return [str(k) for k in ordered.index], None
    return [str(k) for k in ordered.index[: n - 1]], other_label


def _sales_measure(data: ReportData) -> tuple[str, str]:
    """Revenue when the data has prices, otherwise units (FreshRetailNet has no revenue)."""
    frame = data.sales_region_category
    if len(frame) and float(frame["revenue"].fillna(0).sum()) > 0:
        return "revenue", "revenue (currency units)"
    return "units_sold", "units sold"


# ---------------------------------------------------------------------------------------------
# Treemap layout (squarified, Bruls, Huizing & van Wijk 2000): kept here so the report needs no
# extra dependency


Rect = tuple[float, float, float, float]  # x, y, width, height


def _worst_ratio(row: Sequence[float], side: float) -> float:
    total = sum(row)
    return max(
        max(side * side * r / (total * total), (total * total) / (side * side * r)) for r in row
    )


def squarify(values: Sequence[float], rect: Rect) -> list[Rect]:
    """Rectangles tiling `rect` with areas proportional to `values` (same order as given, which
    should be descending for squarish tiles). Values <= 0 get a zero-size rectangle."""
    x, y, width, height = rect
    positive = [max(float(v), 0.0) for v in values]
    total = sum(positive)
    out: list[Rect] = [(x, y, 0.0, 0.0)] * len(positive)
    if total <= 0 or width <= 0 or height <= 0:
        return out
    scale = width * height / total
    pending = [(i, v * scale) for i, v in enumerate(positive) if v > 0]
    while pending:
        side = min(width, height)
        row = [pending[0]]
        k = 1
        while k < len(pending) and _worst_ratio(
            [a for _, a in row] + [pending[k][1]], side
        ) <= _worst_ratio([a for _, a in row], side):
            row.append(pending[k])
            k += 1
        row_area = sum(a for _, a in row)
        if width >= height:  # lay the row as a column along the left edge
            col_w = row_area / height
            cy = y
            for i, a in row:
                h = a / col_w
                out[i] = (x, cy, col_w, h)
                cy += h
            x, width = x + col_w, width - col_w
        else:  # lay the row along the bottom edge
            row_h = row_area / width
            cx = x
            for i, a in row:
                w = a / row_h
                out[i] = (cx, y, w, row_h)
                cx += w
            y, height = y + row_h, height - row_h
        pending = pending[k:]
    return out


# ---------------------------------------------------------------------------------------------
# Sections


def _saving_word(saving: float) -> str:
    # the LP never costs more than its baselines unless a product was not solved: say so neutrally
    return "a saving of" if saving >= 0 else "a difference of"


def _section_summary(data: ReportData) -> str:
    f = executive_summary_figures(data)
    items: list[str] = []

    if "cost_optimised" in f:
        text = f"The recommended plan costs {_fig(f, 'cost_optimised')} over the planning horizon"
        if "cost_do_nothing" in f:
            text += f", against {_fig(f, 'cost_do_nothing')} for doing nothing"
            if "saving_vs_do_nothing_pct" in f:
                text += (
                    f" ({_saving_word(f['saving_vs_do_nothing'])} "
                    f"{_fig(f, 'saving_vs_do_nothing')}, {_fig(f, 'saving_vs_do_nothing_pct')})"
                )
        if "cost_decentralised" in f:
            text += (
                f", {_fig(f, 'cost_decentralised')} for decentralised replenishment "
                f"({_saving_word(f['saving_vs_decentralised'])} "
                f"{_fig(f, 'saving_vs_decentralised')})"
            )
        if "cost_zscore_rule_moves" in f:
            text += f" and {_fig(f, 'cost_zscore_rule_moves')} for the Z-score rule's moves"
        items.append(text + ". Costs are in the currency units of the cost inputs.")
    else:
        items.append("No plan costs: " + data.empty_reason("allocation_cost_breakdown") + ".")

    if "fill_rate_before" in f and "fill_rate_after" in f:
        items.append(
            f"Fill rate of forecast demand over the horizon: {_fig(f, 'fill_rate_before')} if "
            f"every store serves from its own stock, {_fig(f, 'fill_rate_after')} with the plan."
        )
    else:
        items.append("No fill rate: " + data.empty_reason("allocation_service_level") + ".")

    if "units_transferred" in f:
        items.append(
            f"The plan moves {_fig(f, 'units_transferred')} units in "
            f"{_fig(f, 'transfer_count')} store-to-store transfers and sends "
            f"{_fig(f, 'units_central')} units from central supply (production)."
        )
    else:
        items.append("No transfers: " + data.empty_reason("fct_replenishment_plan") + ".")

    if "stores_flagged" in f and "cases_flagged" in f and "store_count" in f:
        text = (
            f"The Z-score rule flags {_fig(f, 'cases_flagged')} store x subcategory cases in "
            f"{_fig(f, 'stores_flagged')} of {_fig(f, 'store_count')} stores; its own moves "
            f"would shift {_fig(f, 'zscore_units_moved')} units"
        )
        if "planted_recall" in f:
            text += (
                f". Of the {_fig(f, 'planted_cases')} imbalances planted in the demo data it "
                f"finds {_fig(f, 'planted_recall')} of them"
            )
        else:
            text += ". This dataset has no planted imbalances to check the rule against"
        items.append(text + ".")
    else:
        items.append("No Z-score results: " + data.empty_reason("imbalanced_rule_results") + ".")

    if "balance_index_before" in f and "balance_index_after" in f:
        worst = data.kpi_region.sort_values("regional_balance_index_before", ascending=False)
        text = (
            f"Regional balance index (coefficient of variation of the stores' days of supply; "
            f"lower is more even), mean over {_fig(f, 'region_count')} regions: "
            f"{_fig(f, 'balance_index_before')} before the plan, "
            f"{_fig(f, 'balance_index_after')} after"
        )
        if len(worst):
            text += f"; the least balanced region before the plan is {_name(worst.region.iloc[0])}"
        items.append(text + ".")
    else:
        items.append("No regional balance index: " + data.empty_reason("kpi_region") + ".")

    if "units_sold_28d" in f:
        text = f"Sales in the last four weeks of data: {_fig(f, 'units_sold_28d')} units"
        if "revenue_28d" in f:
            text += f" for {_fig(f, 'revenue_28d')} in revenue"
        items.append(text + ".")

    model = chosen_forecast_model(data)
    if model is not None and "forecast_wape" in f:
        items.append(
            f"Demand is forecast with {_name(model)}, the model with the lowest pooled backtest "
            f"WAPE: {_fig(f, 'forecast_wape')}."
        )
    elif model is not None:
        items.append(f"Demand is forecast with {_name(model)} (no backtest accuracy found).")
    else:
        items.append("No demand forecast: " + data.empty_reason("fct_demand_forecast") + ".")

    cards = [
        ("cost_optimised", "cost_do_nothing"),
        ("fill_rate_after", "fill_rate_before"),
        ("units_transferred", "units_central"),
        ("stores_flagged", "cases_flagged"),
        ("balance_index_after", "balance_index_before"),
        ("forecast_wape", None),
    ]
    card_html = []
    for main, other in cards:
        if main not in f:
            continue
        sub = ""
        if other and other in f:
            sub = f'<div class="sub">{_esc(FIGURE_SPECS[other].label)}: {_fig(f, other)}</div>'
        card_html.append(
            f'<div class="card"><div class="label">{_esc(FIGURE_SPECS[main].label)}</div>'
            f'<div class="big">{_fig(f, main)}</div>{sub}</div>'
        )
    cards_block = f'<div class="cards">{"".join(card_html)}</div>' if card_html else ""
    bullets = "".join(f"<li>{item}</li>" for item in items)
    return f'{cards_block}<ul class="summary">{bullets}</ul>'


def _heatmap(
    ax: plt.Axes,
    matrix: pd.DataFrame,
    fmt: Callable[[float], str],
    cmap: str,
    label: str,
    percent: bool = False,
) -> None:
    values = matrix.to_numpy(dtype=float)
    image = ax.imshow(values, aspect="auto", cmap=cmap)
    ax.set_xticks(range(matrix.shape[1]))
    rotate = matrix.shape[1] > 6 or max((len(str(c)) for c in matrix.columns), default=0) > 10
    ax.set_xticklabels(
        [_truncate(str(c), 22) for c in matrix.columns],
        rotation=40 if rotate else 0,
        ha="right" if rotate else "center",
        fontsize=8,
    )
    ax.set_yticks(range(matrix.shape[0]))
    ax.set_yticklabels([_truncate(str(r), 22) for r in matrix.index], fontsize=8)
    finite = values[np.isfinite(values)]
    threshold = (finite.min() + finite.max()) / 2 if finite.size else 0
    # annotate cells only while they are wide enough for the text
    if matrix.shape[1] <= 16:
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                if np.isfinite(values[i, j]):
                    ax.text(
                        j,
                        i,
                        fmt(values[i, j]),
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if values[i, j] > threshold else "#222222",
                    )
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label(label, fontsize=8)
    bar.ax.tick_params(labelsize=7)
    _thousands(bar.ax, "y", percent=percent)


def _section_heatmap(data: ReportData) -> str:
    frame = data.sales_region_category
    if frame.empty or float(frame["units_sold"].fillna(0).sum()) <= 0:
        return _empty("No sales to map: " + data.empty_reason("fct_sales_daily") + ".")
    totals = frame.groupby("category")["units_sold"].sum()
    keep, other = _top_with_other(totals, TOP_CATEGORIES)
    frame = frame.assign(
        category=frame["category"].where(frame["category"].isin(keep), other or "")
    )
    units = frame.pivot_table(
        index="region", columns="category", values="units_sold", aggfunc="sum", fill_value=0.0
    )
    units = units[[c for c in [*keep, other] if c in units.columns]]
    share = units.div(units.sum(axis=1).replace(0, np.nan), axis=0)
    height = 1.4 + 0.5 * units.shape[0]
    if units.shape[1] <= 6:  # few categories: the two panels side by side
        fig, axes = plt.subplots(1, 2, figsize=(12, height + 0.6))
    else:  # many: stacked, each as wide as the page
        width = max(9.0, min(14.0, 3.0 + 0.7 * units.shape[1]))
        fig, axes = plt.subplots(2, 1, figsize=(width, 2 * height + 2.0))
    _heatmap(axes[0], units, _compact, "Blues", "units sold")
    axes[0].set_title("Units sold by region and category", fontsize=10, loc="left")
    _heatmap(axes[1], share, lambda v: f"{v:.0%}", "Greens", "share of the region's units", True)
    axes[1].set_title("Category mix: share of each region's units sold", fontsize=10, loc="left")
    fig.tight_layout()
    period = data.sales_period
    when = (
        f" from {period.first_date.iloc[0]:%Y-%m-%d} to {period.last_date.iloc[0]:%Y-%m-%d}"
        if len(period)
        else ""
    )
    caption = (
        f"Units sold{when}. The category-mix panel compares the mix of regions of different size."
    )
    if other:
        caption += f" The {len(totals) - len(keep)} smallest categories are merged into '{other}'."
    regions_share = share.idxmax(axis=1)
    strongest = "; ".join(
        f"{_truncate(str(r), 24)}: {_truncate(str(c), 24)} ({share.loc[r, c]:.0%})"
        for r, c in regions_share.items()
        if isinstance(c, str)
    )
    lead = _note(f"Largest category share per region - {strongest}.") if strongest else ""
    return _chart(fig, "Heatmap of units sold by region and category", caption) + lead


def _section_store_performance(data: ReportData) -> str:
    parts: list[str] = []
    kpi = data.kpi_store
    if kpi.empty:
        parts.append(_empty("No store KPIs: " + data.empty_reason("kpi_store") + "."))
    else:
        kpi = kpi.assign(
            label=[_store_label(s, n) for s, n in zip(kpi.store_id, kpi.store_name, strict=True)]
        )
        has_revenue = float(kpi["revenue_28d"].fillna(0).sum()) > 0
        measure = "revenue_28d" if has_revenue else "units_sold_28d"
        measure_label = (
            "revenue, last 4 weeks (currency units)" if has_revenue else "units sold, last 4 weeks"
        )
        ranked = kpi.sort_values(measure, ascending=False)
        shown = ranked.head(TOP_STORES).iloc[::-1]
        colours = _region_colours(kpi["region"].dropna().astype(str).unique())
        height = 1.2 + 0.32 * len(shown)
        fig, axes = plt.subplots(
            1, 2, figsize=(12, height), sharey=True, gridspec_kw={"width_ratios": [3, 2]}
        )
        y = np.arange(len(shown))
        bar_colours = [colours.get(str(r), "#999999") for r in shown.region]
        axes[0].barh(y, shown[measure].astype(float), color=bar_colours)
        axes[0].set_yticks(y)
        axes[0].set_yticklabels([_short(s, 34) for s in shown.label], fontsize=8)
        axes[0].set_xlabel(measure_label, fontsize=8)
        axes[0].set_title("Sales per store", fontsize=10, loc="left")
        for yi, v in zip(y, shown[measure].astype(float), strict=True):
            axes[0].text(v, yi, " " + _compact(v), va="center", fontsize=7)
        _thousands(axes[0])
        axes[1].barh(y, shown["stockout_frequency_28d"].astype(float), color=bar_colours, alpha=0.8)
        axes[1].set_xlabel(
            "stock-out frequency, last 4 weeks (% of store x product days)", fontsize=8
        )
        axes[1].set_title("Stock-out frequency", fontsize=10, loc="left")
        _thousands(axes[1], percent=True)
        for ax in axes:
            _style_axes(ax)
            ax.margins(x=0.12)
        handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
        _legend_below(
            fig, axes[0], min(6, len(colours)), title="region", entries=(handles, list(colours))
        )
        caption = f"Stores ranked by {measure_label}"
        if len(kpi) > len(shown):
            caption += f"; the top {len(shown)} of {len(kpi)} stores are shown"
        parts.append(
            _chart(fig, "Store performance: sales and stock-out frequency per store", caption + ".")
        )

        table = ranked.head(TOP_STORES)
        columns = [
            _Col("label", "Store"),
            _Col("region", "Region"),
            _Col("store_format", "Format"),
        ]
        if has_revenue:
            columns.append(_Col("revenue_28d", "Revenue, 4 weeks", _num, True))
        columns += [
            _Col("units_sold_28d", "Units sold, 4 weeks", _num, True),
            _Col("average_order_value_28d", "Average order value", lambda v: _num(v, 2), True),
            _Col("days_of_supply_before", "Days of supply", lambda v: _num(v, 1), True),
            _Col("inventory_turnover_before", "Turnover (turns/yr)", lambda v: _num(v, 1), True),
            _Col("stockout_frequency_28d", "Stock-out frequency", _pct, True),
        ]
        parts.append(_table(table, columns))
        if kpi["average_order_value_28d"].isna().all():
            parts.append(_note("Average order value is n/a: this dataset has no customer orders."))
    segments = data.customer_segments
    if segments.empty:
        parts.append(
            _empty(
                "No customer segments: this dataset has no customer orders ("
                + data.empty_reason("customer_segment_profiles")
                + ")."
            )
        )
    else:
        parts.append("<h3>Customer segments (from customer orders)</h3>")
        parts.append(
            _table(
                segments,
                [
                    _Col("segment_id", "Segment"),
                    _Col("customer_count", "Customers", _num, True),
                    _Col(
                        "mean_recency_days",
                        "Days since last order (mean)",
                        lambda v: _num(v, 1),
                        True,
                    ),
                    _Col(
                        "mean_frequency_orders",
                        "Orders per customer (mean)",
                        lambda v: _num(v, 1),
                        True,
                    ),
                    _Col(
                        "mean_monetary_amount",
                        "Spend per customer (mean)",
                        lambda v: _num(v, 2),
                        True,
                    ),
                    _Col(
                        "mean_average_order_value",
                        "Average order value (mean)",
                        lambda v: _num(v, 2),
                        True,
                    ),
                ],
            )
        )
    return "".join(parts)


def _section_seasonal(data: ReportData) -> str:
    frame = data.sales_month_category
    if frame.empty or float(frame["units_sold"].fillna(0).sum()) <= 0:
        return _empty("No monthly sales: " + data.empty_reason("fct_sales_daily") + ".")
    frame = frame.assign(month=pd.to_datetime(frame["month"]))
    totals = frame.groupby("category")["units_sold"].sum()
    keep, other = _top_with_other(totals, TOP_SERIES)
    frame = frame.assign(
        category=frame["category"].where(frame["category"].isin(keep), other or "")
    )
    # days with sales per month, so partial first/last months are not read as dips
    days = frame.groupby("month")["days"].max()
    units = frame.pivot_table(
        index="month", columns="category", values="units_sold", aggfunc="sum", fill_value=0.0
    )
    units = units[[c for c in [*keep, other] if c in units.columns]]
    per_day = units.div(days, axis=0)
    labels = [f"{m:%b %Y}" for m in per_day.index]
    colours = plt.get_cmap("tab10").colors
    fig, axes = plt.subplots(2, 1, figsize=(12, 8.2), sharex=True)
    bottom = np.zeros(len(per_day))
    x = np.arange(len(per_day))
    for i, category in enumerate(per_day.columns):
        vals = per_day[category].to_numpy(dtype=float)
        axes[0].bar(
            x,
            vals,
            bottom=bottom,
            color=colours[i % 10],
            label=_truncate(str(category), 26),
            width=0.8,
        )
        bottom += vals
    axes[0].set_ylabel("average units sold per day", fontsize=8)
    axes[0].set_title("Average daily units sold per month, by category", fontsize=10, loc="left")
    _thousands(axes[0], "y")
    # seasonal index: the month against the category's own average month (1.0 = average)
    index = per_day / per_day.mean(axis=0).replace(0, np.nan)
    for i, category in enumerate(index.columns):
        axes[1].plot(
            x,
            index[category].to_numpy(dtype=float),
            marker="o",
            ms=3,
            lw=1.4,
            color=colours[i % 10],
        )
    axes[1].axhline(1.0, color="#555555", lw=0.8, ls="--")
    axes[1].set_ylabel("seasonal index (1.0 = category's average month)", fontsize=8)
    axes[1].set_title("Seasonality of each category", fontsize=10, loc="left")
    axes[1].set_xticks(x)
    axes[1].set_xticklabels(
        labels,
        rotation=45 if len(labels) > 8 else 0,
        ha="right" if len(labels) > 8 else "center",
        fontsize=8,
    )
    for ax in axes:
        _style_axes(ax)
        ax.grid(axis="y", color="#e0e0e0", lw=0.6)
        ax.grid(axis="x", visible=False)
    _legend_below(fig, axes[0], min(5, len(per_day.columns)), title="category", fontsize=8)
    partial = [
        f"{m:%b %Y} ({int(d)} days)" for m, d in days.items() if d < pd.Timestamp(m).days_in_month
    ]
    caption = "Units per day of data in each month, so partial months compare fairly"
    if partial:
        caption += "; partial months: " + ", ".join(partial)
    if other:
        caption += f". The {len(totals) - len(keep)} smallest categories are merged into '{other}'"
    peaks = "; ".join(
        f"{_truncate(str(c), 24)}: {index[c].idxmax():%b %Y} ({index[c].max():.2f})"
        for c in index.columns
        if index[c].notna().any()
    )
    return _chart(
        fig, "Seasonal category distribution: monthly units per day by category", caption + "."
    ) + _note(f"Peak month per category (seasonal index) - {peaks}.")


def _fits(label: str, width_in: float, height_in: float, fontsize: float, lines: int = 1) -> bool:
    char_w = fontsize * 0.6 / 72  # inches per character, a little generous for DejaVu Sans
    line_h = fontsize * 1.35 / 72
    return len(label) * char_w <= width_in * 0.92 and lines * line_h <= height_in * 0.9


def _section_treemap(data: ReportData) -> str:
    frame = data.sales_region_category
    measure, measure_label = _sales_measure(data)
    if frame.empty or float(frame[measure].fillna(0).sum()) <= 0:
        return _empty("No sales for the treemap: " + data.empty_reason("fct_sales_daily") + ".")
    frame = frame[frame[measure].fillna(0) > 0]
    by_region = frame.groupby("region")[measure].sum().sort_values(ascending=False)
    fig_w, fig_h = 12.0, 7.0
    fig, ax = plt.subplots(figsize=(fig_w, fig_h))
    ax.set_xlim(0, fig_w)
    ax.set_ylim(0, fig_h)
    ax.invert_yaxis()  # lay out from the top left like a page
    ax.axis("off")
    grand = float(by_region.sum())
    colours = _region_colours(by_region.index.astype(str))
    header = 0.28  # inches reserved for the region's name
    for (region, total), (rx, ry, rw, rh) in zip(
        by_region.items(), squarify(by_region.tolist(), (0, 0, fig_w, fig_h)), strict=True
    ):
        ax.add_patch(plt.Rectangle((rx, ry), rw, rh, facecolor="white", edgecolor="white", lw=3))
        base = colours[str(region)]
        title = f"{region} - {_compact(total)} ({_share(total / grand)})"
        show_header = rh > header * 2 and _fits(title, rw, header, 9)
        inner_y = ry + (header if show_header else 0.04)
        inner = (rx + 0.04, inner_y, max(rw - 0.08, 0), max(rh - (inner_y - ry) - 0.04, 0))
        if show_header:
            ax.text(
                rx + 0.08,
                ry + header / 2,
                title,
                va="center",
                ha="left",
                fontsize=9,
                fontweight="bold",
                color=base,
            )
        cats = frame[frame.region == region].sort_values(measure, ascending=False)
        tiles = squarify(cats[measure].tolist(), inner)
        for k, ((_, row), (cx, cy, cw, ch)) in enumerate(zip(cats.iterrows(), tiles, strict=True)):
            alpha = 0.95 - 0.55 * (k / max(len(cats) - 1, 1))
            ax.add_patch(
                plt.Rectangle(
                    (cx, cy), cw, ch, facecolor=base, alpha=alpha, edgecolor="white", lw=1.2
                )
            )
            name = _truncate(str(row["category"]), 22)
            value = f"{_compact(float(row[measure]))} ({_share(float(row[measure]) / total)})"
            label = dict(ha="center", va="center", color="white" if alpha > 0.6 else "#222222")
            centre = (cx + cw / 2, cy + ch / 2)
            if _fits(max(name, value, key=len), cw, ch, 8, lines=2):
                ax.text(*centre, f"{name}\n{value}", fontsize=8, **label)
            elif _fits(name, cw, ch, 7):
                ax.text(*centre, name, fontsize=7, **label)
            elif _fits(max(name, value, key=len), ch, cw, 7, lines=2):
                # tall narrow tile: write along it
                ax.text(*centre, f"{name}\n{value}", fontsize=7, rotation=90, **label)
    # regions too narrow for their title are still named in the legend
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[str(r)]) for r in by_region.index]
    labels = [
        f"{_truncate(str(r), 24)}: {_compact(v)} ({_share(v / grand)})"
        for r, v in by_region.items()
    ]
    fig.legend(
        handles, labels, loc="lower center", ncols=min(5, len(labels)), fontsize=8, frameon=False
    )
    rows = math.ceil(len(labels) / min(5, len(labels)))
    fig.tight_layout(pad=0.2, rect=(0, (0.15 + 0.22 * rows) / fig_h, 1, 1))
    caption = (
        f"Area = {measure_label} over the whole sales history, region > category; the share in "
        "brackets is of the region (region titles: of the network). Tiles too small to label are "
        "left unlabelled."
    )
    return _chart(fig, f"Treemap of {measure_label} by region and category", caption)


def _section_transfers(data: ReportData) -> str:
    transfers = data.transfers
    if transfers.empty:
        if len(data.plan_totals):
            return _empty("The recommended plan needs no store-to-store transfers in this run.")
        return _empty(
            "No transfer plan: "
            + data.empty_reason("fct_transfer_plan", "fct_replenishment_plan")
            + "."
        )
    top = transfers.head(TOP_TRANSFERS).copy()
    top["from_label"] = [
        _store_label(s, n) for s, n in zip(top.from_store_id, top.from_store_name, strict=True)
    ]
    top["to_label"] = [
        _store_label(s, n) for s, n in zip(top.to_store_id, top.to_store_name, strict=True)
    ]
    top["product_label"] = [
        _store_label(p, n) for p, n in zip(top.product_id, top.product_name, strict=True)
    ]
    shown = top.iloc[::-1]
    fig, ax = plt.subplots(figsize=(11, 1.0 + 0.42 * len(shown)))
    y = np.arange(len(shown))
    colours = _region_colours(
        pd.concat([transfers.from_region, transfers.to_region]).dropna().astype(str).unique()
    )
    ax.barh(
        y,
        shown.units.astype(float),
        color=[colours.get(str(r), "#999999") for r in shown.to_region],
    )
    ax.set_yticks(y)
    ax.set_yticklabels(
        [
            f"{_short(f, 30)} → {_short(t, 30)}\n{_short(p, 44)}"
            for f, t, p in zip(shown.from_label, shown.to_label, shown.product_label, strict=True)
        ],
        fontsize=7,
    )
    for yi, (u, d) in zip(
        y, zip(shown.units.astype(float), shown.distance_km.astype(float), strict=True), strict=True
    ):
        ax.text(u, yi, f" {_units(u)} units, {d:,.0f} km", va="center", fontsize=7)
    ax.set_xlabel("units transferred", fontsize=8)
    ax.set_title(
        "Largest store-to-store transfers of the recommended plan", fontsize=10, loc="left"
    )
    ax.margins(x=0.25)
    _style_axes(ax)
    _thousands(ax)
    fig.tight_layout()
    caption = "Bars coloured by the receiving store's region"
    if len(transfers) > len(top):
        caption += f"; the {len(top)} largest of {len(transfers)} transfers"
    chart = _chart(fig, "Top transfers by units", caption + ".")
    cross = transfers[transfers.from_region.astype(str) != transfers.to_region.astype(str)]
    note = _note(
        f"{len(transfers):,} transfers move {_units(transfers.units.sum())} units for "
        f"{_num(transfers.transfer_cost.sum())} in transport cost; {len(cross):,} of them cross a region boundary."
    )
    table = _table(
        top,
        [
            _Col("from_label", "From store"),
            _Col("to_label", "To store"),
            _Col("product_label", "Product"),
            _Col("units", "Units", _units, True),
            _Col("distance_km", "Distance (km)", _num, True),
            _Col("lead_time_days", "Lead time (days)", lambda v: _num(v, 1), True),
            _Col("transfer_cost", "Transport cost", lambda v: _num(v, 2), True),
        ],
    )
    return chart + note + table


def _section_balance(data: ReportData) -> str:
    region = data.kpi_region
    stores = data.kpi_store
    if region.empty:
        return _empty("No before/after balance: " + data.empty_reason("kpi_region") + ".")
    parts = []
    region = region.sort_values("regional_balance_index_before", ascending=False)
    fig, ax = plt.subplots(figsize=(10, 1.2 + 0.55 * len(region)))
    y = np.arange(len(region))[::-1]
    h = 0.38
    before = region.regional_balance_index_before.astype(float)
    after = region.regional_balance_index_after.astype(float)
    ax.barh(y + h / 2, before, h, color=BEFORE_COLOUR, label="before the plan")
    ax.barh(y - h / 2, after, h, color=AFTER_COLOUR, label="after the plan")
    for yi, b, a in zip(y, before, after, strict=True):
        ax.text(b, yi + h / 2, f" {b:.3f}", va="center", fontsize=7)
        ax.text(a, yi - h / 2, f" {a:.3f}", va="center", fontsize=7)
    ax.set_yticks(y)
    ax.set_yticklabels([_truncate(str(r), 26) for r in region.region], fontsize=8)
    ax.set_xlabel(
        "regional balance index (coefficient of variation of store days of supply; 0 = even)",
        fontsize=8,
    )
    ax.set_title("Regional balance index before and after the plan", fontsize=10, loc="left")
    ax.legend(fontsize=8, loc="lower right")
    ax.margins(x=0.15)
    _style_axes(ax)
    fig.tight_layout()
    parts.append(
        _chart(
            fig,
            "Regional balance index before and after",
            "Lower is more even stock across a region's stores.",
        )
    )

    if not stores.empty:
        frame = stores.assign(
            label=[
                _store_label(s, n) for s, n in zip(stores.store_id, stores.store_name, strict=True)
            ],
            change=(
                stores.days_of_supply_after.astype(float)
                - stores.days_of_supply_before.astype(float)
            ).abs(),
        )
        note = ""
        if len(frame) > 60:
            # big networks: the stores the plan changes most, so the chart stays readable
            frame = frame.sort_values("change", ascending=False).head(60)
            note = f"; the 60 stores whose days of supply change most, of {len(stores)}"
        frame = frame.sort_values(["region", "days_of_supply_before"], ascending=[False, True])
        fig, ax = plt.subplots(figsize=(11, 1.3 + 0.3 * len(frame)))
        y = np.arange(len(frame))
        b = frame.days_of_supply_before.astype(float).to_numpy()
        a = frame.days_of_supply_after.astype(float).to_numpy()
        ax.hlines(y, np.minimum(a, b), np.maximum(a, b), color="#90caf9", lw=2)
        ax.scatter(b, y, color=BEFORE_COLOUR, s=22, label="before the plan", zorder=3)
        ax.scatter(a, y, color=AFTER_COLOUR, s=22, label="after the plan", zorder=3)
        colours = _region_colours(stores.region.dropna().astype(str).unique())
        ax.set_yticks(y)
        ax.set_yticklabels(
            [
                f"{_truncate(str(r), 14)} | {_short(s, 34)}"
                for r, s in zip(frame.region, frame.label, strict=True)
            ],
            fontsize=7,
        )
        for tick, r in zip(ax.get_yticklabels(), frame.region, strict=True):
            tick.set_color(colours.get(str(r), "#333333"))
        medians = region.set_index("region")
        for r in frame.region.unique():
            positions = y[frame.region.to_numpy() == r]
            level = float(medians.loc[r, "days_of_supply_after"]) if r in medians.index else np.nan
            if np.isfinite(level):
                ax.vlines(
                    level,
                    positions.min() - 0.4,
                    positions.max() + 0.4,
                    color=colours.get(str(r), "#333"),
                    lw=1,
                    ls=":",
                )
        ax.set_xlabel("days of supply (units on hand / daily demand)", fontsize=8)
        ax.set_title("Days of supply per store, before and after the plan", fontsize=10, loc="left")
        ax.set_ylim(-0.7, len(frame) - 0.3)  # no blank rows above and below the stores
        ax.legend(fontsize=8, loc="lower right")
        _style_axes(ax)
        fig.tight_layout()
        parts.append(
            _chart(
                fig,
                "Days of supply per store before and after",
                "Store labels coloured by region; dotted line = the region's days of supply after the plan"
                + note
                + ".",
            )
        )
    parts.append(
        _table(
            region,
            [
                _Col("region", "Region"),
                _Col("store_count", "Stores", _num, True),
                _Col("days_of_supply_before", "Days of supply before", lambda v: _num(v, 1), True),
                _Col("days_of_supply_after", "Days of supply after", lambda v: _num(v, 1), True),
                _Col(
                    "regional_balance_index_before",
                    "Balance index before",
                    lambda v: _num(v, 3),
                    True,
                ),
                _Col(
                    "regional_balance_index_after",
                    "Balance index after",
                    lambda v: _num(v, 3),
                    True,
                ),
                _Col("transfer_in_units", "Units in", _units, True),
                _Col("transfer_out_units", "Units out", _units, True),
                _Col("central_allocation_units", "Units from central supply", _units, True),
            ],
        )
    )
    return "".join(parts)


def _cost_bars(
    ax: plt.Axes, frame: pd.DataFrame, labels: Sequence[str], extra: Sequence[str] = ()
) -> None:
    y = np.arange(len(frame))[::-1]
    left = np.zeros(len(frame))
    for (column, name), colour in zip(COST_COMPONENTS, COMPONENT_COLOURS, strict=True):
        vals = frame[column].fillna(0).astype(float).to_numpy()
        ax.barh(y, vals, left=left, color=colour, label=name, height=0.6)
        left += vals
    for i, (yi, total) in enumerate(zip(y, frame.total_cost.astype(float), strict=True)):
        suffix = f"  {extra[i]}" if extra else ""
        ax.text(left[i], yi, f" {_num(total)}{suffix}", va="center", fontsize=7)
    ax.set_yticks(y)
    ax.set_yticklabels([_truncate(label, 58) for label in labels], fontsize=8)
    ax.set_xlabel("cost over the planning horizon (currency units)", fontsize=8)
    ax.margins(x=0.28)
    _style_axes(ax)
    _thousands(ax)


def _section_scenarios(data: ReportData) -> str:
    parts = []
    costs = data.plan_costs
    if costs.empty:
        parts.append(
            _empty("No plan costs: " + data.empty_reason("allocation_cost_breakdown") + ".")
        )
    else:
        order = [p for p in PLAN_LABELS if p in set(costs.plan_name)] + [
            p for p in costs.plan_name if p not in PLAN_LABELS
        ]
        costs = costs.set_index("plan_name").loc[order].reset_index()
        fig, ax = plt.subplots(figsize=(11, 1.4 + 0.5 * len(costs)))
        _cost_bars(ax, costs, [PLAN_LABELS.get(p, p) for p in costs.plan_name])
        ax.set_title("The recommended plan against its alternatives", fontsize=10, loc="left")
        _legend_below(fig, ax, 5)
        parts.append(
            _chart(
                fig,
                "Cost of the plan, doing nothing, decentralised and the Z-score moves",
                "Each alternative priced with the same cost model: holding, stock-out penalty, transport, production and distribution.",
            )
        )
        parts.append(
            _table(
                costs.assign(plan=[PLAN_LABELS.get(p, p) for p in costs.plan_name]),
                [
                    _Col("plan", "Plan"),
                    _Col("plan_status", "Status"),
                    *(_Col(c, name.capitalize(), _num, True) for c, name in COST_COMPONENTS),
                    _Col("total_cost", "Total", _num, True),
                ],
            )
        )
    scenarios = data.scenarios
    if scenarios.empty:
        parts.append(_empty("No scenarios: " + data.empty_reason("scenario_comparison") + "."))
    else:
        scenarios = scenarios.sort_values("total_cost")
        labels = [
            _text(d) if not _is_missing(d) else _text(s)
            for s, d in zip(scenarios.scenario_id, scenarios.scenario_description, strict=True)
        ]
        extra = [
            f"fill {_pct(f)}" + ("" if str(s) == "optimal" else f" ({s})")
            for f, s in zip(scenarios.fill_rate, scenarios.plan_status, strict=True)
        ]
        fig, ax = plt.subplots(figsize=(11, 1.4 + 0.45 * len(scenarios)))
        _cost_bars(ax, scenarios, labels, extra)
        ax.set_title("Scenarios solved with the same model", fontsize=10, loc="left")
        _legend_below(fig, ax, 5)
        parts.append(
            _chart(
                fig,
                "Scenario comparison: total cost by component",
                "Scenarios sorted by total cost; fill rate of forecast demand at the end of each bar.",
            )
        )
        parts.append(
            _table(
                scenarios,
                [
                    _Col("scenario_id", "Scenario"),
                    _Col("scenario_description", "What changes"),
                    _Col("plan_status", "Status"),
                    _Col("total_cost", "Total cost", _num, True),
                    _Col("demand_units", "Demand (units)", _units, True),
                    _Col("stockout_units", "Unserved (units)", _units, True),
                    _Col("fill_rate", "Fill rate", _pct, True),
                    _Col("units_transferred", "Units transferred", _units, True),
                    _Col("units_produced", "Units produced", _units, True),
                ],
            )
        )
    status = data.plan_status
    if len(status):
        not_optimal = status[status.solver_status.astype(str) != "optimal"]
        if len(not_optimal):
            parts.append(
                _note(
                    f"{len(not_optimal):,} of {len(status):,} products were not solved to optimality: "
                    + "; ".join(
                        f"{p}: {s} ({_text(e)})"
                        for p, s, e in zip(
                            not_optimal.product_id.head(10),
                            not_optimal.solver_status.head(10),
                            not_optimal.explanation.head(10),
                            strict=True,
                        )
                    )
                )
            )
        else:
            parts.append(_note(f"All {len(status):,} products were solved to optimality."))
    return "".join(parts)


def _section_forecast(data: ReportData) -> str:
    acc = data.forecast_accuracy
    model = chosen_forecast_model(data)
    if acc.empty:
        text = "No forecast backtest: " + data.empty_reason("forecast_accuracy") + "."
        if model:
            text += f" The forecast in marts.fct_demand_forecast comes from {model}."
        return _empty(text)
    pooled = acc[acc.backtest_window == 0]
    overall = pooled[pooled.segment_type == "all"].set_index("model_name")
    frn = pooled[pooled.segment_type == "frn_benchmark"].set_index("model_name")
    if overall.empty:
        return _empty("The backtest has no pooled rows (backtest_window = 0) to compare models on.")
    overall = overall.sort_values("wape")
    models = list(overall.index)
    parts = []
    fig, axes = plt.subplots(
        1, 2, figsize=(12, 1.6 + 0.5 * len(models)), gridspec_kw={"width_ratios": [1, 1]}
    )
    y = np.arange(len(models))[::-1]
    h = 0.38 if len(frn) else 0.6
    axes[0].barh(
        y + (h / 2 if len(frn) else 0),
        overall.wape.astype(float),
        h,
        color=[AFTER_COLOUR if m == model else "#90a4ae" for m in models],
        label="all scored rows",
    )
    for yi, v in zip(y, overall.wape.astype(float), strict=True):
        axes[0].text(v, yi + (h / 2 if len(frn) else 0), f" {v:.1%}", va="center", fontsize=7)
    if len(frn):
        vals = frn.reindex(models).wape.astype(float)
        axes[0].barh(
            y - h / 2, vals, h, color="#ffb74d", label="FreshRetailNet benchmark convention"
        )
        for yi, v in zip(y, vals, strict=True):
            if np.isfinite(v):
                axes[0].text(v, yi - h / 2, f" {v:.1%}", va="center", fontsize=7)
    axes[0].set_yticks(y)
    axes[0].set_yticklabels([f"{m} (chosen)" if m == model else str(m) for m in models], fontsize=8)
    axes[0].set_xlabel("WAPE, all backtest windows pooled (lower is better)", fontsize=8)
    axes[0].set_title("Forecast error per model", fontsize=10, loc="left")
    axes[0].margins(x=0.2)
    _thousands(axes[0], percent=True)
    windows = acc[(acc.backtest_window > 0) & (acc.segment_type == "all")]
    if len(windows):
        for i, m in enumerate(models):
            w = windows[windows.model_name == m].sort_values("backtest_window")
            axes[1].plot(
                w.backtest_window.astype(int),
                w.wape.astype(float),
                marker="o",
                ms=3,
                lw=2.2 if m == model else 1.2,
                color=plt.get_cmap("tab10").colors[i % 10],
                label=str(m),
            )
        axes[1].set_xlabel("backtest window (1 = oldest)", fontsize=8)
        axes[1].set_ylabel("WAPE", fontsize=8)
        axes[1].set_xticks(sorted(windows.backtest_window.astype(int).unique()))
        axes[1].set_title("Error per backtest window", fontsize=10, loc="left")
        axes[1].legend(fontsize=7)
        _thousands(axes[1], "y", percent=True)
        axes[1].grid(axis="y", color="#e0e0e0", lw=0.6)
    else:
        axes[1].axis("off")
        axes[1].text(
            0.5,
            0.5,
            "single backtest window",
            ha="center",
            va="center",
            fontsize=9,
            color="#666666",
            transform=axes[1].transAxes,
        )
    for ax in axes:
        _style_axes(ax)
    if len(frn):
        _legend_below(fig, axes[0], 2)
    else:
        fig.tight_layout()
    caption = "WAPE = sum of absolute errors / sum of sales, on days without a stock-out."
    if len(frn):
        caption += " The FreshRetailNet benchmark convention averages daily WAPE over rows without stock-out hours 06:00-22:00."
    parts.append(_chart(fig, "Forecast accuracy per model", caption))
    table = overall.reset_index().assign(
        frn_wape=lambda t: t.model_name.map(frn.wape) if len(frn) else np.nan,
        chosen=lambda t: np.where(t.model_name == model, "chosen", ""),
    )
    columns = [
        _Col("model_name", "Model"),
        _Col("chosen", ""),
        _Col("wape", "WAPE", _pct, True),
        _Col("wpe", "Bias (WPE)", _pct, True),
        _Col("mase", "MASE", lambda v: _num(v, 2), True),
        _Col("coverage_80", "80% interval coverage", _pct, True),
        _Col("coverage_95", "95% interval coverage", _pct, True),
        _Col("scored_rows", "Rows scored", _num, True),
    ]
    if len(frn):
        columns.insert(3, _Col("frn_wape", "WAPE (FreshRetailNet convention)", _pct, True))
    parts.append(_table(table, columns))
    if model is None:
        parts.append(
            _note("No forecast in marts.fct_demand_forecast, so no model is marked as chosen.")
        )
    else:
        segments = pooled[
            (pooled.model_name == model) & pooled.segment_type.isin(["category", "volume_band"])
        ]
        if len(segments):
            parts.append(f"<h3>Chosen model {_esc(model)} by segment</h3>")
            parts.append(
                _table(
                    segments.sort_values(["segment_type", "wape"]).head(40),
                    [
                        _Col("segment_type", "Segment type"),
                        _Col("segment_value", "Segment"),
                        _Col("wape", "WAPE", _pct, True),
                        _Col("wpe", "Bias (WPE)", _pct, True),
                        _Col("coverage_80", "80% coverage", _pct, True),
                        _Col("scored_rows", "Rows scored", _num, True),
                    ],
                )
            )
    return "".join(parts)


METRIC_LABELS = {"days_of_cover": "days of cover", "unit_share": "unit share"}


def _section_zscore(data: ReportData) -> str:
    cases = data.zscore_cases
    parts = []
    evaluation = data.rule_evaluation
    if (
        len(evaluation)
        and not _is_missing(evaluation.planted_cases.iloc[0])
        and evaluation.planted_cases.iloc[0] > 0
    ):
        e = evaluation.iloc[0]
        parts.append(
            _note(
                f"Against the {int(e.planted_cases):,} imbalances planted in the demo data: {int(e.planted_cases_flagged):,} found "
                f"({int(e.planted_cases_flagged_same_direction):,} in the planted direction), recall {_pct(e.recall)}, "
                f"precision {_pct(e.precision_vs_planted)} of {int(e.flagged_cases):,} flags."
            )
        )
    else:
        parts.append(
            _note(
                "This dataset has no planted imbalances, so the rule's flags cannot be checked against known cases."
            )
        )
    if cases.empty:
        if len(data.zscore_flag_counts):
            parts.append(_empty("The Z-score rule flags no store x subcategory case in this run."))
        else:
            parts.append(
                _empty(
                    "No Z-score analysis: " + data.empty_reason("imbalanced_zscore_analysis") + "."
                )
            )
        return "".join(parts)
    details = data.zscore_details
    case_keys = ["store_id", "subcategory"]
    if len(details):
        per_case = details.groupby(case_keys, as_index=False).agg(
            metric_before=("metric_before", "first"),
            metric_after=("metric_after", "first"),
            units_to_mean=("units_to_mean", "first"),
            units_matched=("units_matched", "first"),
            units_unmatched=("units_unmatched", "first"),
            unmatched_reason=("unmatched_reason", "first"),
            moves=("move_id", "count"),
        )
        cases = cases.merge(per_case, on=case_keys, how="left")
    else:
        for c in (
            "metric_before",
            "metric_after",
            "units_to_mean",
            "units_matched",
            "units_unmatched",
            "unmatched_reason",
            "moves",
        ):
            cases[c] = np.nan
    cases = cases.assign(
        label=[_store_label(s, n) for s, n in zip(cases.store_id, cases.store_name, strict=True)]
    )
    # big networks flag hundreds of cases: show the largest |z| of each direction, so the chart
    # has both stores holding too much and stores holding too little
    per_flag = [g.head(TOP_CASES // 2) for _, g in cases.groupby("imbalance_flag", sort=False)]
    top = pd.concat(per_flag) if per_flag else cases.head(0)
    top = pd.concat([top, cases.drop(top.index)]).head(TOP_CASES)
    top = top.reindex(top.z_score.abs().sort_values(ascending=False).index)
    shown = top.iloc[::-1]
    metric = METRIC_LABELS.get(str(cases.metric_name.iloc[0]), str(cases.metric_name.iloc[0]))
    fig, ax = plt.subplots(figsize=(11, 1.4 + 0.36 * len(shown)))
    y = np.arange(len(shown))
    before = shown.metric_value.astype(float).to_numpy()
    after = shown.metric_after.astype(float).to_numpy()
    mean = shown.cluster_mean.astype(float).to_numpy()
    has_after = np.isfinite(after)
    ax.hlines(
        y[has_after],
        np.minimum(before, after)[has_after],
        np.maximum(before, after)[has_after],
        color="#90caf9",
        lw=2,
    )
    ax.scatter(mean, y, marker="|", s=160, color="#333333", label="cluster mean", zorder=3)
    colours = np.where(shown.imbalance_flag == "over", "#d62728", "#ff9800")
    ax.scatter(
        before,
        y,
        color=colours,
        s=28,
        zorder=4,
        label="before the rule's moves (red over, orange under)",
    )
    ax.scatter(
        after[has_after],
        y[has_after],
        color=AFTER_COLOUR,
        s=28,
        zorder=4,
        label="after the rule's moves",
    )
    ax.set_yticks(y)
    ax.set_yticklabels(
        [
            f"{_short(s, 32)} | {_truncate(str(c), 18)} (z {z:+.1f})"
            for s, c, z in zip(
                shown.label, shown.subcategory, shown.z_score.astype(float), strict=True
            )
        ],
        fontsize=7,
    )
    ax.set_xlabel(f"{metric} of the subcategory in the store", fontsize=8)
    ax.set_title(f"Flagged cases: {metric} against the store's cluster", fontsize=10, loc="left")
    _style_axes(ax)
    _legend_below(fig, ax, 3)
    caption = f"Cases with |z| above the threshold ({_num(cases.zscore_threshold.iloc[0], 1)})"
    if len(cases) > len(shown):
        caption += f"; {len(shown)} of {len(cases):,} cases, the largest |z|" + (
            " of each direction" if cases.imbalance_flag.nunique() > 1 else ""
        )
    parts.append(
        _chart(
            fig, "Z-score cases: metric before and after against the cluster mean", caption + "."
        )
    )
    parts.append(
        _table(
            top,
            [
                _Col("label", "Store"),
                _Col("subcategory", "Subcategory"),
                _Col("cluster_id", "Cluster"),
                _Col("imbalance_flag", "Flag"),
                _Col("z_score", "z", lambda v: _num(v, 2), True),
                _Col("metric_value", f"{metric.capitalize()} before", lambda v: _num(v, 1), True),
                _Col("cluster_mean", "Cluster mean", lambda v: _num(v, 1), True),
                _Col("metric_after", "After the moves", lambda v: _num(v, 1), True),
                _Col("units_to_mean", "Units to the mean", _num, True),
                _Col("units_matched", "Units moved", _num, True),
                _Col("units_unmatched", "Left in place", _num, True),
                _Col(
                    "unmatched_reason",
                    "Why left in place",
                    lambda v: "" if _is_missing(v) else str(v),
                ),
            ],
        )
    )
    moves = details[details.move_id.notna()] if len(details) else details
    if len(moves):
        moves = (
            moves.sort_values("move_units", ascending=False)
            .head(20)
            .assign(
                counterpart=lambda t: [
                    _store_label(s, n)
                    for s, n in zip(t.counterpart_store_id, t.counterpart_store_name, strict=True)
                ],
                product=lambda t: [
                    _store_label(p, n) for p, n in zip(t.product_id, t.product_name, strict=True)
                ],
            )
        )
        parts.append("<h3>The rule's largest moves</h3>")
        parts.append(
            _table(
                moves,
                [
                    _Col("store_id", "Case store"),
                    _Col("subcategory", "Subcategory"),
                    _Col("move_direction", "Direction"),
                    _Col("counterpart", "Counterpart store"),
                    _Col("product", "Product"),
                    _Col("move_units", "Units", _num, True),
                ],
            )
        )
    return "".join(parts)


def _section_recommendations(data: ReportData) -> str:
    rec = data.recommendations
    if rec.empty:
        return _empty(
            "No store recommendations: " + data.empty_reason("store_recommendations") + "."
        )
    counts = rec.recommendation.value_counts()
    summary = ", ".join(f"{int(counts.get(k, 0)):,} {k}" for k in ("increase", "decrease", "hold"))
    parts = [
        _note(
            f"{len(rec):,} store x category pairs: {summary}. Increase / decrease = the plan changes the units on hand by at least one unit."
        )
    ]
    active = rec[rec.recommendation != "hold"].copy()
    active["label"] = [
        _store_label(s, n) for s, n in zip(active.store_id, active.store_name, strict=True)
    ]
    if active.empty:
        parts.append(_empty("The plan leaves every store x category as it is (hold)."))
        return "".join(parts)
    shown = active.head(TOP_RECOMMENDATIONS).iloc[::-1]
    fig, ax = plt.subplots(figsize=(11, 1.2 + 0.34 * len(shown)))
    y = np.arange(len(shown))
    vals = shown.units_change.astype(float)
    ax.barh(y, vals, color=np.where(vals > 0, "#2e7d32", "#c62828"))
    ax.axvline(0, color="#333333", lw=0.8)
    for yi, v, b, a in zip(
        y,
        vals,
        shown.days_of_supply_before.astype(float),
        shown.days_of_supply_after.astype(float),
        strict=True,
    ):
        ax.text(
            v,
            yi,
            f" {v:+,.0f} units ({b:.1f} → {a:.1f} days) " if abs(v) >= 1 else "",
            va="center",
            ha="left" if v > 0 else "right",
            fontsize=7,
        )
    ax.set_yticks(y)
    ax.set_yticklabels(
        [
            f"{_short(s, 34)} | {_truncate(str(c), 20)}"
            for s, c in zip(shown.label, shown.category, strict=True)
        ],
        fontsize=7,
    )
    ax.set_xlabel("units on hand the plan adds (+) or removes (-)", fontsize=8)
    ax.set_title("Store x category changes recommended by the plan", fontsize=10, loc="left")
    span = float(vals.abs().max()) or 1.0
    ax.set_xlim(min(-span * 1.6, ax.get_xlim()[0]), max(span * 1.6, ax.get_xlim()[1]))
    _style_axes(ax)
    _thousands(ax)
    fig.tight_layout()
    caption = "Green = increase, red = decrease; days of supply before -> after in brackets"
    if len(active) > len(shown):
        caption += f"; the {len(shown)} largest of {len(active):,} changes"
    parts.append(
        _chart(fig, "Recommended increases and decreases per store and category", caption + ".")
    )
    parts.append(
        _table(
            active.head(TOP_RECOMMENDATIONS),
            [
                _Col("label", "Store"),
                _Col("region", "Region"),
                _Col("category", "Category"),
                _Col("recommendation", "Recommendation"),
                _Col(
                    "units_change",
                    "Units change",
                    lambda v: f"{float(v):+,.1f}" if not _is_missing(v) else "n/a",
                    True,
                ),
                _Col("reason", "Reason"),
            ],
        )
    )
    return "".join(parts)


def _before_after(before: object, after: object, fmt: Callable[[object], str]) -> str:
    return f"{fmt(before)} → {fmt(after)}"


def _with_before_after(frame: pd.DataFrame) -> pd.DataFrame:
    """Before/after pairs as one 'a → b' column each, so the KPI tables fit the page."""
    pairs = {
        "dos": ("days_of_supply", lambda v: _num(v, 1)),
        "turnover": ("inventory_turnover", lambda v: _num(v, 1)),
        "fill": ("fill_rate", _pct),
    }
    return frame.assign(
        **{
            name: [
                _before_after(b, a, fmt)
                for b, a in zip(frame[f"{stem}_before"], frame[f"{stem}_after"], strict=True)
            ]
            for name, (stem, fmt) in pairs.items()
        }
    )


def _section_kpis(data: ReportData) -> str:
    region = data.kpi_region
    if region.empty:
        return _empty("No monitoring KPIs: " + data.empty_reason("kpi_region") + ".")
    parts = []
    region = region.sort_values("region")
    panels = [
        ("days_of_supply", "Days of supply", "days", False),
        ("inventory_turnover", "Inventory turnover", "turns per year", False),
        ("fill_rate", "Fill rate of forecast demand", "share of demand served", True),
    ]
    fig, axes = plt.subplots(1, 4, figsize=(13, 1.6 + 0.45 * len(region)), sharey=True)
    y = np.arange(len(region))[::-1]
    h = 0.38
    for ax, (stem, title, unit, percent) in zip(axes, panels, strict=False):
        b = region[f"{stem}_before"].astype(float)
        a = region[f"{stem}_after"].astype(float)
        ax.barh(y + h / 2, b, h, color=BEFORE_COLOUR, label="before the plan")
        ax.barh(y - h / 2, a, h, color=AFTER_COLOUR, label="after the plan")
        ax.set_title(title, fontsize=9, loc="left")
        ax.set_xlabel(unit, fontsize=8)
        _thousands(ax, percent=percent)
        # few ticks: four panels side by side, the last tick must not run into the next panel
        ax.xaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 5, 10]))
        if percent:
            low = float(np.nanmin(np.concatenate([b.to_numpy(), a.to_numpy()])))
            ax.set_xlim(max(0.0, low - 0.1), 1.0)
    s = region.stockout_frequency_28d.astype(float)
    axes[3].barh(y, s, 0.6, color="#e6550d")
    for yi, v in zip(y, s, strict=True):
        if np.isfinite(v):
            axes[3].text(v, yi, f" {v:.1%}", va="center", fontsize=7)
    axes[3].set_title("Stock-out frequency", fontsize=9, loc="left")
    axes[3].set_xlabel("share of store x product days, last 4 weeks", fontsize=8)
    axes[3].margins(x=0.3)
    _thousands(axes[3], percent=True)
    axes[3].xaxis.set_major_locator(MaxNLocator(4, steps=[1, 2, 5, 10]))
    axes[0].set_yticks(y)
    axes[0].set_yticklabels([_truncate(str(r), 20) for r in region.region], fontsize=8)
    for ax in axes:
        _style_axes(ax)
    _legend_below(fig, axes[0], 2, fontsize=8)
    parts.append(
        _chart(
            fig,
            "Monitoring KPIs per region before and after the plan",
            "Before = current stock; after = stock once the plan's transfers and central allocation arrive.",
        )
    )
    kpi_cols = [
        _Col("store_count", "Stores", _num, True),
        _Col("units_sold_28d", "Units sold, 4 weeks", _num, True),
        _Col("dos", "Days of supply, before → after", _text, True),
        _Col("turnover", "Turnover (turns/yr), before → after", _text, True),
        _Col("stockout_frequency_28d", "Stock-out frequency", _pct, True),
        _Col("fill", "Fill rate, before → after", _text, True),
        _Col("transfer_in_units", "Transfers in (units)", _units, True),
        _Col("transfer_out_units", "Transfers out (units)", _units, True),
        _Col("central_allocation_units", "From central supply (units)", _units, True),
    ]
    region = _with_before_after(region)
    parts.append("<h3>By region</h3>")
    parts.append(_table(region, [_Col("region", "Region"), *kpi_cols]))
    category = data.kpi_category
    parts.append("<h3>By category</h3>")
    if category.empty:
        parts.append(_empty("No category KPIs: " + data.empty_reason("kpi_category") + "."))
    else:
        ordered = category.sort_values("units_sold_28d", ascending=False)
        note = ""
        if len(ordered) > 30:
            note = f"The 30 categories with the most units sold, of {len(ordered)}."
            ordered = ordered.head(30)
        parts.append(_table(_with_before_after(ordered), [_Col("category", "Category"), *kpi_cols]))
        if note:
            parts.append(_note(note))
    return "".join(parts)


def _section_assumptions(data: ReportData) -> str:
    frame = data.assumptions
    parts = []
    if frame.empty:
        return _empty(
            "No dataset assumptions recorded: " + data.empty_reason("dataset_assumptions") + "."
        )
    parts.append(
        f"<p>Dataset: {_name(data.dataset_name)}. What its generator or adapter assumed:</p>"
    )
    if data.is_freshretailnet:
        # the adapter writes the dataset's credit (source, paper, licence) as an assumption row
        credit = frame.loc[frame.topic.astype(str) == "credit", "assumption"].dropna()
        parts.append(
            '<p class="credit">Data: <b>FreshRetailNet-50K</b>. '
            + (_esc(credit.iloc[0]) if len(credit) else "")
            + "</p>"
        )
    parts.append(
        _table(
            frame,
            [
                _Col("topic", "Topic"),
                _Col("assumption", "Assumption"),
                _Col("setting", "Setting", lambda v: "" if _is_missing(v) else str(v)),
            ],
        )
    )
    topics = set(frame.topic.astype(str))
    if "inventory" in topics:
        parts.append(
            _note(
                "Inventory on hand is simulated (topic 'inventory' above): days of supply, fill rates and the plan are only as real as that simulation."
            )
        )
    if data.missing_tables:
        parts.append(
            _note(
                "Marts not found in this warehouse (their sections say so): "
                + ", ".join(data.missing_tables)
                + "."
            )
        )
    return "".join(parts)


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    render: Callable[[ReportData], str]
    has_chart: bool


SECTIONS: tuple[Section, ...] = (
    Section("summary", "Executive summary", _section_summary, False),
    Section("heatmap", "Regional demand heatmap", _section_heatmap, True),
    Section("stores", "Store performance", _section_store_performance, True),
    Section("seasonal", "Seasonal category distribution", _section_seasonal, True),
    Section("treemap", "Regional sales treemap", _section_treemap, True),
    Section("transfers", "Top transfers", _section_transfers, True),
    Section("balance", "Balance per region before and after the plan", _section_balance, True),
    Section("scenarios", "Scenario comparison", _section_scenarios, True),
    Section("forecast", "Forecast accuracy", _section_forecast, True),
    Section("zscore", "Z-score imbalance cases", _section_zscore, True),
    Section("recommendations", "Store recommendations", _section_recommendations, True),
    Section("kpis", "Monitoring KPIs", _section_kpis, True),
    Section("assumptions", "Assumptions behind the data", _section_assumptions, False),
)

_CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#212121;
margin:0;background:#fafafa;line-height:1.45}
main{max-width:1240px;margin:0 auto;padding:24px 32px 64px;background:#fff}
h1{font-size:26px;margin:8px 0 4px}h2{font-size:20px;margin:36px 0 10px;padding-top:12px;
border-top:2px solid #e0e0e0}h3{font-size:15px;margin:20px 0 6px}
.meta{color:#616161;font-size:13px}nav ol{columns:3;font-size:13px;padding-left:20px}
nav a{color:#1565c0;text-decoration:none}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:12px;margin:12px 0}
.card{border:1px solid #e0e0e0;border-radius:6px;padding:10px 12px;background:#f5f9ff}
.card .label{font-size:12px;color:#546e7a}.card .big{font-size:24px;font-weight:600;margin:2px 0}
.card .sub{font-size:12px;color:#546e7a}.card .big b{font-weight:600}
ul.summary li{margin:6px 0}
figure.chart{margin:12px 0}figure.chart img{max-width:100%;height:auto;display:block}
figcaption{font-size:12px;color:#616161;margin-top:4px}
.tablewrap{overflow-x:auto;margin:10px 0}
table{border-collapse:collapse;font-size:12px;min-width:50%}
th,td{border-bottom:1px solid #e0e0e0;padding:4px 8px;vertical-align:top}
th{background:#f5f5f5;text-align:left;font-weight:600;vertical-align:bottom}
td.num,th.num{text-align:right}td.num{white-space:nowrap}caption{text-align:left;font-size:12px;color:#616161;padding:4px 0}
.empty{color:#8d6e63;font-style:italic;background:#fff8e1;padding:8px 12px;border-radius:4px}
.note{font-size:13px;color:#455a64}.credit{background:#e8f5e9;padding:8px 12px;border-radius:4px}
footer{margin-top:40px;font-size:12px;color:#757575}
"""


def render_report_html(data: ReportData, generated_at: datetime) -> str:
    """The whole report as one self-contained HTML page (charts embedded as PNG data URIs)."""
    sections = []
    for section in SECTIONS:
        try:
            body = section.render(data)
        finally:
            plt.close("all")  # a chart that failed half-way must not leak into the next one
        sections.append(
            f'<section id="{section.anchor}"><h2>{_esc(section.title)}</h2>{body}</section>'
        )
    toc = "".join(f'<li><a href="#{s.anchor}">{_esc(s.title)}</a></li>' for s in SECTIONS)
    period = data.sales_period
    facts = [f"Dataset: {_esc(data.dataset_name)}"]
    if len(data.stores):
        facts.append(f"{len(data.stores):,} stores")
    if len(data.products):
        facts.append(f"{len(data.products):,} products")
    if len(period):
        facts.append(
            f"sales {period.first_date.iloc[0]:%Y-%m-%d} to {period.last_date.iloc[0]:%Y-%m-%d} ({int(period.days.iloc[0]):,} days)"
        )
    stamp = generated_at.strftime("%Y-%m-%d %H:%M") + (
        f" {generated_at.tzname()}" if generated_at.tzname() else ""
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Regional inventory rebalancing report</title>"
        f"<style>{_CSS}</style></head><body><main>"
        "<h1>Regional inventory rebalancing report</h1>"
        f'<p class="meta">Generated {_esc(stamp)} - {" - ".join(facts)}</p>'
        f"<nav><ol>{toc}</ol></nav>"
        + "".join(sections)
        + "<footer>Every figure is computed from the warehouse's marts schema at the time above. "
        "Costs are in the currency units of the cost inputs.</footer>"
        "</main></body></html>\n"
    )


def report_summary_markdown(data: ReportData) -> str:
    """The headline figures as Markdown, for the Dagster UI (asset metadata)."""
    figures = executive_summary_figures(data)
    lines = [f"**Regional rebalancing report** - dataset `{data.dataset_name}`", ""]
    if figures:
        lines += ["| Figure | Value |", "|---|---:|"]
        lines += [
            f"| {FIGURE_SPECS[k].label} | {format_figure(FIGURE_SPECS[k].kind, v)} |"
            for k, v in figures.items()
        ]
    else:
        lines.append("No headline figures: the marts the summary reads are empty.")
    model = chosen_forecast_model(data)
    if model:
        lines += ["", f"Forecast model: `{model}`"]
    if data.is_freshretailnet:
        lines += ["", "Data: FreshRetailNet-50K (Dingdong Inc., CC-BY-4.0)."]
    if data.missing_tables:
        lines += ["", "Marts not in the warehouse: " + ", ".join(data.missing_tables)]
    return "\n".join(lines)


__all__ = [
    "FIGURE_SPECS",
    "QUERIES",
    "REPORT_MARTS",
    "SECTIONS",
    "FigureSpec",
    "ReportData",
    "executive_summary_figures",
    "format_figure",
    "load_report_data",
    "render_report_html",
    "report_summary_markdown",
    "squarify",
]
