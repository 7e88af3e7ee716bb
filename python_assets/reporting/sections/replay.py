"""How the plan would have done: the policy replay against the demand that actually followed
past origins (docs/methodology.md, "Policy replay")."""

from __future__ import annotations

from python_assets.reporting import charts
from python_assets.reporting.data import PLAN_LABELS, ReportData
from python_assets.reporting.formatting import num, pct
from python_assets.reporting.markup import Col, chart, empty, note, table


def _signed(value: object, metric: str) -> str:
    return f"{float(value):+.1%}" if metric == "fill_rate" else f"{float(value):+,.0f}"


def replay(data: ReportData) -> str:
    rows, summary = data.replay, data.replay_summary
    if rows.empty:
        return empty("No policy replay: " + data.empty_reason("replay") + ".")
    stock = ", ".join(sorted(rows.stock_source.dropna().unique()))
    parts = [
        note(
            "At each origin every policy decided with what was known then (the forecast the "
            "backtest made there, the stock of that day and, for the Z-score rule, the sales up "
            "to that day), then was played day by day "
            "against the sales that followed (latent demand on stockout days). Stock at the "
            f"origins: {stock}."
        ),
        chart(
            charts.replay_chart(rows, PLAN_LABELS),
            "Cost and fill rate per policy per origin",
            "Perfect foresight is the LP given the actual demand: a bound, not a policy.",
        ),
    ]
    if len(summary):
        shown = summary.assign(
            policy_label=summary.policy_name.map(lambda p: PLAN_LABELS.get(p, p)),
            versus=summary.comparator.map(lambda p: PLAN_LABELS.get(p, p)),
            difference_text=[
                _signed(d, m) for d, m in zip(summary.difference, summary.metric, strict=True)
            ],
            interval=[
                f"{_signed(lo, m)} to {_signed(hi, m)}"
                for lo, hi, m in zip(summary.ci_low, summary.ci_high, summary.metric, strict=True)
            ],
        )
        parts.append(
            table(
                shown,
                [
                    Col("policy_label", "Policy"),
                    Col("versus", "Against"),
                    Col("metric", "Measure"),
                    Col("difference_text", "Difference"),
                    Col("interval", "95% interval"),
                    Col("p_value", "p-value", lambda v: num(v, 3), True),
                    Col("n_origins", "Origins", num, True),
                    Col("n_stores", "Stores", num, True),
                ],
                "Cost: mean per origin, whole network. Intervals: bootstrap resampling stores "
                "with all their origins; an interval that includes 0 is not evidence either way. "
                "p-value: Wilcoxon test of whether the typical store differs; where a few "
                "stores carry the difference it can be large while the interval excludes 0.",
            )
        )
    plan = rows[rows.policy_name == "optimised"]
    if len(plan):
        parts.append(
            note(
                f"The plan expected a fill rate of {pct(plan.expected_fill_rate.mean())} under "
                f"its forecast distribution and realised {pct(plan.served_units.sum() / plan.realised_demand_units.sum())} "
                "over the replayed origins."
            )
        )
    return "".join(parts)
