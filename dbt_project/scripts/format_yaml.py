"""Rewrite the dbt YAML files (dbt_project/**/*.yml, seeds/*.yml) in the project's one style.

The style: block mappings and sequences, 2-space indent with list items indented under their
key, descriptions double-quoted (folded with `>` when long), other strings plain unless they
need quotes (then double-quoted), multi-line strings as `|` blocks, unit-test fixture rows as
one-line mappings (they read as a table), a blank line between top-level keys.

    python dbt_project/scripts/format_yaml.py           # rewrite the files in place
    python dbt_project/scripts/format_yaml.py --check   # list files not in the style, exit 1 if any

Only a leading comment block is kept: a file with any other comment is refused (the rewrite
would drop it), so write such notes into a description instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {"target", "dbt_packages", "logs"}
LINE = 100  # flow rows wrap here; a description that fits within it stays one quoted line
FOLD = 86  # folded text breaks at the first space past this column, so lines stay near LINE


class Description(str):
    """A `description:` value, always quoted or folded so prose never reads as YAML syntax."""


class FlowRow(dict):
    """A unit-test fixture row, written on one line."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # list items indented under their key

    def choose_scalar_style(self) -> str:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style

    def process_scalar(self) -> None:
        # only folded prose wraps: an SQL expression or a name stays on its line
        self.best_width = FOLD if self.event.style == ">" else 10**6
        super().process_scalar()
        self.best_width = LINE


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = None  # names and refs plain
    if "\n" in value.rstrip("\n"):
        style = "|"
    elif any(c.isspace() for c in value):  # SQL expressions and prose
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_description(dumper: yaml.SafeDumper, value: Description) -> yaml.ScalarNode:
    text = " ".join(value.split()) if "\n\n" not in value else value.strip()
    return dumper.represent_scalar("tag:yaml.org,2002:str", text + "\n", style=">")


def _represent_flow_row(dumper: yaml.SafeDumper, value: FlowRow) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Description, _represent_description)
_Dumper.add_representer(FlowRow, _represent_flow_row)


def _mark(node: Any, key: str = "") -> Any:
    """Tag descriptions and fixture rows so the dumper styles them."""
    if isinstance(node, dict) and key != "+column_types":  # there `description` is a column
        return {k: _mark(v, str(k)) for k, v in node.items()}
    if isinstance(node, list):
        if key == "rows":
            return [FlowRow(row) if isinstance(row, dict) else row for row in node]
        return [_mark(item) for item in node]
    if key == "description" and isinstance(node, str):
        return Description(node)
    return node


def formatted(text: str, path: Path) -> str:
    """`text` (the content of the YAML file `path`) in the project's style."""
    lines = text.splitlines()
    header = []
    while lines and lines[0].startswith("#"):
        header.append(lines.pop(0))
    if any(line.lstrip().startswith("#") or " #" in line for line in lines):
        commented = next(i for i, line in enumerate(lines, len(header) + 1) if "#" in line)
        sys.exit(
            f"{path}:{commented}: a comment the rewrite would drop; move it into a description"
        )
    body = yaml.dump(
        _mark(yaml.safe_load("\n".join(lines))),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=LINE,
        default_flow_style=False,
    )
    out: list[str] = []
    for line in _one_line_descriptions(body.splitlines()):
        if out and line[:1].isalpha() and line.endswith(":"):  # a top-level block after the first
            out.append("")
        out.append(line)
    return "\n".join([*header, *out]) + "\n"


def _one_line_descriptions(lines: list[str]) -> list[str]:
    """Folded descriptions that fit on their key's line, as one double-quoted line."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        text = lines[i + 1].strip() if i + 1 < len(lines) else ""
        single = i + 2 >= len(lines) or _indent(lines[i + 2]) < _indent(lines[i + 1])
        joined = f'{line.removesuffix(">")}"{text}"'
        plain = '"' not in text and "\\" not in text
        if line.endswith("description: >") and single and plain and len(joined) <= LINE:
            out.append(joined)
            i += 2
            continue
        out.append(line)
        i += 1
    return out


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def yaml_files(root: Path = ROOT) -> list[Path]:
    """The dbt project's and the seeds' YAML files, build output excluded."""
    found = [*(root / "dbt_project").rglob("*.yml"), *(root / "seeds").glob("*.yml")]
    return sorted(p for p in found if not SKIP_DIRS & set(p.relative_to(root).parts))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only list files not in the style")
    parser.add_argument("paths", nargs="*", type=Path, help="files (default: all dbt YAML)")
    args = parser.parse_args()
    unformatted = []
    for path in args.paths or yaml_files():
        text = path.read_text()
        new = formatted(text, path)
        if new != text:
            unformatted.append(path)
            if not args.check:
                path.write_text(new)
    for path in unformatted:
        print(f"{'would reformat' if args.check else 'reformatted'} {path}")
    return 1 if args.check and unformatted else 0


if __name__ == "__main__":
    sys.exit(main())
