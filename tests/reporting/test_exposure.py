"""The report's dbt exposure lists exactly the tables the report reads, and the Dagster asset
depends on exactly those: one list (REPORT_TABLES), checked against the yml. The BI copy's
exposure lists every mart, as published_marts publishes every mart."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import yaml

from dagster_defs.assets.reporting import rebalancing_report
from python_assets.reporting import READS, REPORT_TABLES

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"
REPORT_EXPOSURE = "regional_rebalancing_report"


def exposures() -> dict[str, dict]:
    found: dict[str, dict] = {}
    for path in sorted((DBT_DIR / "models").rglob("*.yml")):
        for exposure in (yaml.safe_load(path.read_text()) or {}).get("exposures", []):
            assert exposure["name"] not in found, f"{exposure['name']} defined twice ({path})"
            found[exposure["name"]] = exposure
    return found


def model_schema(model: str) -> str:
    """The schema dbt builds a model in: its top folder's +schema in dbt_project.yml."""
    paths = list((DBT_DIR / "models").rglob(f"{model}.sql"))
    assert len(paths) == 1, f"model {model}: {paths}"
    folder = paths[0].relative_to(DBT_DIR / "models").parts[0]
    project = yaml.safe_load((DBT_DIR / "dbt_project.yml").read_text())
    return project["models"][project["name"]][folder]["+schema"]


def exposure_tables(name: str = REPORT_EXPOSURE) -> set[str]:
    refs = exposures()[name]["depends_on"]
    names = [ref.removeprefix("ref('").removesuffix("')") for ref in refs]
    assert all("'" not in n and "(" not in n for n in names), refs
    return {f"{model_schema(name)}.{name}" for name in names}


def test_exposure_lists_exactly_the_tables_the_report_reads() -> None:
    tables = exposure_tables()
    assert tables == set(REPORT_TABLES), (
        f"in the exposure only: {sorted(tables - set(REPORT_TABLES))}; "
        f"read by the report only: {sorted(set(REPORT_TABLES) - tables)}"
    )


def test_report_tables_are_the_tables_read() -> None:
    assert set(REPORT_TABLES) == {read.address for read in READS.values()}
    assert {read.schema for read in READS.values()} == {"marts", "reports"}


def test_asset_depends_on_the_same_tables() -> None:
    deps = {d.asset_key for d in rebalancing_report.specs_by_key[rebalancing_report.key].deps}
    assert deps == {dg.AssetKey(table.split(".")) for table in REPORT_TABLES}


def test_every_report_model_is_read() -> None:
    """A rpt model nobody reads is dead code: each one in models/reports is in the list."""
    models = {p.stem for p in (DBT_DIR / "models" / "reports").rglob("rpt_*.sql")}
    assert models == {t.split(".")[1] for t in REPORT_TABLES if t.startswith("reports.")}


def test_the_bi_exposure_lists_every_mart_the_bi_copy_publishes() -> None:
    from dagster_defs.assets.dbt import mart_keys

    published = {".".join(key.path) for key in mart_keys()}
    assert exposure_tables("bi_dashboards") == published
