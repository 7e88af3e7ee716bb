"""The report's sections in page order: each a builder from ReportData to an HTML fragment.

To add a section: write a builder `def my_section(data: ReportData) -> str` in the module of
its topic (charts in python_assets/reporting/charts/, one function per chart), read any new
table through data.READS, and add a Section below; the page, its table of contents and the
Dagster asset's deps follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from python_assets.reporting.data import ReportData
from python_assets.reporting.sections.assumptions import assumptions
from python_assets.reporting.sections.forecast import forecast
from python_assets.reporting.sections.imbalance import zscore
from python_assets.reporting.sections.plan import (
    balance,
    kpis,
    recommendations,
    scenarios,
    transfers,
)
from python_assets.reporting.sections.replay import replay
from python_assets.reporting.sections.sales import heatmap, seasonal, store_performance, treemap
from python_assets.reporting.sections.summary import summary


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    render: Callable[[ReportData], str]
    has_chart: bool


SECTIONS: tuple[Section, ...] = (
    Section("summary", "Executive summary", summary, False),
    Section("heatmap", "Regional sales heatmap (observed sales)", heatmap, True),
    Section("stores", "Store performance", store_performance, True),
    Section("seasonal", "Seasonal category distribution", seasonal, True),
    Section("treemap", "Regional sales treemap", treemap, True),
    Section("transfers", "Top transfers", transfers, True),
    Section("balance", "Balance per region before and after the plan", balance, True),
    Section("scenarios", "Scenario comparison", scenarios, True),
    Section("replay", "How the plan would have done", replay, True),
    Section("forecast", "Forecast accuracy", forecast, True),
    Section("zscore", "Z-score imbalance cases", zscore, True),
    Section("recommendations", "Store recommendations", recommendations, True),
    Section("kpis", "Monitoring KPIs", kpis, True),
    Section("assumptions", "Assumptions behind the data", assumptions, False),
)

__all__ = ["SECTIONS", "Section"]
