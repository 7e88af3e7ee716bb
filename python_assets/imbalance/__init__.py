"""The Z-score imbalance rule's investment-neutral moves (rebalancing.py), the rule as of any
date for the policy replay (zscores.py) and its file exports (exports.py)."""
