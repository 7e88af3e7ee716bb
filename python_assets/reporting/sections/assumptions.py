"""The assumptions section: what the dataset's generator or adapter assumed, its credit, and
the tables the report did not find."""

from __future__ import annotations

from python_assets.reporting.data import ReportData
from python_assets.reporting.formatting import optional_text
from python_assets.reporting.markup import Col, empty, esc, name, note, table


def assumptions(data: ReportData) -> str:
    frame = data.assumptions
    if frame.empty:
        return empty("No dataset assumptions recorded: " + data.empty_reason("assumptions") + ".")
    parts = [f"<p>Dataset: {name(data.dataset_name)}. What its generator or adapter assumed:</p>"]
    if data.is_freshretailnet:
        # the adapter writes the dataset's credit (source, paper, licence) as an assumption row
        credit = frame.loc[frame.topic.astype(str) == "credit", "assumption"].dropna()
        parts.append(
            '<p class="credit">Data: <b>FreshRetailNet-50K</b>. '
            + (esc(credit.iloc[0]) if len(credit) else "")
            + "</p>"
        )
    columns = [
        Col("topic", "Topic"),
        Col("assumption", "Assumption"),
        Col("setting", "Setting", optional_text),
    ]
    parts.append(table(frame, columns))
    topics = set(frame.topic.astype(str))
    if "inventory" in topics:
        parts.append(
            note(
                "Inventory on hand is simulated (topic 'inventory' above): days of supply, fill "
                "rates and the plan are only as real as that simulation."
            )
        )
    if data.missing_tables:
        parts.append(
            note(
                "Tables not found in this warehouse (their sections say so): "
                + ", ".join(data.missing_tables)
                + "."
            )
        )
    return "".join(parts)
