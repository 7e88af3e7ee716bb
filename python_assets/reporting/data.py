"""What the report reads: one frame per warehouse table, each a plain select.

The aggregates and joins live in dbt (models/reports/rebalancing/rpt_*.sql, schema `reports`);
the marts the report needs as they are are read directly. REPORT_TABLES lists every table read:
the Dagster asset depends on exactly these and the dbt exposure lists exactly these (a test
compares them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from python_assets.optimization.replay.compare import SUMMARY_COLUMNS

PLAN_LABELS: dict[str, str] = {
    "optimised": "Recommended plan (optimised)",
    "do_nothing": "Do nothing",
    "decentralised": "Decentralised (no store-to-store transfers)",
    "zscore_rule_moves": "Z-score rule's moves",
    "zscore_rule": "Z-score rule's moves (computed at the origin)",
    "perfect_foresight": "Perfect foresight (the LP given the demand that followed)",
}
COST_COMPONENTS: tuple[tuple[str, str], ...] = (
    ("holding_cost", "holding"),
    ("stockout_cost", "stockout penalty"),
    ("transport_cost", "store-to-store transport"),
    ("manufacturing_cost", "central production"),
    ("distribution_cost", "central distribution"),
)

# what rpt_zscore_case_moves repeats on every move row of a case (the imbalance section takes
# them once per case)
ZSCORE_CASE_COLUMNS: tuple[str, ...] = (
    "metric_before",
    "metric_after",
    "units_to_mean",
    "units_matched",
    "units_unmatched",
    "unmatched_reason",
)


# input files name their dataset in the optional dataset_assumptions file (README, "Input
# contract"); the mart says 'unknown' where it has a row of its own but no name
UNNAMED_DATASET = "not named (the input has no dataset_assumptions file)"


@dataclass(frozen=True)
class TableRead:
    """One frame of ReportData: the table it selects from and the columns it returns (so a
    missing table still yields a frame with the right columns and the sections need no cases)."""

    schema: str
    table: str
    columns: tuple[str, ...]
    where: str = ""
    order: str = ""

    @property
    def address(self) -> str:
        return f"{self.schema}.{self.table}"

    @property
    def sql(self) -> str:
        sql = f"select {', '.join(self.columns)} from {self.address}"
        sql += f" where {self.where}" if self.where else ""
        return sql + (f" order by {self.order}" if self.order else "")


def _mart(table: str, columns: Sequence[str], where: str = "", order: str = "") -> TableRead:
    return TableRead("marts", table, tuple(columns), where, order)


def _report(table: str, columns: Sequence[str], order: str = "") -> TableRead:
    return TableRead("reports", table, tuple(columns), order=order)


KPI_COLUMNS = (
    "revenue_28d",
    "units_sold_28d",
    "blended_daily_demand_units",
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
SALES_COLUMNS = ("units_sold", "revenue")

READS: dict[str, TableRead] = {
    "assumptions": _mart("dataset_assumptions", ("dataset_name", "topic", "assumption", "setting")),
    "stores": _mart(
        "dim_stores", ("store_id", "store_name", "region", "city", "store_format"), order="store_id"
    ),
    "products": _mart(
        "dim_products",
        ("product_id", "product_name", "category", "subcategory"),
        order="product_id",
    ),
    "sales_period": _report(
        "rpt_sales_period", ("first_date", "last_date", "days", *SALES_COLUMNS)
    ),
    "sales_region_category": _report(
        "rpt_sales_by_region_category",
        ("region", "category", *SALES_COLUMNS, "store_count"),
        order="region, category",
    ),
    "sales_month_category": _report(
        "rpt_sales_by_month_category",
        ("month", "category", *SALES_COLUMNS, "days"),
        order="month, category",
    ),
    "kpi_store": _mart(
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
    "kpi_region": _mart(
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
    "kpi_category": _mart(
        "kpi_category", ("category", "store_count", *KPI_COLUMNS), order="category"
    ),
    "recommendations": _report(
        "rpt_store_recommendations",
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
        order="abs(units_change) desc, store_id, category",
    ),
    "customer_segments": _mart(
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
    "transfers": _report(
        "rpt_transfers",
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
        order="units desc, from_store_id, to_store_id, product_id",
    ),
    "plan_totals": _report(
        "rpt_plan_totals",
        ("store_product_rows", "forecast_demand_units", "allocated_units", "stockout_units"),
    ),
    "plan_costs": _mart(
        "allocation_cost_breakdown",
        ("plan_name", "plan_status", *(c for c, _ in COST_COMPONENTS), "total_cost"),
        where="cost_level = 'total'",
        order="plan_name",
    ),
    "service_level": _mart(
        "allocation_service_level",
        (
            "service_level_grain",
            "grain_key",
            "forecast_demand_units",
            "served_units",
            "fill_rate",
            "fill_rate_doing_nothing",
        ),
        where="service_level_grain in ('overall', 'region')",
        order="service_level_grain, grain_key",
    ),
    "plan_status": _mart(
        "allocation_plan_status",
        (
            "product_id",
            "solver_status",
            "explanation",
            "plan_units",
            "objective_cost",
            "relaxation_cost",
        ),
        order="product_id",
    ),
    "scenarios": _mart(
        "scenario_comparison",
        (
            "scenario_id",
            "scenario_description",
            "plan_status",
            *(c for c, _ in COST_COMPONENTS),
            "total_cost",
            "forecast_demand_units",
            "stockout_units",
            "fill_rate",
            "units_transferred",
            "units_produced",
        ),
        order="scenario_id",
    ),
    "forecast_models": _report(
        "rpt_forecast_models",
        ("model_name", "forecast_rows", "first_date", "last_date"),
        order="model_name",
    ),
    "forecast_accuracy": _mart(
        "forecast_accuracy",
        (
            "model_name",
            "backtest_window",
            "origin_date",
            "segment_type",
            "segment_value",
            "wape",
            "score_total_wape",
            "wpe",
            "mase",
            "coverage_80",
            "coverage_95",
            "scored_rows",
        ),
        order="model_name, backtest_window, segment_type, segment_value",
    ),
    "replay": _mart(
        "policy_replay",
        (
            "origin_date",
            "policy_name",
            "realised_demand_units",
            "served_units",
            "fill_rate",
            "total_cost",
            "expected_fill_rate",
            "stock_source",
        ),
        order="origin_date, policy_name",
    ),
    "replay_summary": _mart(
        "policy_replay_summary", SUMMARY_COLUMNS, order="comparator, metric, policy_name"
    ),
    "zscore_flag_counts": _report(
        "rpt_zscore_flag_counts", ("imbalance_flag", "cases"), order="imbalance_flag"
    ),
    "zscore_cases": _report(
        "rpt_zscore_cases",
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
        order="abs(z_score) desc, store_id, subcategory",
    ),
    "zscore_details": _report(
        "rpt_zscore_case_moves",
        (
            "store_id",
            "subcategory",
            "imbalance_flag",
            *ZSCORE_CASE_COLUMNS,
            "move_id",
            "move_direction",
            "counterpart_store_id",
            "counterpart_store_name",
            "product_id",
            "product_name",
            "move_units",
        ),
        order="store_id, subcategory, move_id",
    ),
    "rule_results": _mart(
        "imbalanced_rule_results",
        ("store_id", "is_imbalanced", "imbalanced_subcategory_count", "units_in", "units_out"),
        order="store_id",
    ),
    "rule_evaluation": _mart(
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

# Every table the report reads, as 'schema.table': the asset's deps and the dbt exposure.
REPORT_TABLES: tuple[str, ...] = tuple(sorted({read.address for read in READS.values()}))


@dataclass(frozen=True)
class ReportData:
    """Every frame the report draws from, one per entry of READS (same names), plus the tables
    that were not in the warehouse at all (a frame of a missing table is empty)."""

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
    replay: pd.DataFrame
    replay_summary: pd.DataFrame
    zscore_flag_counts: pd.DataFrame
    zscore_cases: pd.DataFrame
    zscore_details: pd.DataFrame
    rule_results: pd.DataFrame
    rule_evaluation: pd.DataFrame
    missing_tables: tuple[str, ...] = ()

    @property
    def dataset_name(self) -> str:
        """The input's own name for the dataset (its dataset_assumptions rows), or why none."""
        names = self.assumptions["dataset_name"].dropna().unique() if len(self.assumptions) else []
        return ", ".join(str(n) for n in names if n != "unknown") or UNNAMED_DATASET

    @property
    def is_freshretailnet(self) -> bool:
        return "freshretailnet" in self.dataset_name.lower()

    def empty_reason(self, *frames: str) -> str:
        """Why a section has nothing to show, naming the tables its frames read."""
        tables = [READS[frame].address for frame in frames]
        missing = [t for t in tables if t in self.missing_tables]
        if missing:
            return ", ".join(missing) + " not found in this warehouse (built before that step ran?)"
        return " / ".join(tables) + " has no rows for this run"


def _empty_frame(columns: Sequence[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def load_report_data(con: duckdb.DuckDBPyConnection) -> ReportData:
    """Read every frame of the report (read-only plain selects). A table that does not exist
    yields an empty frame and is listed in ReportData.missing_tables."""
    schemas = sorted({read.schema for read in READS.values()})
    existing = {
        f"{schema}.{table}"
        for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where list_contains(?, table_schema)",
            [schemas],
        ).fetchall()
    }
    frames: dict[str, pd.DataFrame] = {}
    for name, read in READS.items():
        if read.address not in existing:
            frames[name] = _empty_frame(read.columns)
            continue
        frame = con.execute(read.sql).df()
        # the declared columns are what the sections rely on: fail loudly if a table drifts
        if tuple(frame.columns) != read.columns:
            raise ValueError(
                f"{read.address} returned {list(frame.columns)}, not {list(read.columns)}"
            )
        frames[name] = frame
    missing = sorted({read.address for read in READS.values()} - existing)
    return ReportData(**frames, missing_tables=tuple(missing))
