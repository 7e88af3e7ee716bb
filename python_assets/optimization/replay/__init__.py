"""The policy replay: how the plan and its baselines would have done against the demand that
actually followed past origins (docs/methodology.md, "Policy replay").

origins.py   what was known at each origin (stock, forecast) and the demand that followed
policies.py  each policy's decisions at an origin (the LP on the forecast, doing nothing,
             decentralised, the Z-score rule's moves, perfect foresight)
simulate.py  the day-by-day play of those decisions and their cost
compare.py   policy against comparator: differences with block-bootstrap intervals, paired test
run.py       replay_policies: all of it over the last W origins
"""

from python_assets.optimization.replay.compare import CompareSettings, compare_policies
from python_assets.optimization.replay.origins import STOCK_SOURCES, daily_demand, stock_at
from python_assets.optimization.replay.policies import POLICIES
from python_assets.optimization.replay.run import (
    ReplayInputs,
    ReplayResult,
    ReplaySettings,
    RuleInputs,
    replay_policies,
)
from python_assets.optimization.replay.simulate import price_outcomes, simulate_days

__all__ = [
    "POLICIES",
    "STOCK_SOURCES",
    "CompareSettings",
    "ReplayInputs",
    "ReplayResult",
    "ReplaySettings",
    "RuleInputs",
    "compare_policies",
    "daily_demand",
    "price_outcomes",
    "replay_policies",
    "simulate_days",
    "stock_at",
]
