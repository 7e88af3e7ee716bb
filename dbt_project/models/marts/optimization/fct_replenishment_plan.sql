select
    cast(plan.store_id as varchar) as store_id,
    cast(plan.product_id as varchar) as product_id,
    cast(plan.current_inv as double) as current_inventory_units,
    cast(plan.demand as double) as demand_units,
    cast(plan.safety_stock as double) as safety_stock_units,
    cast(plan.allocate_units as double) as allocated_units,
    cast(plan.transfer_in as double) as transfer_in_units,
    cast(plan.transfer_out as double) as transfer_out_units,
    cast(plan.ending_inv as double) as ending_inventory_units,
    cast(plan.stockout_units as double) as stockout_units,
    cast(plan.fill_rate as double) as fill_rate,
    cast(production.manufacture_units as double) as product_manufacture_units
from {{ source('optimization', 'store_product_plan') }} as plan
left join {{ source('optimization', 'production_plan') }} as production
    on plan.product_id = production.product_id
