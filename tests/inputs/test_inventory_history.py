"""Inventory history in the input contract: the demo writes weekly snapshots before the latest
one without changing it, and the plan's stock (int_inventory_positions) is the latest date only."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from dbt.cli.main import dbtRunner

from python_assets.handoff import handoff_dir
from python_assets.inputs.demo import DEMO_SIZES, generate_demo_data
from python_assets.inputs.inventory_history import history_offsets
from python_assets.inputs.validation import load_inputs, validate_inputs
from python_assets.settings import DBT_PROJECT_DIR

# The tiny demo's latest snapshot (seed 42) as the generator wrote it before it wrote history:
# the history must leave every value of it, and every draw after it, unchanged.
LATEST_BEFORE_HISTORY = {
    "smooth": "8bd51ad29c0cd121f407cf06d7d26fe9889d8b3e53001986dc6f6a5d9863f83b",
    "mixed": "c8a59387e6329c39b49d342e694344b31f589f44b978af913cd01b173ef2656b",
}
WEEKLY_OFFSETS = (7, 14, 21, 28, 35, 42, 49, 56)


def snapshot_digest(frame: pd.DataFrame) -> str:
    frame = frame.sort_values(["store_id", "product_id"])
    digest = hashlib.sha256()
    for column in ("store_id", "product_id"):
        digest.update("|".join(frame[column]).encode())
    for column in ("on_hand_units", "in_transit_units"):
        digest.update(frame[column].to_numpy(np.float64).tobytes())
    digest.update(frame["on_hand_simulated"].to_numpy(bool).tobytes())
    return digest.hexdigest()


def read(folder: Path, table: str) -> pd.DataFrame:
    return pq.read_table(folder / f"{table}.parquet").to_pandas(date_as_object=False)


@pytest.fixture(scope="module")
def demo_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    dirs = {}
    for profile in LATEST_BEFORE_HISTORY:
        dirs[profile] = tmp_path_factory.mktemp(f"history_{profile}")
        generate_demo_data(dirs[profile], DEMO_SIZES["tiny"], seed=42, profile=profile)
    return dirs


def test_history_offsets_keep_a_full_demand_window() -> None:
    assert history_offsets(400, 28) == WEEKLY_OFFSETS
    assert history_offsets(60, 28) == (7, 14, 21, 28)  # 60 - 35 < 28
    assert history_offsets(83, 14) == WEEKLY_OFFSETS
    assert history_offsets(28, 28) == ()
    with pytest.raises(ValueError, match="window_days"):
        history_offsets(10, 0)


@pytest.mark.parametrize("profile", sorted(LATEST_BEFORE_HISTORY))
def test_demo_latest_snapshot_is_unchanged_by_the_history(
    demo_dirs: dict[str, Path], profile: str
) -> None:
    snapshot = read(demo_dirs[profile], "inventory_snapshot")
    latest = snapshot[snapshot["snapshot_date"] == snapshot["snapshot_date"].max()]
    assert snapshot_digest(latest) == LATEST_BEFORE_HISTORY[profile]


def test_demo_writes_weekly_history_by_the_latest_rule(demo_dirs: dict[str, Path]) -> None:
    folder = demo_dirs["smooth"]
    snapshot, sales = read(folder, "inventory_snapshot"), read(folder, "sales_daily")
    last_day = sales["date"].max()
    dates = sorted(snapshot["snapshot_date"].unique())
    assert [(last_day - d).days for d in dates] == [*reversed(WEEKLY_OFFSETS), 0]
    pairs = snapshot.groupby("snapshot_date").apply(
        lambda f: frozenset(zip(f["store_id"], f["product_id"], strict=True))
    )
    assert pairs.nunique() == 1 and len(pairs.iloc[0]) == len(snapshot) / len(dates)
    history = snapshot[snapshot["snapshot_date"] < last_day]
    assert (history["in_transit_units"] == 0).all() and not snapshot["on_hand_simulated"].any()
    assert validate_inputs(folder)

    # Same rule on every date: store x subcategory cover over that date's last 28 days of
    # sales sits near 12 days, and the planted over-stocked pairs stay over-stocked.
    products = read(folder, "products")[["product_id", "subcategory"]]
    planted = read(folder, "planted_imbalances")
    over_rows = planted[planted["direction"] == "over"]
    over = set(zip(over_rows["store_id"], over_rows["subcategory"], strict=True))
    for day in dates:
        window = sales[(sales["date"] > day - pd.Timedelta(days=28)) & (sales["date"] <= day)]
        rate = window.merge(products).groupby(["store_id", "subcategory"])["units_sold"].sum()
        stock = (
            snapshot[snapshot["snapshot_date"] == day]
            .merge(products)
            .groupby(["store_id", "subcategory"])["on_hand_units"]
            .sum()
        )
        cover = (stock / (rate / 28.0)).dropna()
        keys = [k for k in cover.index if k not in over]
        normal = cover.loc[keys]
        assert 10 <= normal.median() <= 14, day
        for key in over & set(cover.index):
            assert cover[key] > 2.5 * normal.median(), (day, key)


def _dbt_build(select: str, warehouse: Path, target: Path) -> None:
    result = dbtRunner().invoke(
        ["build", "--select", select, "--indirect-selection", "cautious",
         "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target),
         "--vars", json.dumps({"duckdb_path": str(warehouse)}), "--quiet"]
    )  # fmt: skip
    failed = [
        r.node.name for r in (result.result or []) if str(r.status) not in ("success", "pass")
    ]
    assert result.success and not failed, (result.exception, failed)


def test_inventory_positions_read_only_the_latest_date(
    demo_dirs: dict[str, Path], tmp_path: Path
) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    for path in demo_dirs["smooth"].glob("*.parquet"):
        (folder / path.name).write_bytes(path.read_bytes())
    snapshot = read(folder, "inventory_snapshot")
    latest_day = snapshot["snapshot_date"].max()
    latest = snapshot[snapshot["snapshot_date"] == latest_day]
    # A pair stocked only in the history (never carried, no sales) must not reach the plan, and
    # earlier dates' values must not leak into the latest stock.
    carried = set(zip(latest["store_id"], latest["product_id"], strict=True))
    stores, products = read(folder, "stores")["store_id"], read(folder, "products")["product_id"]
    ghost = next((s, p) for s in stores for p in products if (s, p) not in carried)
    early = snapshot[snapshot["snapshot_date"] == snapshot["snapshot_date"].min()]
    extra = early.iloc[[0]].assign(store_id=ghost[0], product_id=ghost[1], on_hand_units=999.0)
    history = snapshot["snapshot_date"] < latest_day
    changed = snapshot.assign(
        on_hand_units=snapshot["on_hand_units"] + np.where(history, 500.0, 0.0)
    )
    pd.concat([changed, extra]).to_parquet(folder / "inventory_snapshot.parquet", index=False)

    warehouse = tmp_path / "warehouse.duckdb"
    load_inputs(handoff_dir(warehouse), validate_inputs(folder))
    _dbt_build("+int_inventory_positions", warehouse, tmp_path / "target")

    # not read-only: dbt-duckdb keeps its own connection to the file open in this process
    with duckdb.connect(str(warehouse)) as con:
        positions = con.execute(
            "select store_id, product_id, on_hand_units, in_transit_units "
            "from intermediate.int_inventory_positions"
        ).df()
        staged = con.execute(
            "select count(*), count(distinct snapshot_date) from staging.stg_inputs__inventory_snapshots"
        ).fetchone()
    assert staged == (len(snapshot) + 1, len(WEEKLY_OFFSETS) + 1)
    merged = latest.merge(positions, on=["store_id", "product_id"], suffixes=("", "_plan"))
    assert len(merged) == len(latest) == len(positions)
    assert (merged["on_hand_units"] == merged["on_hand_units_plan"]).all()
    assert (merged["in_transit_units"] == merged["in_transit_units_plan"]).all()
    assert ghost not in set(zip(positions["store_id"], positions["product_id"], strict=True))
