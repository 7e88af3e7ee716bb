"""Investment-neutral moves of the Z-score rule. One row per donor x receiver x product."""

from python_assets.imbalance.rebalancing import plan_rebalancing_moves


def model(dbt, session):
    dbt.config(materialized="table")
    zscores = dbt.ref("int_store_subcategory_zscores").df()
    positions = dbt.ref("int_rebalancing_product_positions").df()
    return plan_rebalancing_moves(zscores, positions).moves
