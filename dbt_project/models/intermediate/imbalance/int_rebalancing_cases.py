"""What the rule did for each flagged case: units to the mean, matched, unmatched and why.
One row per flagged store x subcategory."""

from python_assets.imbalance.rebalancing import plan_rebalancing_moves


def model(dbt, session):
    dbt.config(materialized="table")
    zscores = dbt.ref("int_store_subcategory_zscores").df()
    positions = dbt.ref("int_rebalancing_product_positions").df()
    return plan_rebalancing_moves(zscores, positions).cases
