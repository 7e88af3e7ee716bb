"""The shared rules: safety stock (and the dbt macro that computes it in the warehouse),
transferable stock (C2) and the net position (C1)."""

from __future__ import annotations

import numpy as np
import pytest

from python_assets.optimization import (
    safety_stock,
)


def test_safety_stock_formula():
    assert safety_stock(1.6449, 2.0, 4.0) == pytest.approx(1.6449 * 2.0 * 2.0)
    np.testing.assert_allclose(safety_stock(2.0, [1.0, np.nan], [1.0, 9.0]), [2.0, 0.0])
    with pytest.raises(ValueError):
        safety_stock(1.0, -1.0, 1.0)
