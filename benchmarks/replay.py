"""The policy replay's figures from a built warehouse, as JSON beside the other results.

    make run [DATASET=freshretailnet] && .venv/bin/python -m benchmarks.replay --dataset demo

Reads marts.policy_replay and marts.policy_replay_summary (read-only) and writes
benchmarks/results/replay_<dataset>.json: the summary rows, the per-origin rows, the replay's
own seconds (sum over origins of optimization.policy_replay_origins.solve_seconds) and the
machine's load average.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb

from benchmarks.run import RESULTS, write_warehouse_result
from python_assets import handoff
from python_assets.settings import WarehouseSettings


def replay_figures(con: duckdb.DuckDBPyConnection, root: Path) -> dict[str, object]:
    """The replay's marts, and its solve seconds from the hand-off folder root."""
    summary = con.execute("select * from marts.policy_replay_summary order by 2, 3, 1").df()
    origins = con.execute("select * from marts.policy_replay order by 1, 2").df()
    seconds = con.execute(
        "select sum(s) from (select distinct origin_date, solve_seconds as s "
        f"from {handoff.relation(root, 'optimization', 'policy_replay_origins')})"
    ).fetchone()[0]
    service = con.execute(
        "select fill_rate, expected_fill_rate, replay_fill_rate from marts.allocation_service_level "
        "where service_level_grain = 'overall'"
    ).df()
    return {
        "summary": _records(summary),
        "per_origin": _records(origins),
        "replay_seconds": float(seconds or 0.0),
        "service_level_overall": _records(service),
    }


def _records(frame) -> list[dict[str, object]]:
    """The frame's rows as JSON records, dates in ISO form, 15 significant digits."""
    return json.loads(frame.to_json(orient="records", date_format="iso", double_precision=15))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True, help="name of the result file")
    args = parser.parse_args()
    settings = WarehouseSettings.from_env()
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        figures = replay_figures(con, settings.handoff_dir)
    out = RESULTS / f"replay_{args.dataset}.json"
    write_warehouse_result(
        out,
        {**figures, "dataset": args.dataset},
        settings.duckdb_path,
        f"python -m benchmarks.replay --dataset {args.dataset}",
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
