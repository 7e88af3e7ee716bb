"""Check a folder of input files against the input contract, then load it as the raw tables of
the Parquet hand-off (dbt's source `inputs`).

Everything is checked before anything is written, and the load is all or nothing, so bad
input never replaces the warehouse's earlier results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from python_assets import handoff
from python_assets.inputs.contract import (
    EARLIEST_DATE,
    FILE_SUFFIXES,
    FUTURE_TOLERANCE_DAYS,
    INPUT_TABLES,
    INVENTORY_SNAPSHOT,
    PLANNED_COVARIATES,
    PLANNED_HORIZON_DAYS,
    SALES_DAILY,
    STORES,
    TABLES_BY_NAME,
    Column,
    InputTable,
)
from python_assets.settings import ISO_DATE

RAW_SCHEMA = "raw"


@dataclass(frozen=True)
class InputProblem:
    file: str
    column: str
    kind: str
    count: int
    example: str

    def __str__(self) -> str:
        rows = "row" if self.count == 1 else "rows"
        return f"{self.file}: column '{self.column}': {self.kind} in {self.count} {rows}; e.g. {self.example}"


class InputValidationError(ValueError):
    """The input files break the contract; nothing was written."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = problems
        lines = "\n  - ".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the input files:\n  - {lines}")


def find_input_files(input_dir: Path) -> dict[str, Path]:
    """Map each contract table to its file in input_dir (CSV or Parquet); absent tables are left out."""
    found: dict[str, Path] = {}
    problems: list[InputProblem] = []
    for table in INPUT_TABLES:
        candidates = [input_dir / f"{table.name}{s}" for s in FILE_SUFFIXES]
        present = [p for p in candidates if p.exists()]
        if len(present) > 1:
            problems.append(
                InputProblem(
                    str(present[0]),
                    "-",
                    "two files for one table (keep one of .parquet/.csv)",
                    len(present),
                    ", ".join(p.name for p in present),
                )
            )
        elif present:
            found[table.name] = present[0]
        elif table.required:
            problems.append(
                InputProblem(
                    str(input_dir / f"{table.name}.parquet|.csv"),
                    "-",
                    "required file missing",
                    1,
                    f"no {table.name}.parquet or {table.name}.csv in {input_dir}",
                )
            )
    if problems:
        raise InputValidationError(problems)
    return found


def _relation_sql(
    con: duckdb.DuckDBPyConnection, path: Path, table: InputTable, date_format: str = ISO_DATE
) -> str:
    """The file as a relation. A CSV is read as text, so the checks, not the sniffer, decide
    types; its date columns written in `date_format` are rewritten as YYYY-MM-DD (a value that
    does not parse stays as it was, for the unparsable-date check to report)."""
    quoted = str(path).replace("'", "''")
    if path.suffix != ".csv":
        return f"read_parquet('{quoted}')"
    relation = f"read_csv('{quoted}', header = true, all_varchar = true)"
    if date_format == ISO_DATE:
        return relation
    present = {r[0] for r in con.execute(f"describe select * from {relation}").fetchall()}
    fmt = date_format.replace("'", "''")
    dates = [c.name for c in table.columns if c.sql_type == "date" and c.name in present]
    if not dates:
        return relation
    rewritten = ", ".join(
        f'coalesce(strftime(try_strptime("{d}", \'{fmt}\'), \'%Y-%m-%d\'), "{d}") as "{d}"'
        for d in dates
    )
    return f"(select * replace ({rewritten}) from {relation})"


def _example(con: duckdb.DuckDBPyConnection, view: str, condition: str) -> str:
    row = con.execute(f"select * from {view} where {condition} limit 1").fetchone()
    cols = [d[0] for d in con.description]
    text = ", ".join(f"{c}={v!r}" for c, v in zip(cols, row or (), strict=False))
    return "{" + (text[:300] + "..." if len(text) > 300 else text) + "}"


def _count_and_example(
    con: duckdb.DuckDBPyConnection, path: Path, view: str, column: str, kind: str, condition: str
) -> InputProblem | None:
    count = con.execute(f"select count(*) from {view} where {condition}").fetchone()[0]
    if not count:
        return None
    return InputProblem(str(path), column, kind, int(count), _example(con, view, condition))


UNPARSABLE_DATE = (
    "unparsable date (dates are YYYY-MM-DD, e.g. 2025-01-31, or the format set in "
    "INPUT_DATE_FORMAT, e.g. %d.%m.%Y)"
)


def _typed(column: Column) -> str:
    return f'try_cast("{column.name}" as {column.sql_type})'


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e5 or not float(value).is_integer() else f"{value:.0f}"


def _day(value: date) -> str:
    return f"date '{value.isoformat()}'"


def _latest_date(today: date) -> date:
    return today + timedelta(days=FUTURE_TOLERANCE_DAYS)


def _column_problems(
    con: duckdb.DuckDBPyConnection, path: Path, view: str, column: Column, today: date
) -> list[InputProblem]:
    name, typed = f'"{column.name}"', _typed(column)
    kind = UNPARSABLE_DATE if column.sql_type == "date" else f"not a valid {column.sql_type}"
    checks = [(kind, f"{name} is not null and {typed} is null")]
    if column.required:
        checks.append(("missing value", f"{name} is null"))
    # NaN and infinity parse as doubles ('NaN', 'inf' in a CSV too); they are reported once,
    # as not finite, and left out of the sign and range checks
    finite = f"isfinite({typed})" if column.sql_type == "double" else "true"
    if column.sql_type == "double":
        checks.append(("not a finite number (NaN or infinity)", f"not isfinite({typed})"))
    if column.non_negative:
        checks.append(("negative value", f"{typed} < 0 and {finite}"))
    low, high = column.min_value, column.max_value
    if low is not None and high is not None:
        checks.append(
            (
                f"out of range [{_number(low)}, {_number(high)}]",
                f"{typed} not between {low} and {high} and {finite}",
            )
        )
    elif high is not None:
        checks.append((f"above the maximum {_number(high)}", f"{typed} > {high} and {finite}"))
    if column.sql_type == "date":
        checks.append((f"before {EARLIEST_DATE.isoformat()}", f"{typed} < {_day(EARLIEST_DATE)}"))
        if column.past_only:
            latest = _latest_date(today)
            checks.append(
                (
                    f"in the future: after {latest.isoformat()} (today {today.isoformat()} "
                    f"+ {FUTURE_TOLERANCE_DAYS} day)",
                    f"{typed} > {_day(latest)}",
                )
            )
    if column.is_id:
        text = f"cast({name} as varchar)"
        checks.append(
            (
                "ids that differ only by surrounding spaces",
                f"trim({text}) in (select trim({text}) from {view} where {name} is not null "
                f"group by 1 having count(distinct {text}) > 1)",
            )
        )
    found = (_count_and_example(con, path, view, column.name, k, c) for k, c in checks)
    return [p for p in found if p is not None]


def _dates_against_sales_history(
    con: duckdb.DuckDBPyConnection,
    files: dict[str, Path],
    usable: dict[str, InputTable],
    today: date,
) -> list[InputProblem]:
    """Planned covariates must fall after the last sales day and at most PLANNED_HORIZON_DAYS
    after it (a plan for a day that already has sales would be read as a plan); a stock
    snapshot must fall inside the sales history (outside it, no sales judge it). Dates already
    reported as before EARLIEST_DATE or in the future are not reported again."""
    first_sales_day, last_sales_day = con.execute(
        f'select min(try_cast("date" as date)), max(try_cast("date" as date)) '
        f"from input_{SALES_DAILY.name}"
    ).fetchone()
    if last_sales_day is None:
        return []
    first, last = first_sales_day.isoformat(), last_sales_day.isoformat()
    horizon_end = last_sales_day + timedelta(days=PLANNED_HORIZON_DAYS)
    checks = []
    for table, column, kind, condition in (
        (PLANNED_COVARIATES, "date", f"not after the last sales day {last}", f"<= {_day(last_sales_day)}"),
        (
            PLANNED_COVARIATES,
            "date",
            f"more than {PLANNED_HORIZON_DAYS} days after the last sales day {last}",
            f"> {_day(horizon_end)}",
        ),
        (INVENTORY_SNAPSHOT, "snapshot_date", f"after the last sales day {last}", f"> {_day(last_sales_day)}"),
        (INVENTORY_SNAPSHOT, "snapshot_date", f"before the first sales day {first}", f"< {_day(first_sales_day)}"),
    ):  # fmt: skip
        if table.name not in usable:
            continue
        typed = f'try_cast("{column}" as date)'
        plausible = f"{typed} >= {_day(EARLIEST_DATE)}"
        if table.column(column).past_only:
            plausible += f" and {typed} <= {_day(_latest_date(today))}"
        checks.append(
            _count_and_example(
                con,
                files[table.name],
                f"input_{table.name}",
                column,
                kind,
                f"{typed} {condition} and {plausible}",
            )
        )
    return [p for p in checks if p is not None]


def _single_location_problem(con: duckdb.DuckDBPyConnection, path: Path) -> InputProblem | None:
    """Several stores all at one coordinate: every distance, so every transfer, would cost nothing."""
    view = f"input_{STORES.name}"
    lat, lon = (_typed(STORES.column(c)) for c in ("latitude", "longitude"))
    stores, locations = con.execute(
        f"select count(distinct store_id), count(distinct ({lat}, {lon})) from {view}"
    ).fetchone()
    if stores < 2 or locations != 1:
        return None
    return _count_and_example(
        con,
        path,
        view,
        "latitude+longitude",
        f"all {stores} stores at one coordinate (every transfer would cost nothing)",
        "true",
    )


def validate_inputs(
    input_dir: Path, today: date | None = None, date_format: str = ISO_DATE
) -> dict[str, Path]:
    """Check every input file against the contract; return the files, or raise InputValidationError.

    today: the day of the run (default: the machine's date); dates of what already happened may
    lie at most FUTURE_TOLERANCE_DAYS after it. date_format: the dates of CSV files, as strftime
    codes (YYYY-MM-DD is accepted too).
    """
    today = today or date.today()
    files = find_input_files(input_dir)
    problems: list[InputProblem] = []
    con = duckdb.connect()
    try:
        usable: dict[str, InputTable] = {}
        for name, path in files.items():
            table, view = TABLES_BY_NAME[name], f"input_{name}"
            try:
                relation = _relation_sql(con, path, table, date_format)
                con.execute(f"create view {view} as select * from {relation}")
                present = {r[0] for r in con.execute(f"describe {view}").fetchall()}
            except duckdb.Error as exc:
                problems.append(
                    InputProblem(str(path), "-", "unreadable file", 1, str(exc).splitlines()[0])
                )
                continue
            missing = [c for c in table.required_columns if c not in present]
            # counted only where a problem needs it: counting a CSV view reads the whole file
            n_rows = (
                con.execute(f"select count(*) from {view}").fetchone()[0]
                if missing or table.required
                else None
            )
            for column in missing:
                # every row lacks it; the example is the first row, which shows what is there
                example = _example(con, view, "true") if n_rows else f"columns {sorted(present)}"
                problems.append(
                    InputProblem(str(path), column, "required column missing", n_rows, example)
                )
            if missing:
                continue
            if table.required and not n_rows:
                # a header without rows: nothing to check, and every reference to it would fail
                problems.append(
                    InputProblem(
                        str(path),
                        "-",
                        "required table has no rows",
                        0,
                        f"columns present: {sorted(present)}",
                    )
                )
                continue
            usable[name] = table
            for column in table.columns:
                if column.name in present:
                    problems += _column_problems(con, path, view, column, today)
            # dates compare as dates: 2025-01-31 and 2025-01-31 13:45:00 are one day
            columns = {c.name: c for c in table.columns}
            key = [
                _typed(columns[k]) if columns[k].sql_type == "date" else f'"{k}"'
                for k in table.key
                if k in present
            ]
            dup = (
                f"({', '.join(key)}) in (select {', '.join(key)} from {view} "
                f"group by all having count(*) > 1)"
            )
            p = _count_and_example(con, path, view, "+".join(table.key), "duplicate key", dup)
            problems += [p] if p else []
        for name, table in usable.items():
            for column, parent in table.references.items():
                if parent not in usable:
                    continue
                parent_key = TABLES_BY_NAME[parent].key[0]
                condition = (
                    f'"{column}" is not null and cast("{column}" as varchar) not in '
                    f'(select cast("{parent_key}" as varchar) from input_{parent})'
                )
                p = _count_and_example(
                    con,
                    files[name],
                    f"input_{name}",
                    column,
                    f"unknown id (not in {parent})",
                    condition,
                )
                problems += [p] if p else []
        # Covariates of days with sales belong in sales_daily; here they would be read as plans.
        # A stock snapshot after the last sales day has no sales to be judged against. Both
        # wait for sales dates that parse: a bad one would move the last day and add noise.
        sales_dates_parse = SALES_DAILY.name in usable and not any(
            p.file == str(files[SALES_DAILY.name]) and p.column == "date" for p in problems
        )
        if sales_dates_parse:
            problems += _dates_against_sales_history(con, files, usable, today)
        coordinates_parse = STORES.name in usable and not any(
            p.file == str(files[STORES.name]) and p.column in ("latitude", "longitude")
            for p in problems
        )
        if coordinates_parse:
            p = _single_location_problem(con, files[STORES.name])
            problems += [p] if p else []
    finally:
        con.close()
    if problems:
        raise InputValidationError(problems)
    return files


def _select_contract_columns(table: InputTable, present: set[str]) -> str:
    return ",\n  ".join(
        f'cast("{c.name}" as {c.sql_type}) as {c.name}'
        if c.name in present
        else f"cast(null as {c.sql_type}) as {c.name}"
        for c in table.columns
    )


def load_inputs(root: Path, files: dict[str, Path], date_format: str = ISO_DATE) -> dict[str, int]:
    """Write the (validated) files as the raw tables of the Parquet hand-off under root
    (`<root>/raw/<table>/all.parquet`, python_assets/handoff.py), all or nothing; return rows
    per table. dbt reads them as the source `inputs`.

    Absent optional tables are written as empty tables with the contract's columns, so every
    dbt source exists. Columns outside the contract are not loaded.
    """
    queries: dict[str, str] = {}
    with duckdb.connect() as con:
        for table in INPUT_TABLES:
            path = files.get(table.name)
            if path is None:
                queries[table.name] = f"select {_select_contract_columns(table, set())} where false"
            else:
                rel = _relation_sql(con, path, table, date_format)
                present = {r[0] for r in con.execute(f"describe select * from {rel}").fetchall()}
                queries[table.name] = (
                    f"select\n  {_select_contract_columns(table, present)}\nfrom {rel}"
                )
        return handoff.write_queries(con, root, RAW_SCHEMA, queries)
