"""The forecast's quality figures from a built warehouse (docs/methodology.md, "Model choice"),
as JSON beside the other results.

    DEMO_PROFILE=mixed make run && .venv/bin/python -m benchmarks.forecast_quality --name demo_mixed

Reads marts.forecast_accuracy, marts.fct_demand_forecast and marts.demand_classes (read-only) and
writes benchmarks/results/forecast_quality_<name>.json:
- the chosen forecast's WPE of H-day totals over all backtest windows, overall and per demand
  class (with each class's share of the units);
- WAPE of H-day totals of the chosen forecast and of the naive baselines on the series selling at
  least one unit a day (segment selling_rate), and the improvement over the best baseline;
- the share of series that sold in the last 28 days but are forecast zero over the horizon, in
  the backtest and in the final forecast;
- coverage of the 80% and 95% intervals of H-day totals.
"""

from __future__ import annotations

import argparse
import json

import duckdb

from benchmarks.run import RESULTS, write_warehouse_result
from python_assets.forecasting.selection import CHOSEN_MODEL
from python_assets.forecasting.settings import SELLING_RATE_SEGMENT
from python_assets.settings import WarehouseSettings

BASELINES = ("moving_average_7", "moving_average_28", "seasonal_naive")
RECENT_DAYS = 28


def quality_figures(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    pooled = con.execute(
        "select model_name, segment_type, segment_value, actual_units, score_total_wape, "
        "wpe_total, zero_total_share, coverage_total_80, coverage_total_95, scored_series "
        "from marts.forecast_accuracy where backtest_window = 0"
    ).df()
    chosen = pooled[pooled["model_name"] == CHOSEN_MODEL]
    overall = chosen[chosen["segment_type"] == "all"].iloc[0]
    classes = chosen[chosen["segment_type"] == "demand_class"].copy()
    classes["unit_share"] = classes["actual_units"] / classes["actual_units"].sum()
    daily = pooled[
        (pooled["segment_type"] == SELLING_RATE_SEGMENT)
        & (pooled["segment_value"] == "1_or_more_per_day")
    ].set_index("model_name")["score_total_wape"]
    best_baseline = min(BASELINES, key=lambda m: daily.get(m, float("inf")))
    zero_final = con.execute(
        f"""
        with totals as (
            select store_id, product_id, sum(forecast_units) as units
            from marts.fct_demand_forecast group by all
        )
        select count(*) filter (where coalesce(t.units, 0) <= 0) / count(*), count(*)
        from marts.demand_classes as c
        left join totals as t using (store_id, product_id)
        where c.days_since_last_sale < {RECENT_DAYS}
        """
    ).fetchone()
    return {
        "wpe_total": float(overall["wpe_total"]),
        "coverage_total_80": float(overall["coverage_total_80"]),
        "coverage_total_95": float(overall["coverage_total_95"]),
        "zero_total_share_backtest": float(overall["zero_total_share"]),
        "zero_total_share_final": float(zero_final[0] or 0.0),
        "series_selling_recently": int(zero_final[1]),
        "per_class": {
            row["segment_value"]: {
                "unit_share": round(float(row["unit_share"]), 4),
                "wpe_total": float(row["wpe_total"]),
                "score_total_wape": float(row["score_total_wape"]),
            }
            for _, row in classes.iterrows()
        },
        "selling_1_or_more_per_day": {
            "score_total_wape": {m: float(v) for m, v in daily.items()},
            "best_baseline": best_baseline,
            "improvement_over_best_baseline": float(1 - daily[CHOSEN_MODEL] / daily[best_baseline]),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True, help="name of the result file")
    args = parser.parse_args()
    settings = WarehouseSettings.from_env()
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        figures = quality_figures(con)
    result = write_warehouse_result(
        RESULTS / f"forecast_quality_{args.name}.json",
        {**figures, "name": args.name},
        settings.duckdb_path,
        f".venv/bin/python -m benchmarks.forecast_quality --name {args.name}",
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
