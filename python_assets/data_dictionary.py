"""The warehouse's data dictionary (docs/data_dictionary.md), generated from the dbt project.

Every source, seed, model and exposure with its description, grain and columns (type where a
contract gives it, description, tests), read from the dbt yml files, the seed CSVs and
dbt_project.yml; a model file without a yml entry is listed too, marked undocumented.
Regenerate with:

    python -m python_assets.data_dictionary > docs/data_dictionary.md
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from python_assets.settings import DBT_PROJECT_DIR, REPO_ROOT

REGENERATE = "python -m python_assets.data_dictionary > docs/data_dictionary.md"
LAYER_ORDER = ("staging", "intermediate", "marts", "reports")
MAX_SEED_ROWS = 50  # small reference seeds are listed row by row (settings explain themselves)
_GRAIN = re.compile(r"One row\b[^.]*\.", re.IGNORECASE)
_CONFIG_MATERIALIZED = re.compile(r"materialized\s*=\s*['\"](\w+)['\"]")


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str
    tests: tuple[str, ...]


@dataclass(frozen=True)
class Entry:
    """One documented object: a source table, seed, model or exposure."""

    kind: str  # 'source', 'seed', 'model', 'exposure'
    name: str
    section: str  # heading it is listed under, e.g. 'marts / optimization'
    path: str  # file that defines it, relative to the repository root
    description: str
    facts: tuple[tuple[str, str], ...] = ()  # (label, value) lines under the description
    columns: tuple[Column, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()  # seed contents: header first


# --------------------------------------------------------------------------- reading the project


def _clean(text: object) -> str:
    """One line of Markdown-table-safe text."""
    return " ".join(str(text or "").split()).replace("|", "\\|")


def _test_name(test: object) -> str:
    """'unique', 'relationships (dim_stores.store_id)', 'accepted_values (a, b)', ..."""
    if isinstance(test, str):
        return test
    if not isinstance(test, dict) or not test:
        return str(test)
    name, spec = next(iter(test.items()))
    if name == "name" and isinstance(spec, str):  # {name: ..., test_name: ...} form
        name = str(test.get("test_name", spec))
    spec = spec if isinstance(spec, dict) else {}
    args = spec.get("arguments", spec)
    if "to" in args and "field" in args:
        target = re.sub(r"^(?:ref|source)\((.*)\)$", r"\1", str(args["to"])).replace("'", "")
        return f"{name} ({target.replace(', ', '.')}.{args['field']})"
    if "values" in args:
        return f"{name} ({', '.join(str(v) for v in args['values'])})"
    if "column_name" in args:
        return f"{name} ({args['column_name']})"
    if "expression" in args:
        return f"{name} ({args['expression']})"
    return str(name)


def _tests(node: dict) -> tuple[str, ...]:
    tests = [*(node.get("data_tests") or []), *(node.get("tests") or [])]
    tests += [c["type"] for c in node.get("constraints") or [] if isinstance(c, dict)]
    return tuple(dict.fromkeys(_test_name(t) for t in tests))


def _columns(node: dict, types: dict[str, str] | None = None) -> tuple[Column, ...]:
    return tuple(
        Column(
            name=str(col["name"]),
            data_type=str(col.get("data_type") or (types or {}).get(col["name"], "")),
            description=_clean(col.get("description")),
            tests=_tests(col),
        )
        for col in node.get("columns") or []
    )


def _grain(description: str) -> str:
    found = _GRAIN.search(description)
    return found.group(0) if found else "not stated"


def _read_yml(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT.resolve()))
    except ValueError:
        return str(path)


def _folder_materializations(project: dict) -> dict[str, str]:
    """Top model folder -> materialization, from dbt_project.yml's models config."""
    config = next(iter((project.get("models") or {}).values()), {}) or {}
    return {
        folder: str(settings["+materialized"])
        for folder, settings in config.items()
        if isinstance(settings, dict) and "+materialized" in settings
    }


def _model_entries(project_dir: Path, project: dict) -> list[Entry]:
    models_dir = project_dir / "models"
    documented: dict[str, tuple[dict, Path]] = {}
    for yml in sorted(models_dir.rglob("*.yml")):
        for node in _read_yml(yml).get("models") or []:
            documented[node["name"]] = (node, yml)
    folders = _folder_materializations(project)
    entries = []
    for path in sorted([*models_dir.rglob("*.sql"), *models_dir.rglob("*.py")]):
        parts = path.relative_to(models_dir).parts
        node, yml = documented.get(path.stem, ({}, None))
        description = _clean(node.get("description")) or "Undocumented: no entry in a yml file."
        config = node.get("config") or {}
        set_in_file = _CONFIG_MATERIALIZED.search(path.read_text())
        materialized = (
            config.get("materialized")
            or (set_in_file.group(1) if set_in_file else None)
            or folders.get(parts[0], "view")
        )
        contract = (config.get("contract") or {}).get("enforced", False)
        facts = [
            ("Grain", _grain(description)),
            ("Language", "dbt Python model" if path.suffix == ".py" else "SQL"),
            ("Materialized", f"{materialized}, schema `{parts[0]}`"),
            ("Contract", "enforced" if contract else "none"),
        ]
        if node.get("data_tests") or node.get("tests"):
            facts.append(("Model tests", "; ".join(_tests(node))))
        if yml is not None:
            facts.append(("Documented in", f"`{_relative(yml)}`"))
        entries.append(
            Entry(
                kind="model",
                name=path.stem,
                section=" / ".join(parts[:-1]),
                path=_relative(path),
                description=description,
                facts=tuple(facts),
                columns=_columns(node),
            )
        )
    return entries


def _source_entries(project_dir: Path) -> list[Entry]:
    entries = []
    for yml in sorted((project_dir / "models").rglob("*.yml")):
        for source in _read_yml(yml).get("sources") or []:
            schema = source.get("schema", source["name"])
            handed_off = "external_location" in (source.get("config") or {}).get("meta", {})
            for table in source.get("tables") or []:
                description = _clean(table.get("description"))
                where = (
                    ("Parquet hand-off", f"`handoff/{schema}/{table['name']}/*.parquet`")
                    if handed_off
                    else ("Warehouse table", f"`{schema}.{table['name']}`")
                )
                entries.append(
                    Entry(
                        kind="source",
                        name=f"{source['name']}.{table['name']}",
                        section=f"source {source['name']}",
                        path=_relative(yml),
                        description=description or "Undocumented.",
                        facts=(
                            ("Grain", _grain(description)),
                            where,
                            ("Written by", _clean(source.get("description"))),
                        ),
                        columns=_columns(table),
                    )
                )
    return entries


def _seed_entries(project_dir: Path, project: dict) -> list[Entry]:
    seed_config = next(iter((project.get("seeds") or {}).values()), {}) or {}
    entries = []
    for seed_dir in (project_dir / p for p in project.get("seed-paths", ["seeds"])):
        documented = {
            node["name"]: node
            for yml in sorted(seed_dir.glob("*.yml"))
            for node in _read_yml(yml).get("seeds") or []
        }
        schema = str(seed_config.get("+schema", "seeds"))
        for path in sorted(seed_dir.glob("*.csv")):
            with path.open(newline="") as handle:
                rows = [tuple(row) for row in csv.reader(handle)]
            node = documented.get(path.stem, {})
            types = (seed_config.get(path.stem) or {}).get("+column_types") or {}
            described = {c.name: c for c in _columns(node, types)}
            columns = tuple(
                described.get(name, Column(name, str(types.get(name, "")), "", ()))
                for name in rows[0]
            )
            description = _clean(node.get("description")) or "Undocumented."
            entries.append(
                Entry(
                    kind="seed",
                    name=path.stem,
                    section="seeds",
                    path=_relative(path),
                    description=description,
                    facts=(
                        ("Grain", _grain(description)),
                        ("Warehouse table", f"`{schema}.{path.stem}`"),
                    ),
                    columns=columns,
                    rows=tuple(rows) if len(rows) <= MAX_SEED_ROWS + 1 else (),
                )
            )
    return entries


def _exposure_entries(project_dir: Path) -> list[Entry]:
    entries = []
    for yml in sorted((project_dir / "models").rglob("*.yml")):
        for node in _read_yml(yml).get("exposures") or []:
            depends = [re.sub(r"^ref\('(.*)'\)$", r"\1", d) for d in node.get("depends_on") or []]
            entries.append(
                Entry(
                    kind="exposure",
                    name=node["name"],
                    section="exposures",
                    path=_relative(yml),
                    description=_clean(node.get("description")),
                    facts=(
                        ("Type", _clean(node.get("type"))),
                        ("Owner", _clean((node.get("owner") or {}).get("name"))),
                        ("Reads", ", ".join(f"`{d}`" for d in depends) or "nothing declared"),
                    ),
                )
            )
    return entries


def load_entries(project_dir: Path = DBT_PROJECT_DIR) -> list[Entry]:
    """Every source, seed, model and exposure of the dbt project at `project_dir`."""
    project = _read_yml(project_dir / "dbt_project.yml")
    return [
        *_source_entries(project_dir),
        *_seed_entries(project_dir, project),
        *_model_entries(project_dir, project),
        *_exposure_entries(project_dir),
    ]


# --------------------------------------------------------------------------- rendering


def _anchor(entry: Entry) -> str:
    return f"{entry.kind}-{entry.name}".replace(".", "-").replace("_", "-").lower()


def _section_rank(section: str) -> tuple[int, str]:
    first = section.split(" / ")[0]
    if section.startswith("source"):
        return (0, section)
    if section == "seeds":
        return (1, section)
    if section == "exposures":
        return (9, section)
    rank = LAYER_ORDER.index(first) + 2 if first in LAYER_ORDER else 8
    return (rank, section)


def _render_entry(entry: Entry) -> list[str]:
    lines = [f'<a id="{_anchor(entry)}"></a>', f"### {entry.name}", "", entry.description, ""]
    lines += [f"- {label}: {value}" for label, value in (("File", f"`{entry.path}`"), *entry.facts)]
    lines.append("")
    if entry.columns:
        lines += ["| column | type | description | tests |", "| --- | --- | --- | --- |"]
        lines += [
            f"| `{c.name}` | {c.data_type} | {c.description} | {', '.join(c.tests)} |"
            for c in entry.columns
        ]
        lines.append("")
    if entry.rows:
        header, *body = entry.rows
        lines += ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        lines += ["| " + " | ".join(_clean(v) for v in row) + " |" for row in body]
        lines.append("")
    return lines


def render_markdown(entries: list[Entry]) -> str:
    """The data dictionary as Markdown: an index per section, then one block per entry."""
    ordered = sorted(entries, key=lambda e: (_section_rank(e.section), e.name))
    sections: dict[str, list[Entry]] = {}
    for entry in ordered:
        sections.setdefault(entry.section, []).append(entry)
    lines = [
        "# Data dictionary",
        "",
        "Every source, seed, model and exposure of the dbt project: description, grain and",
        "columns (type where a contract or the seed config gives it). Generated from the dbt yml",
        "files, the seed CSVs and `dbt_project/dbt_project.yml`; do not edit by hand. Regenerate:",
        "",
        f"    {REGENERATE}",
        "",
        "How the figures are computed: [methodology.md](methodology.md).",
        "",
        "## Contents",
        "",
    ]
    for section, members in sections.items():
        links = ", ".join(f"[{e.name}](#{_anchor(e)})" for e in members)
        lines.append(f"- **{section}**: {links}")
    lines.append("")
    for section, members in sections.items():
        lines += [f"## {section}", ""]
        for entry in members:
            lines += _render_entry(entry)
    return "\n".join(lines).rstrip("\n") + "\n"


def data_dictionary(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """docs/data_dictionary.md's text for the dbt project at `project_dir`."""
    return render_markdown(load_entries(project_dir))


if __name__ == "__main__":
    print(data_dictionary(), end="")
