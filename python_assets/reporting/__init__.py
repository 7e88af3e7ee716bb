"""The regional rebalancing report and the published BI copy of the marts.

The report reads the tables of data.REPORT_TABLES with plain selects (marts, and the dbt models
of models/reports/rebalancing/ that aggregate and join them), builds one HTML fragment per
section (sections/, charts in charts/, one function per chart) and assembles them in
templates/report.html.j2. Nothing it says is typed in. Because it runs at the end of every
pipeline run and on every dataset:
- every section tolerates an empty or missing table (no customer orders on FreshRetailNet, no
  planted imbalances outside the demo, a warehouse built before the forecast or LP step) and
  says so in words instead of crashing or drawing an empty chart;
- charts are embedded as base64 PNG and the page has no external CSS, JS or fonts, so the file
  opens offline in any browser and can be mailed around;
- charts cap the number of labelled items (top N) so a 900-store network stays legible.
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
