"""Input normalisation and solver settings: bad inputs raise errors that name the problem."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from python_assets.optimization import SolverSettings, solve_allocation
from tests.optimization.instances import surplus_short


def test_bad_inputs_raise_named_errors():
    sp, pr, ln = surplus_short(0.3)
    with pytest.raises(ValueError, match="demand"):
        solve_allocation(sp.assign(demand=[1.0, np.nan]), pr, ln)
    with pytest.raises(ValueError, match="no manufacturing cost"):
        solve_allocation(sp, pr.assign(product_id="P9"), ln)
    with pytest.raises(ValueError, match="duplicate"):
        solve_allocation(pd.concat([sp, sp]), pr, ln)


def test_solver_settings_reject_unknown_choices():
    with pytest.raises(ValueError, match="solver"):
        SolverSettings(solver="gurobi")
    with pytest.raises(ValueError, match="highspy"):
        SolverSettings(solver="cbc", backend="highspy")
    assert SolverSettings(solver="cbc").resolved_backend == "pulp"
