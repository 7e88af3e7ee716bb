"""The Z-score rule as of any date (python_assets/imbalance/zscores.py): equal to the dbt models
it mirrors on the tiny warehouse, and blind to what happened after its date."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from python_assets.imbalance.zscores import (
    KEY,
    RuleSettings,
    floor_units,
    rebalancing_positions,
    rule_moves_at,
    seasonal_blend,
    store_subcategory_zscores,
)
from tests.conftest import BuiltWarehouse


def _assert_columns_equal(sql: pd.DataFrame, python: pd.DataFrame, on: list[str], columns):
    joined = sql.merge(python, on=on, suffixes=("_sql", "_py"), validate="one_to_one")
    assert len(joined) == len(sql) == len(python)
    for column in columns:
        left, right = joined[f"{column}_sql"], joined[f"{column}_py"]
        if left.dtype == object or str(left.dtype) in ("string", "str"):
            assert (left.astype(str) == right.astype(str)).all(), column
        else:
            np.testing.assert_allclose(
                left.astype(float), right.astype(float), rtol=1e-9, atol=1e-9, err_msg=column
            )


def test_the_python_rule_equals_the_warehouse_rule(built_warehouse: BuiltWarehouse):
    """Blended demand, floors, z-scores, product targets and the moves themselves, computed in
    Python as of the last day, equal the dbt models that compute them for today."""
    with duckdb.connect(str(built_warehouse.settings.duckdb_path), read_only=True) as con:
        sql = lambda query: con.execute(query).df()  # noqa: E731
        settings = RuleSettings.from_settings(
            dict(
                con.execute(
                    "select setting, value from intermediate.int_settings_resolved"
                ).fetchall()
            )
        )
        z_alpha = float(
            con.execute("select z_alpha from reference.service_levels where is_default").fetchone()[
                0
            ]
        )
        daily = sql(
            "select store_id, product_id, sales_date, latent_demand_units from marts.fct_sales_daily"
        )
        last_day = pd.Timestamp(daily["sales_date"].max())
        blended = sql("select * from intermediate.int_sales_seasonally_blended")
        positions = sql("select * from intermediate.int_inventory_positions")
        zscores = sql("select * from intermediate.int_store_subcategory_zscores")
        targets = sql("select * from intermediate.int_rebalancing_product_positions")
        moves = sql("select * from intermediate.int_rebalancing_moves order by move_id")
        subcategories = sql("select product_id, subcategory from staging.stg_inputs__products")

    assert (zscores["imbalance_flag"].isin(["over", "under"])).any() and len(moves) > 0
    _assert_columns_equal(
        blended,
        seasonal_blend(daily, last_day, settings),
        KEY,
        ["blended_daily_demand", "recent_daily_std", "blend_method"],
    )
    np.testing.assert_allclose(
        floor_units(positions["daily_demand_std"], z_alpha, settings), positions["floor_units"]
    )
    clusters = zscores[["store_id", "subcategory", "cluster_id"]]
    python_zscores = store_subcategory_zscores(positions, clusters, settings)
    _assert_columns_equal(
        zscores,
        python_zscores,
        ["store_id", "subcategory"],
        [
            "metric_value",
            "cluster_mean",
            "cluster_std",
            "z_score",
            "imbalance_flag",
            "units_at_mean",
        ],
    )
    _assert_columns_equal(
        targets,
        rebalancing_positions(positions, python_zscores),
        KEY,
        ["floor_units", "target_units"],
    )
    # the whole chain from stock and sales, as the replay runs it at an origin
    again = rule_moves_at(
        last_day,
        positions[[*KEY, "on_hand_units"]],
        daily,
        subcategories,
        clusters,
        z_alpha,
        settings,
    )
    pd.testing.assert_frame_equal(
        again.reset_index(drop=True).astype(str), moves.astype(str), check_dtype=False
    )


def _network(days_after: int = 10) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Four stores of one cluster selling one subcategory's two products; store S0 holds far
    more stock than its sales justify, so the rule moves units away from it."""
    dates = pd.date_range("2024-01-01", periods=40 + days_after)
    rng = np.random.default_rng(3)
    stores, products = ["S0", "S1", "S2", "S3"], ["P1", "P2"]
    daily = pd.DataFrame(
        [(s, p, d) for s in stores for p in products for d in dates],
        columns=["store_id", "product_id", "sales_date"],
    )
    daily["latent_demand_units"] = rng.poisson(4.0, len(daily)).astype(float)
    stock = pd.DataFrame([(s, p) for s in stores for p in products], columns=KEY)
    stock["on_hand_units"] = np.where(stock["store_id"] == "S0", 400.0, 40.0)
    clusters = pd.DataFrame({"store_id": stores, "subcategory": "sub", "cluster_id": "1"})
    return daily, stock, clusters


def test_the_rule_at_a_date_reads_nothing_after_it():
    daily, stock, clusters = _network()
    as_of = pd.Timestamp("2024-02-09")
    subcategories = pd.DataFrame({"product_id": ["P1", "P2"], "subcategory": "sub"})
    settings = RuleSettings(zscore_threshold=1.0, min_group_stores=3)
    changed = daily.copy()
    later = changed["sales_date"] > as_of
    changed.loc[later, "latent_demand_units"] = changed.loc[later, "latent_demand_units"] * 10 + 7

    before = rule_moves_at(as_of, stock, daily, subcategories, clusters, 1.645, settings)
    after = rule_moves_at(as_of, stock, changed, subcategories, clusters, 1.645, settings)
    assert len(before) > 0 and set(before["donor_store_id"]) == {"S0"}
    pd.testing.assert_frame_equal(before, after)
    # the same change up to the date does change the rule's moves
    earlier = changed.copy()
    recent = (daily["sales_date"] <= as_of) & (daily["store_id"] == "S0")
    earlier.loc[recent, "latent_demand_units"] = 40.0
    moved = rule_moves_at(as_of, stock, earlier, subcategories, clusters, 1.645, settings)
    assert not moved.equals(before)
