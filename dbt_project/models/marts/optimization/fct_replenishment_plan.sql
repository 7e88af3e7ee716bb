select
    plan.store_id,
    plan.product_id,
    plan.current_inventory_units,
    plan.demand_units as forecast_demand_units,
    plan.safety_stock_units,
    plan.allocated_units,
    plan.transfer_in_units,
    plan.transfer_out_units,
    plan.ending_inventory_units,
    plan.stockout_units,
    plan.expected_stockout_units,
    plan.fill_rate,
    production.manufacture_units as product_manufacture_units
from {{ ref('stg_optimization__store_product_plans') }} as plan
left join {{ ref('stg_optimization__production_plans') }} as production
    on plan.product_id = production.product_id
