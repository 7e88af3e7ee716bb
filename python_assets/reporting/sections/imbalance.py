"""The Z-score imbalance section: the rule against the planted cases, its flagged cases before
and after its own moves, and its largest moves."""

from __future__ import annotations

import numpy as np
import pandas as pd

from python_assets.reporting import charts
from python_assets.reporting.data import ZSCORE_CASE_COLUMNS, ReportData
from python_assets.reporting.formatting import is_missing, num, optional_text, pct, store_labels
from python_assets.reporting.markup import Col, chart, empty, note, table

# how many cases the chart and table show before saying "N of M"
TOP_CASES = 25
TOP_MOVES = 20
METRIC_LABELS = {"days_of_cover": "days of cover", "unit_share": "unit share"}


def _evaluation_note(evaluation: pd.DataFrame) -> str:
    """How the rule does against the imbalances planted in the demo data, if there are any."""
    if (
        len(evaluation)
        and not is_missing(evaluation.planted_cases.iloc[0])
        and evaluation.planted_cases.iloc[0] > 0
    ):
        e = evaluation.iloc[0]
        return note(
            f"Against the {int(e.planted_cases):,} imbalances planted in the demo data: "
            f"{int(e.planted_cases_flagged):,} found "
            f"({int(e.planted_cases_flagged_same_direction):,} in the planted direction), "
            f"recall {pct(e.recall)}, precision {pct(e.precision_vs_planted)} of "
            f"{int(e.flagged_cases):,} flags."
        )
    return note(
        "This dataset has no planted imbalances, so the rule's flags cannot be checked against "
        "known cases."
    )


def zscore(data: ReportData) -> str:
    cases = data.zscore_cases
    parts = [_evaluation_note(data.rule_evaluation)]
    if cases.empty:
        if len(data.zscore_flag_counts):
            parts.append(empty("The Z-score rule flags no store x subcategory case in this run."))
        else:
            parts.append(
                empty("No Z-score analysis: " + data.empty_reason("zscore_flag_counts") + ".")
            )
        return "".join(parts)
    details = data.zscore_details
    case_keys = ["store_id", "subcategory"]
    if len(details):
        per_case = details.groupby(case_keys, as_index=False).agg(
            **{column: (column, "first") for column in ZSCORE_CASE_COLUMNS},
            moves=("move_id", "count"),
        )
        cases = cases.merge(per_case, on=case_keys, how="left")
    else:
        for column in (*ZSCORE_CASE_COLUMNS, "moves"):
            cases[column] = np.nan
    cases = cases.assign(label=store_labels(cases.store_id, cases.store_name))
    # big networks flag hundreds of cases: show the largest |z| of each direction, so the chart
    # has both stores holding too much and stores holding too little
    per_flag = [g.head(TOP_CASES // 2) for _, g in cases.groupby("imbalance_flag", sort=False)]
    top = pd.concat(per_flag) if per_flag else cases.head(0)
    top = pd.concat([top, cases.drop(top.index)]).head(TOP_CASES)
    top = top.reindex(top.z_score.abs().sort_values(ascending=False).index)
    shown = top.iloc[::-1]
    metric = METRIC_LABELS.get(str(cases.metric_name.iloc[0]), str(cases.metric_name.iloc[0]))
    png = charts.zscore_cases_chart(shown, metric)
    caption = f"Cases with |z| above the threshold ({num(cases.zscore_threshold.iloc[0], 1)})"
    if len(cases) > len(shown):
        caption += f"; {len(shown)} of {len(cases):,} cases, the largest |z|" + (
            " of each direction" if cases.imbalance_flag.nunique() > 1 else ""
        )
    parts.append(
        chart(png, "Z-score cases: metric before and after against the cluster mean", caption + ".")
    )
    parts.append(
        table(
            top,
            [
                Col("label", "Store"),
                Col("subcategory", "Subcategory"),
                Col("cluster_id", "Cluster"),
                Col("imbalance_flag", "Flag"),
                Col("z_score", "z", lambda v: num(v, 2), True),
                Col("metric_value", f"{metric.capitalize()} before", lambda v: num(v, 1), True),
                Col("cluster_mean", "Cluster mean", lambda v: num(v, 1), True),
                Col("metric_after", "After the moves", lambda v: num(v, 1), True),
                Col("units_to_mean", "Units to the mean", num, True),
                Col("units_matched", "Units moved", num, True),
                Col("units_unmatched", "Left in place", num, True),
                Col(
                    "unmatched_reason",
                    "Why left in place",
                    optional_text,
                ),
            ],
        )
    )
    parts.append(_largest_moves(details))
    return "".join(parts)


def _largest_moves(details: pd.DataFrame) -> str:
    """The rule's largest moves: case store, counterpart, product and units."""
    moves = details[details.move_id.notna()] if len(details) else details
    if not len(moves):
        return ""
    moves = (
        moves.sort_values("move_units", ascending=False)
        .head(TOP_MOVES)
        .assign(
            counterpart=lambda t: store_labels(t.counterpart_store_id, t.counterpart_store_name),
            product=lambda t: store_labels(t.product_id, t.product_name),
        )
    )
    columns = [
        Col("store_id", "Case store"),
        Col("subcategory", "Subcategory"),
        Col("move_direction", "Direction"),
        Col("counterpart", "Counterpart store"),
        Col("product", "Product"),
        Col("move_units", "Units", num, True),
    ]
    return "<h3>The rule's largest moves</h3>" + table(moves, columns)
