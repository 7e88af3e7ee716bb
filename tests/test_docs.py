"""The project's own documentation: the data dictionary matches the dbt yml, every model is in
it, every column below the marts (staging, intermediate, sources, seeds) is described, and code
cites docs/methodology.md, never design documents the repository does not ship."""

from __future__ import annotations

import csv
import json
import re
import textwrap
from pathlib import Path

import duckdb
import pytest
import yaml

from python_assets import handoff
from python_assets.data_dictionary import REGENERATE, data_dictionary, load_entries
from python_assets.inputs.contract import INPUT_TABLES
from python_assets.settings import DBT_PROJECT_DIR, REPO_ROOT, SEEDS_DIR, WarehouseSettings
from tests.conftest import BuiltWarehouse

DICTIONARY = REPO_ROOT / "docs" / "data_dictionary.md"
METHODOLOGY = REPO_ROOT / "docs" / "methodology.md"
MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
# Schemas whose every column needs a yml description: the sources (raw inputs, the tables the
# Python assets write), the seeds (reference) and the layers below the marts. The marts' enforced
# contracts already list every column with its description.
DESCRIBED_SCHEMAS = ("raw", "forecasting", "optimization", "reference", "staging", "intermediate")

# A design document cited by number ("003's", "(003)", "per 001", "003:"), "Step 8" or "SPEC".
# Numbers inside ids and values ("S001", "0.002", "P0025", "1,001") are not references.
DESIGN_DOC_REFERENCE = re.compile(
    r"(?<![\w.])(?<!\d,)00[123](?!\w|\.\d)|(?i:\bstep 8\b)|\bSPEC\b|seed-docs"
)
SCANNED = {
    "python_assets": (".py",),
    "dagster_defs": (".py",),
    "dbt_project/models": (".py", ".sql", ".yml"),
    "dbt_project/macros": (".sql", ".yml"),
    "seeds": (".csv", ".yml"),
}


def _model_files() -> list[Path]:
    models = DBT_PROJECT_DIR / "models"
    return sorted([*models.rglob("*.sql"), *models.rglob("*.py")])


# --------------------------------------------------------------------------- data dictionary


def test_data_dictionary_is_up_to_date():
    expected = data_dictionary()
    actual = DICTIONARY.read_text() if DICTIONARY.exists() else ""
    assert actual == expected, (
        f"{DICTIONARY.relative_to(REPO_ROOT)} is out of date with the dbt yml files / seeds. "
        f"Regenerate it: {REGENERATE}"
    )


def test_every_model_is_in_the_data_dictionary():
    text = DICTIONARY.read_text()
    missing = [p.stem for p in _model_files() if f"\n### {p.stem}\n" not in text]
    assert _model_files(), "no dbt models found"
    assert not missing, (
        f"{len(missing)} dbt models missing from docs/data_dictionary.md, e.g. {missing[:5]}. "
        f"Regenerate it: {REGENERATE}"
    )


def test_every_model_has_a_yml_description_stating_its_grain():
    models = [e for e in load_entries() if e.kind == "model"]
    no_grain = [e.name for e in models if dict(e.facts)["Grain"] == "not stated"]
    assert len(models) == len(_model_files())
    assert not no_grain, (
        f"{len(no_grain)} models whose yml description states no grain ('One row per ...'), "
        f"e.g. {no_grain[:5]}"
    )


def _tiny_project(root: Path) -> Path:
    project = root / "dbt_project"
    (project / "models" / "marts" / "shop").mkdir(parents=True)
    (project / "models" / "staging").mkdir(parents=True)
    (root / "seeds").mkdir()
    (project / "dbt_project.yml").write_text(
        textwrap.dedent(
            """
            name: tiny
            seed-paths: ["../seeds"]
            models:
              tiny:
                staging: {+materialized: view}
                marts: {+materialized: table}
            seeds:
              tiny:
                +schema: reference
                prices: {+column_types: {item: varchar, price: double}}
            """
        )
    )
    (project / "models" / "marts" / "shop" / "fct_orders.sql").write_text("select 1 as order_id")
    (project / "models" / "staging" / "stg_shop__items.py").write_text("def model(dbt, s): ...")
    (project / "models" / "marts" / "shop" / "_shop__models.yml").write_text(
        textwrap.dedent(
            """
            version: 2
            models:
              - name: fct_orders
                description: "Orders | paid. One row per order."
                config: {contract: {enforced: true}}
                columns:
                  - name: order_id
                    data_type: integer
                    description: Order.
                    data_tests:
                      - unique
                      - relationships: {arguments: {to: ref('dim_items'), field: item}}
            """
        )
    )
    (root / "seeds" / "prices.csv").write_text("item,price\na,1.5\n")
    (root / "seeds" / "_seeds.yml").write_text(
        "seeds:\n  - name: prices\n    description: One row per item.\n"
    )
    return project


def test_data_dictionary_renders_models_seeds_and_undocumented_models(tmp_path):
    text = data_dictionary(_tiny_project(tmp_path))
    assert "### fct_orders\n\nOrders \\| paid. One row per order." in text
    assert "- Grain: One row per order." in text
    assert "- Materialized: table, schema `marts`" in text
    assert "- Contract: enforced" in text
    assert "| `order_id` | integer | Order. | unique, relationships (dim_items.item) |" in text
    # a model without a yml entry is still listed, marked undocumented
    assert "### stg_shop__items\n\nUndocumented: no entry in a yml file." in text
    assert "- Language: dbt Python model" in text
    assert "- Materialized: view, schema `staging`" in text
    # seeds: columns typed from dbt_project.yml, rows listed
    assert "| `price` | double |  |  |" in text
    assert "| a | 1.5 |" in text
    assert "`reference.prices`" in text


# --------------------------------------------------------------------------- column descriptions


def _documented_columns() -> dict[tuple[str, str], dict[str, str]]:
    """(schema, relation) -> {column: description} of every model, seed and source, as dbt
    parsed the yml files into the manifest (`make manifest`)."""
    yml = [*(DBT_PROJECT_DIR / "models").rglob("*.yml"), *SEEDS_DIR.glob("*.yml")]
    stale = [p.name for p in yml if p.stat().st_mtime > MANIFEST.stat().st_mtime]
    assert not stale, f"{MANIFEST} is older than {stale}: run `make manifest` first"
    manifest = json.loads(MANIFEST.read_text())
    relations = {
        (n["schema"], n["alias"]): n["columns"]
        for n in manifest["nodes"].values()
        if n["resource_type"] in ("model", "seed")
    }
    relations |= {
        (s["schema"], s["identifier"]): s["columns"] for s in manifest["sources"].values()
    }
    return {
        relation: {
            name: (column.get("description") or "").strip() for name, column in columns.items()
        }
        for relation, columns in relations.items()
    }


def _warehouse_columns(settings: WarehouseSettings) -> dict[tuple[str, str], list[str]]:
    """(schema, relation) -> its columns, for every table and view of DESCRIBED_SCHEMAS: in the
    warehouse file, and in the Parquet hand-off (the sources the Python steps write)."""
    query = (
        "select schema_name, table_name, column_name from duckdb_columns() "
        "where database_name = current_database() and schema_name in "
        f"({', '.join('?' for _ in DESCRIBED_SCHEMAS)}) "
        "order by schema_name, table_name, column_index"
    )
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        rows = con.execute(query, list(DESCRIBED_SCHEMAS)).fetchall()
    with handoff.connect(settings.handoff_dir) as con:
        rows += con.execute(query, list(DESCRIBED_SCHEMAS)).fetchall()
    relations: dict[tuple[str, str], list[str]] = {}
    for schema, relation, column in rows:
        relations.setdefault((schema, relation), []).append(column)
    return relations


def test_every_column_of_staging_intermediate_sources_and_seeds_is_described(
    built_warehouse: BuiltWarehouse,
):
    """The real columns of every relation (the tiny demo warehouse), not only those a yml lists:
    a column a model selects but no yml names fails here."""
    documented = _documented_columns()
    relations = _warehouse_columns(built_warehouse.settings)
    assert {schema for schema, _ in relations} == set(DESCRIBED_SCHEMAS)
    undescribed = [
        f"{schema}.{relation}.{column}"
        + ("" if (schema, relation) in documented else " (no dbt model, seed or source)")
        for (schema, relation), columns in sorted(relations.items())
        for column in columns
        if not documented.get((schema, relation), {}).get(column)
    ]
    assert not undescribed, (
        f"{len(undescribed)} columns without a description in their dbt yml (models: the "
        "model's _*.yml; sources: _*__sources.yml; seeds: seeds/_seeds.yml):\n"
        + "\n".join(undescribed)
    )


def test_described_columns_exist(built_warehouse: BuiltWarehouse):
    """A yml column the relation does not have documents nothing (renamed or dropped)."""
    relations = _warehouse_columns(built_warehouse.settings)
    not_there = [
        f"{schema}.{relation}.{column}"
        for (schema, relation), columns in sorted(_documented_columns().items())
        if (schema, relation) in relations
        for column in columns
        if column not in relations[(schema, relation)]
    ]
    assert not not_there, (
        f"{len(not_there)} columns described in a dbt yml that the warehouse relation does not "
        "have:\n" + "\n".join(not_there)
    )


def _source_columns(source: str) -> dict[str, list[dict]]:
    """Table -> its yml column entries, of one dbt source."""
    tables = {}
    for path in (DBT_PROJECT_DIR / "models").rglob("_*__sources.yml"):
        for entry in yaml.safe_load(path.read_text()).get("sources") or []:
            if entry["name"] == source:
                tables |= {t["name"]: t.get("columns") or [] for t in entry.get("tables") or []}
    return tables


def test_input_sources_list_the_contract_columns_with_their_types():
    """The raw tables hold exactly the input contract's columns (python_assets/inputs/contract.py), so
    the inputs source lists them, in the contract's order and type, each described."""
    documented = _source_columns("inputs")
    assert set(documented) == {table.name for table in INPUT_TABLES}
    for table in INPUT_TABLES:
        listed = [(c["name"], c.get("data_type")) for c in documented[table.name]]
        assert listed == [(c.name, c.sql_type) for c in table.columns], table.name
        assert all(str(c.get("description") or "").strip() for c in documented[table.name])


def test_every_seed_column_is_described():
    seeds = {s["name"]: s for s in yaml.safe_load((SEEDS_DIR / "_seeds.yml").read_text())["seeds"]}
    undescribed = []
    for path in sorted(SEEDS_DIR.glob("*.csv")):
        with path.open(newline="") as handle:
            header = next(csv.reader(handle))
        described = {
            c["name"]
            for c in (seeds.get(path.stem) or {}).get("columns") or []
            if str(c.get("description") or "").strip()
        }
        undescribed += [f"{path.stem}.{column}" for column in header if column not in described]
    assert not undescribed, f"seed columns without a description in seeds/_seeds.yml: {undescribed}"


# --------------------------------------------------------------------------- design documents


@pytest.mark.parametrize(
    "text",
    ["003's objective", "shipping zones (003)", "per 001", "Service limit (001): none",
     "(003, 3.3)", "as in 002.", "Step 8's seasonal blend", "the step 8 CSVs",
     "SPEC section 5", "see SPEC"],
)  # fmt: skip
def test_design_document_pattern_finds_references(text):
    assert DESIGN_DOC_REFERENCE.search(text)


@pytest.mark.parametrize(
    "text",
    ['"S001"', "0.002", "P0025", "1,001 units", "clip(x, 0.001, 1)", "step8_csv",
     "STEP8_TABLES", "spec = {}", "2003", "0030"],
)  # fmt: skip
def test_design_document_pattern_ignores_numbers_and_names(text):
    assert not DESIGN_DOC_REFERENCE.search(text)


def _design_document_references() -> list[str]:
    found = []
    for folder, suffixes in SCANNED.items():
        for path in sorted((REPO_ROOT / folder).rglob("*")):
            if path.suffix not in suffixes or "target" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if DESIGN_DOC_REFERENCE.search(line):
                    found.append(f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()[:100]}")
    return found


def test_code_cites_the_projects_own_docs_not_design_documents():
    found = _design_document_references()
    assert not found, (
        f"{len(found)} lines cite design documents the repository does not ship "
        "(refer to docs/methodology.md or the README instead):\n" + "\n".join(found)
    )


def test_methodology_lists_where_each_rule_lives():
    text = METHODOLOGY.read_text()
    table = text.split("## Where each rule lives", 1)[1]
    rows = re.findall(r"^\| [^|]+ \| `([^`]+)` \| ([^|]+) \|$", table, flags=re.MULTILINE)
    assert len(rows) >= 20
    missing = [path for path, _ in rows if not (REPO_ROOT / path).exists()]
    assert not missing, f"docs/methodology.md names files that do not exist: {missing}"
    not_there = [
        f"{path}: {name}"
        for path, names in rows
        for name in re.findall(r"`(\w+)`", names)
        if name != Path(path).stem
        and not re.search(rf"^(def|class) {name}\b", (REPO_ROOT / path).read_text(), re.MULTILINE)
    ]
    assert not not_there, (
        f"docs/methodology.md names functions its files do not define: {not_there}"
    )
