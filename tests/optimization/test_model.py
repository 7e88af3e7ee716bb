"""The LP as arrays: candidate transfers per product and the rows of a block."""

from __future__ import annotations

import numpy as np

from python_assets.optimization import SolverSettings
from python_assets.optimization.constraints import transferable_stock
from python_assets.optimization.model import build_block, build_problem
from tests.optimization.instances import lanes_frame, products_frame, sp_frame


def three_stores():
    sp = sp_frame(
        [
            {"store_id": "A", "current_inv": 10.0, "demand": 2.0, "safety_stock": 3.0},
            {"store_id": "B", "current_inv": 1.0, "demand": 5.0, "safety_stock": 4.0},
            {"store_id": "C", "current_inv": 6.0, "demand": 1.0},
        ]
    )
    lanes = lanes_frame([("A", "B", 0.3), ("A", "C", 0.4), ("B", "C", 0.2)])
    return build_problem(sp, products_frame(), lanes)


def test_transfers_are_the_lanes_whose_both_ends_stock_the_product():
    prob = three_stores()
    stores = prob.sp["store_id"].to_numpy()
    pairs = list(zip(stores[prob.t_src], stores[prob.t_dst], strict=True))
    assert pairs == [("A", "B"), ("A", "C"), ("B", "C")]
    np.testing.assert_array_equal(prob.t_cost, [0.3, 0.4, 0.2])


def test_block_rows_are_c1_c2_c3_with_c2_bounded_by_transferable_stock():
    prob = three_stores()
    block = build_block(prob, 0, 1, SolverSettings())
    # C1 for A, B, C; C2 for A and B (C sends nothing); C3 for the product
    assert block.n_rows == 3 + 2 + 1
    np.testing.assert_array_equal(block.row_lb[:3], prob.cur - prob.dem)
    np.testing.assert_array_equal(block.row_ub[3:5], transferable_stock(prob.cur, prob.ss)[:2])
    assert block.row_ub[3:5].tolist() == [7.0, 0.0]
    assert np.isneginf(block.row_lb[3:5]).all()
    matrix = np.zeros((block.n_rows, block.n_cols))
    for r in range(block.n_rows):
        span = slice(block.indptr[r], block.indptr[r + 1])
        matrix[r, block.indices[span]] = block.data[span]
    # A's C2 row sums its two transfers out, B's its one
    np.testing.assert_array_equal(matrix[3, :3], [1, 1, 0])
    np.testing.assert_array_equal(matrix[4, :3], [0, 0, 1])


def test_switching_production_off_bounds_manufacture_and_allocate_at_zero():
    prob = three_stores()
    block = build_block(prob, 0, 1, SolverSettings(allow_production=False))
    n_t = block.n_t
    assert block.ub[n_t] == 0.0  # manufacture
    np.testing.assert_array_equal(block.ub[n_t + 1 : n_t + 1 + block.n], 0.0)  # allocate
