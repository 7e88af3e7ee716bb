"""Assemble the report: every section's HTML into the page template (templates/), one
self-contained file with the CSS inline and the charts as data URIs, so it opens offline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jinja2
import matplotlib.pyplot as plt
from markupsafe import Markup

from python_assets.reporting.data import ReportData
from python_assets.reporting.figures import (
    FIGURE_SPECS,
    chosen_forecast_model,
    executive_summary_figures,
    format_figure,
)
from python_assets.reporting.sections import SECTIONS

TEMPLATES_DIR = Path(__file__).with_name("templates")
PAGE_TEMPLATE = "report.html.j2"
TITLE = "Regional inventory rebalancing report"


@dataclass(frozen=True)
class RenderedSection:
    anchor: str
    title: str
    body: Markup


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _facts(data: ReportData) -> list[str]:
    """The line under the title: dataset, network size and the sales period."""
    facts = [f"Dataset: {data.dataset_name}"]
    if len(data.stores):
        facts.append(f"{len(data.stores):,} stores")
    if len(data.products):
        facts.append(f"{len(data.products):,} products")
    period = data.sales_period
    if len(period):
        facts.append(
            f"sales {period.first_date.iloc[0]:%Y-%m-%d} to {period.last_date.iloc[0]:%Y-%m-%d} "
            f"({int(period.days.iloc[0]):,} days)"
        )
    return facts


def render_report_html(data: ReportData, generated_at: datetime) -> str:
    """The whole report as one self-contained HTML page (charts embedded as PNG data URIs)."""
    sections = []
    for section in SECTIONS:
        try:
            body = section.render(data)
        finally:
            plt.close("all")  # a chart that failed half-way must not leak into the next one
        # the builders escape what they take from the data (markup.esc)
        sections.append(RenderedSection(section.anchor, section.title, Markup(body)))
    stamp = generated_at.strftime("%Y-%m-%d %H:%M") + (
        f" {generated_at.tzname()}" if generated_at.tzname() else ""
    )
    page = _environment().get_template(PAGE_TEMPLATE)
    return page.render(title=TITLE, generated=stamp, facts=_facts(data), sections=sections)


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
        lines += ["", "Tables not in the warehouse: " + ", ".join(data.missing_tables)]
    return "\n".join(lines)
