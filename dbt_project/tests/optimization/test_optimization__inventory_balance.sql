-- C1 holds in the published plan: ending = current + in - out + allocated - forecast demand
-- + stockout.
select
    store_id,
    product_id
from {{ ref('fct_replenishment_plan') }}
where abs(
    ending_inventory_units
    - (
        current_inventory_units
        + transfer_in_units
        - transfer_out_units
        + allocated_units
        - forecast_demand_units
        + stockout_units
    )
) > 1e-6
