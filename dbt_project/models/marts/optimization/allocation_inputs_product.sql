select
    product_id,
    {{ cost_parameter('manufacturing_cost_per_unit') }} as manufacturing_cost,
    {{ cost_parameter('production_capacity_share') }} * sum(demand) as max_production
from {{ ref('allocation_inputs_store_product') }}
group by product_id
