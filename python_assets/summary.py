"""Print what a run left in the warehouse: rows per mart, where the file is, how to look at it."""

from __future__ import annotations

import shlex
from pathlib import Path

import duckdb

from python_assets import handoff
from python_assets.forecasting.models import is_naive_baseline
from python_assets.forecasting.selection import CHOSEN_MODEL
from python_assets.query import EXAMPLE
from python_assets.settings import DEFAULT_DUCKDB_PATH, WarehouseSettings


def table_row_counts(duckdb_path: Path, schemas: tuple[str, ...]) -> list[tuple[str, str, int]]:
    """(schema, table, rows) for every base table in the given schemas, read-only."""
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE' and table_schema in (select unnest(?)) "
            "order by table_schema, table_name",
            [list(schemas)],
        ).fetchall()
        return [
            (schema, name, con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0])
            for schema, name in tables
        ]
    finally:
        con.close()


def query_command(duckdb_path: Path) -> str:
    """The `make query` command line that reads this warehouse."""
    if duckdb_path.resolve() == DEFAULT_DUCKDB_PATH.resolve():
        return EXAMPLE
    return f"DUCKDB_PATH={shlex.quote(str(duckdb_path))} {EXAMPLE}"


REPLAY_SQL = """
select policy_name, comparator, metric, policy_value, comparator_value, difference, ci_low,
       ci_high, p_value, n_origins
from marts.policy_replay_summary
where comparator = 'do_nothing' or policy_name = 'optimised'
order by metric desc, comparator, policy_name
"""


def mart_rows(duckdb_path: Path, mart: str, sql: str) -> list[tuple] | None:
    """The rows of sql, read-only; None when the warehouse has no table marts.<mart>."""
    con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name = ?",
            [mart],
        ).fetchone()[0]
        return con.execute(sql).fetchall() if exists else None
    finally:
        con.close()


def stock_date_lines(duckdb_path: Path) -> list[str]:
    """The warning that the plan's stock is older than the sales (marts.dataset_assumptions,
    topic stock_older_than_sales), where it is."""
    rows = mart_rows(
        duckdb_path,
        "dataset_assumptions",
        "select assumption from marts.dataset_assumptions where topic = 'stock_older_than_sales'",
    )
    return ["", f"Stock: {rows[0][0]}"] if rows else []


# the pooled backtest (window 0) per demand class (the chosen model) and over all series (every
# model), scored on H-day totals per series (README, "Demand forecast")
FORECAST_SQL = """
select model_name, score_total_wape, wpe_total, coverage_total_80,
       (select count(distinct backtest_window) - 1 from marts.forecast_accuracy) as windows,
       (select count(distinct forecast_date) from marts.fct_demand_forecast) as horizon
from marts.forecast_accuracy
where backtest_window = 0 and segment_type = 'all'
order by score_total_wape
"""
FORECAST_MODELS_SQL = "select distinct model_name from marts.fct_demand_forecast"
# the final forecast's models per class, so a class the backtest never saw (a launch) shows too
CLASS_MODELS_SQL = """
select c.demand_class, f.model_name, count(distinct (f.store_id, f.product_id)) as series
from marts.fct_demand_forecast as f
inner join marts.demand_classes as c using (store_id, product_id)
group by all
order by c.demand_class, series desc, f.model_name
"""


def forecast_lines(duckdb_path: Path) -> list[str]:
    """The final forecast's models per demand class (with its series) and the backtest against
    the naive baselines, or, without a backtest, the model every series fell back to (nothing
    without the marts)."""
    rows = mart_rows(duckdb_path, "forecast_accuracy", FORECAST_SQL)
    if rows is None:
        return []
    if not rows:
        models = mart_rows(duckdb_path, "fct_demand_forecast", FORECAST_MODELS_SQL) or []
        return [
            "",
            "Forecast: no backtest (the history is too short to forecast a past week), so no "
            "model choice: every series is forecast by "
            + (", ".join(sorted(m for (m,) in models)) or "nothing")
            + ".",
        ]
    per_class: dict[str, list[str]] = {}
    classes = mart_rows(duckdb_path, "demand_classes", CLASS_MODELS_SQL) or []
    for demand_class, model, series in classes:
        per_class.setdefault(demand_class, []).append(f"{model} ({series:,})")
    pooled = {m: (wape, wpe, cover) for m, wape, wpe, cover, *_ in rows}
    wape, wpe, cover = pooled[CHOSEN_MODEL]
    baselines = ", ".join(
        f"{m} {w:.3f}" for m, (w, *_) in pooled.items() if is_naive_baseline(m) and m != "zero"
    )
    windows, horizon = rows[0][-2:]
    return [
        "",
        f"Forecast (backtest over {windows} past window{'s' if windows != 1 else ''}, scored on "
        f"{horizon}-day totals per series):",
        "  model per demand class (series): "
        + ", ".join(f"{c} {' + '.join(models)}" for c, models in per_class.items()),
        f"  WAPE {wape:.3f} (naive: {baselines}), WPE {wpe:+.1%}, 80% interval covers {cover:.1%}",
    ]


def replay_lines(duckdb_path: Path) -> list[str]:
    """The policy replay's summary in words (nothing when the warehouse has no replay mart; one
    line when it has no rows)."""
    rows = mart_rows(duckdb_path, "policy_replay_summary", REPLAY_SQL)
    if rows is None:
        return []
    if not rows:
        return [
            "",
            "Policy replay: nothing replayed (no backtest origin: the history is too short to "
            "forecast a past week and compare it with the sales that followed).",
        ]
    lines = [
        "",
        f"How the plan would have done (policy replay, {rows[0][-1]} "
        f"origin{'s' if rows[0][-1] != 1 else ''}, actual sales; "
        "95% intervals of the network's difference, p of the typical store's):",
    ]
    for policy, comparator, metric, value, other, diff, low, high, p, _ in rows:
        spec = ".1%" if metric == "fill_rate" else ",.0f"
        figures = (
            f"{value:{spec}} vs {other:{spec}}: {diff:+{spec}} "
            f"[{_figure(low, '+' + spec)}, {_figure(high, '+' + spec)}]"
        )
        lines.append(
            f"  {metric:<10} {policy:<17} vs {comparator:<17} {figures}  p={_figure(p, '.3g')}"
        )
    return lines


def _figure(value: float | None, spec: str) -> str:
    """value formatted, or 'n/a' where the replay could not compute it (one store: no
    interval, no test)."""
    return "n/a" if value is None or value != value else format(value, spec)


def _change(rows: int, before: int | None) -> str:
    if before is None:
        return "  (new)"
    return "" if rows == before else f"  ({rows - before:+,} since the last run)"


def run_summary(
    settings: WarehouseSettings,
    previous: dict[str, int] | None = None,
    unpassed_checks: list[str] | tuple[str, ...] = (),
) -> str:
    """The summary `make run` prints. previous: rows per 'schema.table' that the last published
    run left (publishing.published_row_counts); with it, every published table whose row count
    changed says by how much, and a table published for the first time says so.
    unpassed_checks: the asset checks that did not pass but let the run go on, each with why."""
    # the Python steps' tables are in the Parquet hand-off (tables an earlier version left in
    # the file's schemas raw, forecasting and optimization are stale, and not listed)
    in_file = sorted(table_row_counts(settings.duckdb_path, ("marts",)))
    handed = sorted(handoff.row_counts(settings.handoff_dir))
    width = max((len(f"{s}.{t}") for s, t, _ in in_file + handed), default=10)
    lines = [f"Dataset: {settings.dataset}   input files: {settings.resolved_input_dir}"]
    published = {name.split(".", 1)[0] for name in previous or {}}
    for heading, counts in (
        ("Tables in the DuckDB file (make query reads them):", in_file),
        (
            "The Python steps' tables, Parquet files under "
            f"{settings.handoff_dir}/<schema>/<table>/ (make query reads them with read_parquet):",
            handed,
        ),
    ):
        lines += ["", heading] if counts else []
        for schema, table, rows in counts:
            name = f"{schema}.{table}"
            change = _change(rows, previous.get(name)) if schema in published else ""
            lines.append(f"  {name:<{width}}  {rows:>12,} rows{change}")
    lines += stock_date_lines(settings.duckdb_path)
    lines += forecast_lines(settings.duckdb_path)
    lines += replay_lines(settings.duckdb_path)
    if unpassed_checks:
        lines += ["", "Checks that did not pass (the run went on; see them in make ui):"]
        lines += [f"  {check}" for check in unpassed_checks]
    lines += [
        "",
        f"Warehouse (DuckDB): {settings.duckdb_path}",
        f"Query it:          {query_command(settings.duckdb_path)}",
        "Lineage and runs:  make ui   (Dagster on http://127.0.0.1:3000)",
        "Column docs:       make docs (dbt docs on http://127.0.0.1:8080)",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run_summary(WarehouseSettings.from_env()))
