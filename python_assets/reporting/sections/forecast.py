"""The forecast accuracy section: the backtest of every candidate model and the chosen one by
segment."""

from __future__ import annotations

import numpy as np

from python_assets.reporting import charts
from python_assets.reporting.data import ReportData
from python_assets.reporting.figures import backtest_name_of_forecast, chosen_forecast_model
from python_assets.reporting.formatting import num, pct
from python_assets.reporting.markup import Col, chart, empty, esc, note, table


def forecast(data: ReportData) -> str:
    acc = data.forecast_accuracy
    model = chosen_forecast_model(data)
    if acc.empty:
        message = "No forecast backtest: " + data.empty_reason("forecast_accuracy") + "."
        if model:
            message += f" The forecast in marts.fct_demand_forecast comes from {model}."
        return empty(message)
    pooled = acc[acc.backtest_window == 0]
    overall = pooled[pooled.segment_type == "all"].set_index("model_name")
    frn = pooled[pooled.segment_type == "frn_benchmark"].set_index("model_name")
    if overall.empty:
        return empty("The backtest has no pooled rows (backtest_window = 0) to compare models on.")
    overall = overall.sort_values("wape")
    caption = "WAPE = sum of absolute errors / sum of sales, on days without a stock-out."
    if len(frn):
        caption += (
            " The FreshRetailNet benchmark convention averages daily WAPE over rows without "
            "stock-out hours 06:00-22:00."
        )
    parts = [
        chart(
            charts.forecast_accuracy_chart(acc, overall, frn, backtest_name_of_forecast(data)),
            "Forecast accuracy per model",
            caption,
        )
    ]
    frame = overall.reset_index().assign(
        frn_wape=lambda t: t.model_name.map(frn.wape) if len(frn) else np.nan,
        chosen=lambda t: np.where(t.model_name == model, "chosen", ""),
    )
    columns = [
        Col("model_name", "Model"),
        Col("chosen", ""),
        Col("wape", "WAPE", pct, True),
        Col("wpe", "Bias (WPE)", pct, True),
        Col("mase", "MASE", lambda v: num(v, 2), True),
        Col("coverage_80", "80% interval coverage", pct, True),
        Col("coverage_95", "95% interval coverage", pct, True),
        Col("scored_rows", "Rows scored", num, True),
    ]
    if len(frn):
        columns.insert(3, Col("frn_wape", "WAPE (FreshRetailNet convention)", pct, True))
    parts.append(table(frame, columns))
    if model is None:
        parts.append(
            note("No forecast in marts.fct_demand_forecast, so no model is marked as chosen.")
        )
        return "".join(parts)
    segments = pooled[
        (pooled.model_name == model) & pooled.segment_type.isin(["category", "volume_band"])
    ]
    if len(segments):
        parts.append(f"<h3>Chosen model {esc(model)} by segment</h3>")
        parts.append(
            table(
                segments.sort_values(["segment_type", "wape"]).head(40),
                [
                    Col("segment_type", "Segment type"),
                    Col("segment_value", "Segment"),
                    Col("wape", "WAPE", pct, True),
                    Col("wpe", "Bias (WPE)", pct, True),
                    Col("coverage_80", "80% coverage", pct, True),
                    Col("scored_rows", "Rows scored", num, True),
                ],
            )
        )
    return "".join(parts)
