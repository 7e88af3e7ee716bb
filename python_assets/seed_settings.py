"""The settings held in seeds/: each one's type and valid range (seeds/setting_rules.csv), checked
for the seed files and for a run's overrides before dbt runs. Overrides leave this module as
canonical text of their type (a number, true/false, one of the allowed words), never as SQL."""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from python_assets.settings import SEEDS_DIR, SettingValue

RULES_FILE = "setting_rules.csv"
# seeds holding one setting per row: seed -> the column naming the setting
NAMED_SEEDS = {
    "rule_settings": "setting",
    "cost_parameters": "parameter",
    "network_settings": "setting",
}
# seeds holding a table: seed -> the column naming a row; their rules apply to a column
TABLE_SEEDS = {"service_levels": "service_level", "scenario_grid": "scenario_id"}
# settings that must not exceed another one
ORDERED = (("cluster_k_min", "cluster_k_max"),)
DATA_TYPES = ("double", "integer", "boolean", "varchar")

_BOUND = re.compile(r"^(>=|>|<=|<)\s*(\S+)$")
_INTERVAL = re.compile(r"^([\[(])\s*([^,\s]+)\s*,\s*([^\])\s]+)\s*([\])])$")


class SettingsError(ValueError):
    """Every problem found in the settings, one per line (file and row, or override, named)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            f"{len(problems)} invalid setting(s) (seeds/setting_rules.csv gives each type and range):\n"
            + "\n".join(f"- {p}" for p in problems)
        )


@dataclass(frozen=True)
class SettingRule:
    """One setting's (or one table column's) type and valid values.

    valid: '> 0', '>= 0', '< 1', '<= 1', an interval '(0, 1)' / '[0, 1]' / '[0, 1)', or words
    'store | subcategory'; empty = any value of the type."""

    seed: str
    name: str
    data_type: str
    valid: str
    may_be_empty: bool

    def canonical(self, value: SettingValue | None) -> str | None:
        """The value as canonical text of its type; ValueError saying why it is not valid."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if self.may_be_empty:
                return None
            raise ValueError("empty, but a value is required")
        text = str(value).strip()
        if self.data_type == "boolean":
            if isinstance(value, bool) or text.lower() in ("true", "false"):
                return text.lower()
            raise ValueError(f"{text!r} is not true or false")
        if self.data_type == "varchar":
            words = [w.strip() for w in self.valid.split("|")] if self.valid else []
            if words and text not in words:
                raise ValueError(f"{text!r} is not one of {', '.join(words)}")
            return text
        number = _number(value, self.data_type)
        if self.valid and not _within(number, self.valid):
            raise ValueError(f"{text} is not {self.valid}")
        return str(int(number)) if self.data_type == "integer" else repr(number)


def _number(value: SettingValue, data_type: str) -> float:
    kind = "a whole number" if data_type == "integer" else "a number"
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
    except ValueError:
        raise ValueError(f"{str(value)!r} is not {kind}") from None
    if not math.isfinite(number) or (data_type == "integer" and not number.is_integer()):
        raise ValueError(f"{value} is not {kind}")
    return number


def _within(number: float, valid: str) -> bool:
    if bound := _BOUND.match(valid):
        op, limit = bound.group(1), float(bound.group(2))
        return {
            ">": number > limit,
            ">=": number >= limit,
            "<": number < limit,
            "<=": number <= limit,
        }[op]
    if interval := _INTERVAL.match(valid):
        left, low, high, right = interval.groups()
        above = number >= float(low) if left == "[" else number > float(low)
        below = number <= float(high) if right == "]" else number < float(high)
        return above and below
    raise ValueError(f"unreadable range {valid!r} in seeds/{RULES_FILE}")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def load_rules(seeds_dir: Path = SEEDS_DIR) -> dict[tuple[str, str], SettingRule]:
    """seeds/setting_rules.csv by (seed, setting or column name)."""
    rules = {}
    for row in _read(seeds_dir / RULES_FILE):
        rule = SettingRule(
            seed=row["seed"],
            name=row["name"],
            data_type=row["data_type"],
            valid=row["valid"].strip(),
            may_be_empty=row["may_be_empty"].strip().lower() == "true",
        )
        if rule.data_type not in DATA_TYPES:
            raise ValueError(
                f"seeds/{RULES_FILE} row {rule.name}: type must be one of {DATA_TYPES}"
            )
        rules[(rule.seed, rule.name)] = rule
    return rules


def seeded_settings(seeds_dir: Path = SEEDS_DIR) -> dict[str, tuple[str, str]]:
    """Every named setting's seed value and seed: name -> (value, seed)."""
    return {
        row[key]: (row["value"], seed)
        for seed, key in NAMED_SEEDS.items()
        for row in _read(seeds_dir / f"{seed}.csv")
    }


def _missing_rule(where: str) -> str:
    return f"{where}: no type or range in seeds/{RULES_FILE} (add a row for it)"


def seed_problems(seeds_dir: Path, rules: Mapping[tuple[str, str], SettingRule]) -> list[str]:
    """What is wrong in the seed files, each naming the file and the row."""
    problems = []
    for name, (value, seed) in seeded_settings(seeds_dir).items():
        where = f"seeds/{seed}.csv row {name}"
        if (seed, name) not in rules:
            problems.append(_missing_rule(where))
            continue
        try:
            rules[(seed, name)].canonical(value)
        except ValueError as reason:
            problems.append(f"{where}: {reason}")
    for seed, key in TABLE_SEEDS.items():
        rows = _read(seeds_dir / f"{seed}.csv")
        for column in rows[0] if rows else []:
            if (seed, column) not in rules:
                problems.append(_missing_rule(f"seeds/{seed}.csv column {column}"))
                continue
            for row in rows:
                try:
                    rules[(seed, column)].canonical(row[column])
                except ValueError as reason:
                    problems.append(f"seeds/{seed}.csv row {row[key]}, column {column}: {reason}")
    defaults = [r for r in _read(seeds_dir / "service_levels.csv") if r["is_default"] == "true"]
    if len(defaults) != 1:
        problems.append(
            f"seeds/service_levels.csv: {len(defaults)} rows have is_default true, not 1"
        )
    return problems


def validate_settings(
    overrides: Mapping[str, SettingValue | None], seeds_dir: Path = SEEDS_DIR
) -> dict[str, str | None]:
    """Check the seeds and a run's overrides; return the overrides as canonical text (the only
    form that reaches dbt) or raise SettingsError listing every problem."""
    rules = load_rules(seeds_dir)
    seeded = seeded_settings(seeds_dir)
    problems = seed_problems(seeds_dir, rules)
    canonical: dict[str, str | None] = {}
    for name, value in overrides.items():
        if name not in seeded:
            problems.append(
                f"setting_overrides: unknown setting {name!r} (settings are the rows of "
                f"{', '.join(f'seeds/{s}.csv' for s in NAMED_SEEDS)})"
            )
        elif (rule := rules.get((seeded[name][1], name))) is not None:
            try:
                canonical[name] = rule.canonical(value)
            except ValueError as reason:
                problems.append(f"setting_overrides {name}: {reason}")
    for low, high in ORDERED:
        values = {n: canonical.get(n, seeded.get(n, (None,))[0]) for n in (low, high)}
        source = {n: "setting_overrides" if n in canonical else "seeds" for n in (low, high)}
        try:
            if float(values[low]) > float(values[high]):
                problems.append(
                    f"{low} ({values[low]}, {source[low]}) is above {high} "
                    f"({values[high]}, {source[high]})"
                )
        except (TypeError, ValueError):
            pass  # an invalid value is already reported above
    if problems:
        raise SettingsError(problems)
    return canonical


def override_mismatches(
    in_force: Mapping[str, str | None], wanted: Mapping[str, str | None]
) -> list[str]:
    """Settings whose override in the resolved-settings table differs from this run's."""
    return sorted(
        name
        for name in set(in_force) | set(wanted)
        if name not in in_force or name not in wanted or in_force[name] != wanted[name]
    )
