"""The regional rebalancing report and the published BI copy of the marts.

The report reads the tables of data.REPORT_TABLES (marts and the dbt models in
models/reports/rebalancing/), builds one HTML fragment per section (sections/, charts in
charts/) and assembles them in templates/report.html.j2: one self-contained file that opens
offline. Every section tolerates an empty or missing table and says so in words.
"""

from python_assets.reporting.data import (
    READS,
    REPORT_TABLES,
    ReportData,
    TableRead,
    load_report_data,
)
from python_assets.reporting.figures import (
    FIGURE_SPECS,
    FigureSpec,
    executive_summary_figures,
    format_figure,
)
from python_assets.reporting.render import render_report_html, report_summary_markdown

__all__ = [
    "FIGURE_SPECS",
    "READS",
    "REPORT_TABLES",
    "FigureSpec",
    "ReportData",
    "TableRead",
    "executive_summary_figures",
    "format_figure",
    "load_report_data",
    "render_report_html",
    "report_summary_markdown",
]
