"""The page is assembled from the templates into one offline HTML file: the CSS of
templates/report.css inline, no script, stylesheet link or external URL, every section there."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import python_assets.reporting as reporting
from python_assets.reporting import READS, ReportData, render_report_html
from python_assets.reporting.data import UNNAMED_DATASET
from python_assets.reporting.render import PAGE_TEMPLATE, TEMPLATES_DIR
from python_assets.reporting.sections import SECTIONS

REPO_ROOT = Path(__file__).resolve().parents[2]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [str(v) for k, v in attrs if k in ("src", "href", "action") and v]


@pytest.fixture(scope="module")
def empty_page() -> str:
    """The page of a warehouse where every table is missing: needs no dbt build."""
    frames = {name: pd.DataFrame(columns=list(read.columns)) for name, read in READS.items()}
    data = ReportData(**frames, missing_tables=tuple(r.address for r in READS.values()))
    return render_report_html(data, datetime(2026, 7, 1, 6, 30, tzinfo=UTC))


def test_input_files_that_do_not_name_their_dataset_are_said_to_be_unnamed(empty_page) -> None:
    assert f"Dataset: {UNNAMED_DATASET}" in empty_page and "unknown" not in empty_page


def test_templates_ship_inside_the_package() -> None:
    assert Path(reporting.__file__).parent / "templates" == TEMPLATES_DIR
    assert (TEMPLATES_DIR / PAGE_TEMPLATE).is_file() and (TEMPLATES_DIR / "report.css").is_file()
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    assert re.search(r'python_assets\s*=\s*\[[^\]]*"reporting/templates/\*"', pyproject)


def test_page_is_the_template_with_the_css_inline(empty_page: str) -> None:
    css = (TEMPLATES_DIR / "report.css").read_text()
    assert empty_page.startswith("<!DOCTYPE html>")
    assert f"<style>\n{css}</style>" in empty_page
    assert empty_page.count("<html") == 1 and empty_page.rstrip().endswith("</html>")
    for section in SECTIONS:
        assert f'<section id="{section.anchor}"><h2>{section.title}</h2>' in empty_page
        assert f'<a href="#{section.anchor}">' in empty_page
    assert "{{" not in empty_page and "{%" not in empty_page  # nothing left unrendered


def test_page_has_no_external_url(empty_page: str) -> None:
    links = Links()
    links.feed(empty_page)
    assert "script" not in links.tags and "link" not in links.tags
    for url in links.urls:
        assert url.startswith(("#", "data:image/png;base64,")), url
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", empty_page, re.I)
    style = empty_page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "url(" not in style and "@import" not in style


def test_missing_tables_are_named_on_the_page(empty_page: str) -> None:
    assert "reports.rpt_transfers" in empty_page
    assert "marts.kpi_region not found in this warehouse" in empty_page


def test_text_from_the_data_is_escaped() -> None:
    frames = {name: pd.DataFrame(columns=list(read.columns)) for name, read in READS.items()}
    frames["assumptions"] = pd.DataFrame(
        {
            "dataset_name": ["<script>x</script>"],
            "topic": ["t"],
            "assumption": ["a & b"],
            "setting": [None],
        }
    )
    page = render_report_html(ReportData(**frames), datetime(2026, 7, 1, tzinfo=UTC))
    assert "<script>" not in page
    assert "&lt;script&gt;" in page and "a &amp; b" in page
