"""The shared rules: safety stock (and the dbt macro that computes it in the warehouse),
transferable stock (C2) and the net position (C1)."""

from __future__ import annotations

import duckdb
import jinja2
import numpy as np
import pandas as pd
import pytest

from python_assets.optimization import safety_stock, transferable_stock
from python_assets.optimization.constraints import net_position, transfer_rows
from python_assets.settings import DBT_PROJECT_DIR
from tests.conftest import BuiltWarehouse

MACRO = DBT_PROJECT_DIR / "macros" / "safety_stock.sql"
# z_alpha, daily std, lead time (days): hand values, a zero std and a zero lead time
HAND_ROWS = [(1.6449, 2.0, 4.0), (2.3263, 0.75, 2.5), (1.0, 0.0, 3.0), (1.2816, 5.0, 0.0)]


def render_macro(*args: str) -> str:
    """The SQL the dbt macro renders for these argument expressions (plain Jinja: the macro uses
    no dbt context)."""
    module = jinja2.Environment().from_string(MACRO.read_text()).module
    return str(module.safety_stock(*args)).strip()


def test_safety_stock_formula():
    assert safety_stock(1.6449, 2.0, 4.0) == pytest.approx(1.6449 * 2.0 * 2.0)
    np.testing.assert_allclose(safety_stock(2.0, [1.0, np.nan], [1.0, 9.0]), [2.0, 0.0])
    with pytest.raises(ValueError):
        safety_stock(1.0, -1.0, 1.0)


def test_dbt_macro_equals_the_python_reference():
    sql = render_macro("z", "sigma", "lead")
    assert sql == "z * sigma * sqrt(lead)"
    hand = pd.DataFrame(HAND_ROWS, columns=["z", "sigma", "lead"], dtype=np.float64)
    with duckdb.connect() as con:
        con.register("hand", hand)
        got = con.execute(f"select {sql} as safety_stock from hand").df()["safety_stock"]
    np.testing.assert_array_equal(got, safety_stock(hand["z"], hand["sigma"], hand["lead"]))


def test_dbt_macro_keeps_a_callers_quotient_in_order():
    # allocation_inputs_store_product passes the horizon's std scaled to a day: the rendered SQL
    # must evaluate as it did inline, z * std / sqrt(h) * sqrt(lead)
    sql = render_macro("z", "demand_std / sqrt(horizon_days)", "lead_time_days")
    assert sql == "z * demand_std / sqrt(horizon_days) * sqrt(lead_time_days)"


def test_warehouse_safety_stock_equals_the_python_reference(built_warehouse: BuiltWarehouse):
    """Both models that compute safety stock agree with `safety_stock` on the tiny warehouse,
    each with its own sigma and lead time."""
    with duckdb.connect(str(built_warehouse.settings.duckdb_path), read_only=True) as con:
        z = con.execute("select z_alpha from reference.service_levels where is_default").fetchone()
        params = dict(
            con.execute(
                "select parameter, cast(value as double) from reference.cost_parameters"
            ).fetchall()
        )
        lp = con.execute(
            "select demand_std, lead_time_days, safety_stock "
            "from marts.allocation_inputs_store_product"
        ).fetchnumpy()
        positions = con.execute(
            "select daily_demand_std, safety_stock_units from intermediate.int_inventory_positions"
        ).fetchnumpy()
    assert len(lp["safety_stock"]) > 0 and (lp["safety_stock"] > 0).any()
    daily_std = lp["demand_std"] / np.sqrt(params["planning_horizon_days"])
    np.testing.assert_allclose(
        lp["safety_stock"], safety_stock(z[0], daily_std, lp["lead_time_days"]), rtol=1e-12
    )
    np.testing.assert_allclose(
        positions["safety_stock_units"],
        safety_stock(z[0], positions["daily_demand_std"], params["replenishment_lead_time_days"]),
        rtol=1e-12,
    )


def test_transferable_stock_is_stock_above_safety_stock_never_negative():
    np.testing.assert_array_equal(
        transferable_stock([10.0, 3.0, 5.0], [6.0, 4.0, 0.0]), [4.0, 0.0, 5.0]
    )


def test_transfer_rows_one_row_per_store_with_a_transfer_out():
    # transfers leave rows 2, 0, 2 (two lanes out of row 2); row 1 sends nothing: no C2 row
    rows = transfer_rows(np.array([2, 0, 2]), [10.0, 7.0, 3.0], [4.0, 0.0, 5.0])
    np.testing.assert_array_equal(rows.stores, [0, 2])
    np.testing.assert_array_equal(rows.row_of_transfer, [1, 0, 1])
    np.testing.assert_array_equal(rows.rhs, [6.0, 0.0])


def test_net_position_is_c1_without_its_slacks():
    # 10 on hand + 2 in - 5 out + 1 allocated - 4 demand = 4 units left (ending_inv - stockout)
    assert net_position(10.0, 2.0, 5.0, 1.0, 4.0) == pytest.approx(4.0)
