"""The allocation LP: network, model, solver, verification, baselines and scenarios."""
