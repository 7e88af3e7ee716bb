"""The shared rules: safety stock and the storage capacity's floor (C5) (and the dbt macros
that compute them in the warehouse), transferable stock (C2) and the net position (C1)."""

from __future__ import annotations

import duckdb
import jinja2
import numpy as np
import pandas as pd
import pytest

from python_assets.optimization import max_capacity, safety_stock, transferable_stock
from python_assets.optimization.constraints import net_position, transfer_rows
from python_assets.settings import DBT_PROJECT_DIR
from tests.conftest import BuiltWarehouse

MACROS = DBT_PROJECT_DIR / "macros"
# z_alpha, daily std, lead time (days): hand values, a zero std and a zero lead time
HAND_ROWS = [(1.6449, 2.0, 4.0), (2.3263, 0.75, 2.5), (1.0, 0.0, 3.0), (1.2816, 5.0, 0.0)]


def render_macro(name: str, *args: str) -> str:
    """The SQL the dbt macro `name` renders for these argument expressions (plain Jinja: the
    macros used here need no dbt context)."""
    module = jinja2.Environment().from_string((MACROS / f"{name}.sql").read_text()).module
    return str(getattr(module, name)(*args)).strip()


def test_safety_stock_formula():
    assert safety_stock(1.6449, 2.0, 4.0) == pytest.approx(1.6449 * 2.0 * 2.0)
    np.testing.assert_allclose(safety_stock(2.0, [1.0, np.nan], [1.0, 9.0]), [2.0, 0.0])
    with pytest.raises(ValueError):
        safety_stock(1.0, -1.0, 1.0)


def test_dbt_macro_equals_the_python_reference():
    sql = render_macro("safety_stock", "z", "sigma", "lead")
    assert sql == "z * sigma * sqrt(lead)"
    hand = pd.DataFrame(HAND_ROWS, columns=["z", "sigma", "lead"], dtype=np.float64)
    with duckdb.connect() as con:
        con.register("hand", hand)
        got = con.execute(f"select {sql} as safety_stock from hand").df()["safety_stock"]
    np.testing.assert_array_equal(got, safety_stock(hand["z"], hand["sigma"], hand["lead"]))


def test_dbt_macro_keeps_a_callers_quotient_in_order():
    # allocation_inputs_store_product passes the horizon's std scaled to a day: the rendered SQL
    # must evaluate as it did inline, z * std / sqrt(h) * sqrt(lead)
    sql = render_macro("safety_stock", "z", "demand_std / sqrt(horizon_days)", "lead_time_days")
    assert sql == "z * demand_std / sqrt(horizon_days) * sqrt(lead_time_days)"


def test_storage_capacity_is_never_below_current_stock_in_sql_and_python():
    sql = render_macro("max_capacity", "capacity", "stock")
    assert sql == "greatest(capacity, stock)"
    hand = pd.DataFrame(
        {"capacity": [10.0, 4.0, 0.0, 7.5], "stock": [3.0, 9.0, 0.0, 7.5]}, dtype=np.float64
    )
    with duckdb.connect() as con:
        con.register("hand", hand)
        got = con.execute(f"select {sql} as max_capacity from hand").df()["max_capacity"]
    expected = [10.0, 9.0, 0.0, 7.5]
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(max_capacity(hand["capacity"], hand["stock"]), expected)
    # unlimited (NaN) capacity stays unlimited in Python, where the LP reads NaN as no bound
    assert np.isnan(max_capacity(np.nan, 3.0))


def test_warehouse_rules_equal_their_python_references(built_warehouse: BuiltWarehouse):
    """Both models that compute safety stock agree with `safety_stock` on the tiny warehouse,
    each with its own sigma and lead time; the LP's max_capacity agrees with `max_capacity`."""
    with duckdb.connect(str(built_warehouse.settings.duckdb_path), read_only=True) as con:
        z = con.execute("select z_alpha from reference.service_levels where is_default").fetchone()
        params = dict(
            con.execute(
                "select parameter, cast(value as double) from reference.cost_parameters"
            ).fetchall()
        )
        lp = con.execute(
            "select demand_std, lead_time_days, safety_stock, current_inv, storage_capacity, "
            "max_capacity from marts.allocation_inputs_store_product"
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
    np.testing.assert_array_equal(
        lp["max_capacity"], max_capacity(lp["storage_capacity"], lp["current_inv"])
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
