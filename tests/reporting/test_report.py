"""The regional rebalancing report on the tiny demo network: every section and chart is there,
the page is self-contained valid HTML without placeholder text, every executive-summary number
equals the mart value it names, and the report still renders when marts are empty or missing.

Runs on the warehouse the session fixture `built_warehouse` builds. While developing, point
REPORT_TEST_WAREHOUSE at an already built tiny warehouse (e.g. /tmp/wh/tiny/warehouse.duckdb) to
skip the build; the file is only opened read-only (the asset test works on a copy).
"""

from __future__ import annotations

import base64
import dataclasses
import os
import re
import shutil
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import duckdb
import pandas as pd
import pytest
from dagster_duckdb import DuckDBResource

from dagster_defs.assets.reporting import REPORT_FILE_NAME, rebalancing_report
from dagster_defs.resources import WarehouseSettingsResource
from python_assets.reporting import (
    FIGURE_SPECS,
    READS,
    REPORT_TABLES,
    ReportData,
    executive_summary_figures,
    format_figure,
    load_report_data,
    render_report_html,
    report_summary_markdown,
)
from python_assets.reporting.charts import squarify

GENERATED_AT = datetime(2026, 7, 1, 6, 30, tzinfo=UTC)

# the report's sections (README, "KPIs, report and BI"); written out here, not imported, so
# dropping a section from the report fails the test
EXPECTED_SECTIONS = {
    "summary": "Executive summary",
    "heatmap": "Regional sales heatmap (observed sales)",
    "stores": "Store performance",
    "seasonal": "Seasonal category distribution",
    "treemap": "Regional sales treemap",
    "transfers": "Top transfers",
    "balance": "Balance per region before and after the plan",
    "scenarios": "Scenario comparison",
    "replay": "How the plan would have done",
    "forecast": "Forecast accuracy",
    "zscore": "Z-score imbalance cases",
    "recommendations": "Store recommendations",
    "kpis": "Monitoring KPIs",
    "assumptions": "Assumptions behind the data",
}
CHART_SECTIONS = (
    "heatmap",
    "stores",
    "seasonal",
    "treemap",
    "transfers",
    "balance",
    "scenarios",
    "replay",
    "forecast",
    "zscore",
    "recommendations",
    "kpis",
)

# Each executive-summary figure recomputed from the marts, independently of the report code.
_COST = "select total_cost from marts.allocation_cost_breakdown where cost_level = 'total' and plan_name = '{}'"
EXPECTED_SQL = {
    "cost_optimised": _COST.format("optimised"),
    "cost_do_nothing": _COST.format("do_nothing"),
    "cost_decentralised": _COST.format("decentralised"),
    "cost_zscore_rule_moves": _COST.format("zscore_rule_moves"),
    "saving_vs_do_nothing": f"select ({_COST.format('do_nothing')}) - ({_COST.format('optimised')})",
    "saving_vs_do_nothing_pct": (
        f"select (({_COST.format('do_nothing')}) - ({_COST.format('optimised')})) "
        f"/ ({_COST.format('do_nothing')})"
    ),
    "saving_vs_decentralised": (
        f"select ({_COST.format('decentralised')}) - ({_COST.format('optimised')})"
    ),
    "fill_rate_before": "select fill_rate_doing_nothing from marts.allocation_service_level "
    "where service_level_grain = 'overall'",
    "fill_rate_after": "select fill_rate from marts.allocation_service_level "
    "where service_level_grain = 'overall'",
    "units_transferred": "select coalesce(sum(units), 0) from marts.fct_transfer_plan",
    "transfer_count": "select count(*) from marts.fct_transfer_plan",
    "units_central": "select sum(allocated_units) from marts.fct_replenishment_plan",
    "store_count": "select count(*) from marts.dim_stores",
    "stores_flagged": "select count(*) from marts.imbalanced_rule_results where is_imbalanced",
    "cases_flagged": "select count(*) from marts.imbalanced_zscore_analysis "
    "where imbalance_flag in ('over', 'under')",
    "zscore_units_moved": "select sum(units_in) from marts.imbalanced_rule_results",
    "planted_cases": "select planted_cases from marts.imbalance_rule_evaluation",
    "planted_recall": "select recall from marts.imbalance_rule_evaluation",
    "region_count": "select count(*) from marts.kpi_region",
    "balance_index_before": "select avg(regional_balance_index_before) from marts.kpi_region",
    "balance_index_after": "select avg(regional_balance_index_after) from marts.kpi_region",
    "revenue_28d": "select sum(revenue_28d) from marts.kpi_store",
    "units_sold_28d": "select sum(units_sold_28d) from marts.kpi_store",
    "forecast_wape": "select score_total_wape from marts.forecast_accuracy "
    "where backtest_window = 0 "
    "and segment_type = 'all' and model_name = 'chosen_per_class'",
}

PLACEHOLDERS = [
    re.compile(r"\bnan\b", re.IGNORECASE),
    re.compile(r"\bNone\b"),
    re.compile(r"\bNaT\b"),
    re.compile(r"\bnull\b", re.IGNORECASE),
    re.compile(r"\binf\b", re.IGNORECASE),
    re.compile(r"\bundefined\b", re.IGNORECASE),
    re.compile(r"TODO|TBD|FIXME|XXX"),
    re.compile(r"lorem|ipsum|placeholder", re.IGNORECASE),
    re.compile(r"[{}]"),
]
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


class ReportParser(HTMLParser):
    """Collects per section: heading, images, visible text; and page-wide tag balance and the
    URLs of every src/href."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.urls: list[str] = []
        self.tags: list[str] = []
        self.section: str | None = None
        self.headings: dict[str, str] = {}
        self.images: dict[str, list[str]] = {}
        self.empty_notes: dict[str, int] = {}
        self.text: dict[str, list[str]] = {}
        self.page_text: list[str] = []
        self.figures: dict[str, list[str]] = {}  # every printed occurrence of each figure
        self._figure: str | None = None
        self._skip_depth = 0  # inside <style>/<script>
        self._strip_depth = 0  # inside a figure or a name span (summary digit check)
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)
        for name in ("src", "href"):
            if attributes.get(name):
                self.urls.append(str(attributes[name]))
        if tag in ("style", "script"):
            self._skip_depth += 1
        if tag == "section":
            self.section = attributes.get("id")
            self.images.setdefault(self.section or "", [])
            self.text.setdefault(self.section or "", [])
        if tag == "h2":
            self._in_h2 = True
        if tag == "img" and self.section:
            self.images[self.section].append(str(attributes.get("src")))
        if tag == "p" and self.section and "empty" in (attributes.get("class") or ""):
            self.empty_notes[self.section] = self.empty_notes.get(self.section, 0) + 1
        if "data-figure" in attributes:
            self._figure = attributes["data-figure"]
            self.figures.setdefault(str(self._figure), []).append("")
        if self._strip_depth or "data-figure" in attributes or attributes.get("class") == "name":
            self._strip_depth += 1 if tag not in VOID_ELEMENTS else 0

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_ELEMENTS:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}>, open: {self.stack[-3:]}")
            return
        self.stack.pop()
        if tag in ("style", "script"):
            self._skip_depth -= 1
        if tag == "h2":
            self._in_h2 = False
        if self._strip_depth:
            self._strip_depth -= 1
            if not self._strip_depth:
                self._figure = None
        if tag == "section":
            self.section = None

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        self.page_text.append(data)
        if self._figure is not None:
            self.figures[self._figure][-1] += data
        if self.section is None:
            return
        if self._in_h2:
            self.headings[self.section] = self.headings.get(self.section, "") + data
        if not self._strip_depth:
            self.text[self.section].append(data)


def parse(html: str) -> ReportParser:
    parser = ReportParser()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def warehouse_path(request: pytest.FixtureRequest) -> Path:
    override = os.environ.get("REPORT_TEST_WAREHOUSE")
    if override:
        return Path(override)
    return request.getfixturevalue("built_warehouse").settings.duckdb_path


@pytest.fixture(scope="module")
def report_data(warehouse_path: Path) -> ReportData:
    # closed right away: a connection left open would clash with other tests' read-write ones
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return load_report_data(con)


@pytest.fixture(scope="module")
def expected_figures(warehouse_path: Path) -> dict[str, float]:
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return {key: con.execute(sql).fetchone()[0] for key, sql in EXPECTED_SQL.items()}


@pytest.fixture(scope="module")
def report_html(report_data: ReportData) -> str:
    return render_report_html(report_data, GENERATED_AT)


@pytest.fixture(scope="module")
def parsed(report_html: str) -> ReportParser:
    return parse(report_html)


def empty_like(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.iloc[0:0]


def test_every_section_heading_is_present_in_order(parsed: ReportParser) -> None:
    assert parsed.headings == EXPECTED_SECTIONS
    assert list(parsed.headings) == list(EXPECTED_SECTIONS)


@pytest.mark.parametrize("section", CHART_SECTIONS)
def test_chart_sections_embed_a_png(parsed: ReportParser, section: str) -> None:
    images = parsed.images[section]
    assert images, f"section {section} has no chart"
    for src in images:
        assert src.startswith("data:image/png;base64,")
        png = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(png) > 5_000  # a real chart, not a blank pixel
    assert section not in parsed.empty_notes, "the tiny network has data for every chart"


def test_no_placeholder_text(parsed: ReportParser) -> None:
    text = " ".join(parsed.page_text)
    for pattern in PLACEHOLDERS:
        found = pattern.findall(text)
        assert not found, f"{pattern.pattern} found: {found[:5]}"


def test_html_parses_and_is_self_contained(report_html: str, parsed: ReportParser) -> None:
    assert report_html.startswith("<!DOCTYPE html>")
    assert parsed.errors == []
    assert parsed.stack == [], f"unclosed tags: {parsed.stack}"
    assert "script" not in parsed.tags and "link" not in parsed.tags
    for url in parsed.urls:
        assert not re.match(r"\s*(https?:)?//", url, re.IGNORECASE), url
        assert url.startswith(("data:image/png;base64,", "#")), url
    style = report_html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "url(" not in style and "@import" not in style


def test_summary_figures_equal_the_marts(
    report_data: ReportData, expected_figures: dict[str, float], parsed: ReportParser
) -> None:
    figures = executive_summary_figures(report_data)
    # the tiny network has every mart, so every figure is there; and none is untested
    assert set(figures) == set(EXPECTED_SQL) == set(FIGURE_SPECS)
    for key, expected in expected_figures.items():
        assert expected is not None, key
        assert figures[key] == pytest.approx(float(expected), rel=1e-9, abs=1e-9), key
    # every number the summary prints, as printed, equals the mart value formatted the same way
    assert set(parsed.figures) == set(figures)
    for key, printed in parsed.figures.items():
        expected = format_figure(FIGURE_SPECS[key].kind, float(expected_figures[key]))
        assert printed and all(text == expected for text in printed), (key, printed, expected)


def test_summary_has_no_number_that_is_not_a_figure(parsed: ReportParser) -> None:
    text = " ".join(parsed.text["summary"])
    assert not re.search(r"\d", text), f"typed-in number in the summary: {text}"


def test_figure_sources_name_a_mart() -> None:
    for key, spec in FIGURE_SPECS.items():
        assert "marts." in spec.source or "cost_" in spec.source, key
        assert spec.kind in {"money", "units", "count", "pct", "index"}


def test_markdown_summary_has_the_headline_figures(
    report_data: ReportData, expected_figures: dict[str, float]
) -> None:
    markdown = report_summary_markdown(report_data)
    for key in ("cost_optimised", "cost_do_nothing", "fill_rate_after", "units_transferred"):
        spec = FIGURE_SPECS[key]
        assert f"| {spec.label} | {format_figure(spec.kind, expected_figures[key])} |" in markdown
    assert "gradient_boosting" in markdown or "ets" in markdown or "Forecast model" in markdown


def test_renders_when_some_marts_are_empty(report_data: ReportData) -> None:
    thin = dataclasses.replace(
        report_data,
        customer_segments=empty_like(report_data.customer_segments),
        rule_evaluation=report_data.rule_evaluation.assign(planted_cases=0, recall=float("nan")),
        forecast_accuracy=empty_like(report_data.forecast_accuracy),
        transfers=empty_like(report_data.transfers),
        zscore_cases=empty_like(report_data.zscore_cases),
        zscore_details=empty_like(report_data.zscore_details),
        kpi_store=report_data.kpi_store.assign(average_order_value_28d=float("nan")),
    )
    html = render_report_html(thin, GENERATED_AT)
    page = parse(html)
    assert page.errors == [] and page.headings == EXPECTED_SECTIONS
    text = " ".join(page.page_text)
    assert "no customer orders" in text
    assert "no planted imbalances" in text
    assert "No forecast backtest" in text
    assert "needs no store-to-store transfers" in text
    # an empty mart leaves words, not an empty chart
    assert page.images["forecast"] == [] and page.empty_notes.get("forecast")
    assert page.images["transfers"] == [] and page.empty_notes.get("transfers")
    assert page.images["heatmap"], "sections with data still draw"
    for pattern in PLACEHOLDERS:
        assert not pattern.search(text), pattern.pattern
    figures = executive_summary_figures(thin)
    assert "planted_recall" not in figures and figures["units_transferred"] == 0


def test_renders_when_every_mart_is_empty(report_data: ReportData) -> None:
    empty = ReportData(
        **{
            f.name: empty_like(getattr(report_data, f.name))
            for f in dataclasses.fields(ReportData)
            if f.name != "missing_tables"
        }
    )
    assert executive_summary_figures(empty) == {}
    page = parse(render_report_html(empty, GENERATED_AT))
    assert page.errors == [] and page.headings == EXPECTED_SECTIONS
    for section in CHART_SECTIONS:
        assert page.images[section] == [], section
        assert page.empty_notes.get(section), f"{section} says nothing about its empty data"
    for pattern in PLACEHOLDERS:
        assert not pattern.search(" ".join(page.page_text)), pattern.pattern
    assert "No headline figures" in report_summary_markdown(empty)


def test_missing_marts_are_named(tmp_path: Path) -> None:
    """A warehouse built before the forecast/LP/KPI steps: the report says which tables are absent."""
    path = tmp_path / "partial.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.dim_stores as select 'S1' as store_id, 'One' as store_name, "
            "'North' as region, 'Town' as city, 'express' as store_format"
        )
    with duckdb.connect(str(path), read_only=True) as con:
        data = load_report_data(con)
    assert "marts.kpi_region" in data.missing_tables
    assert "reports.rpt_transfers" in data.missing_tables
    assert "marts.dim_stores" not in data.missing_tables
    assert len(data.stores) == 1
    for name, read in READS.items():
        assert tuple(getattr(data, name).columns) == read.columns, name
    text = " ".join(parse(render_report_html(data, GENERATED_AT)).page_text)
    assert "marts.kpi_region not found in this warehouse" in text


def test_every_read_is_a_declared_table() -> None:
    assert {read.address for read in READS.values()} == set(REPORT_TABLES)
    fields = [f.name for f in dataclasses.fields(ReportData) if f.name != "missing_tables"]
    assert fields == list(READS)


def test_squarify_tiles_the_rectangle() -> None:
    values = [50.0, 25.0, 12.0, 8.0, 5.0, 0.0]
    rects = squarify(values, (1.0, 2.0, 10.0, 6.0))
    total_area = 60.0
    for value, (x, y, w, h) in zip(values, rects, strict=True):
        assert w * h == pytest.approx(total_area * value / sum(values))
        assert x >= 1.0 - 1e-9 and x + w <= 11.0 + 1e-9
        assert y >= 2.0 - 1e-9 and y + h <= 8.0 + 1e-9
    live = [r for r in rects if r[2] * r[3] > 0]
    for i, (ax, ay, aw, ah) in enumerate(live):
        for bx, by, bw, bh in live[i + 1 :]:
            overlap_w = min(ax + aw, bx + bw) - max(ax, bx)
            overlap_h = min(ay + ah, by + bh) - max(ay, by)
            assert overlap_w <= 1e-9 or overlap_h <= 1e-9
    # squarified: no sliver tiles for these values
    assert max(max(w / h, h / w) for _, _, w, h in live) < 3


def test_asset_writes_the_report_with_metadata(warehouse_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(warehouse_path, copy)  # the asset opens its warehouse read-write
    result = dg.materialize(
        [rebalancing_report],
        resources={
            "duckdb": DuckDBResource(database=str(copy)),
            "warehouse_settings": WarehouseSettingsResource(duckdb_path=str(copy)),
        },
    )
    assert result.success
    path = tmp_path / "reports" / REPORT_FILE_NAME
    html = path.read_text(encoding="utf-8")
    assert parse(html).headings == EXPECTED_SECTIONS
    assert [p.name for p in path.parent.iterdir()] == [REPORT_FILE_NAME]  # no temp file left
    (materialization,) = result.asset_materializations_for_node(rebalancing_report.op.name)
    metadata = materialization.metadata
    assert metadata["path"].value == str(path)
    assert metadata["size_bytes"].value == path.stat().st_size
    assert "Total cost of the recommended plan" in metadata["summary"].value
    spec = rebalancing_report.specs_by_key[dg.AssetKey(["reporting", "rebalancing_report"])]
    assert spec.group_name == "reporting"
    assert {d.asset_key for d in spec.deps} == {dg.AssetKey(t.split(".")) for t in REPORT_TABLES}


def test_asset_deps_are_dbt_models() -> None:
    from dagster_defs.assets.dbt import DBT_LAYERS

    dbt_keys = {key for layer in DBT_LAYERS for key in layer.keys}
    deps = {d.asset_key for d in rebalancing_report.specs_by_key[rebalancing_report.key].deps}
    assert deps <= dbt_keys
    assert {key.path[0] for key in deps} == {"marts", "reports"}
