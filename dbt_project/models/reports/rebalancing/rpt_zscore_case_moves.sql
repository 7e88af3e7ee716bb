select
    cases.store_id,
    cases.subcategory,
    cases.imbalance_flag,
    cases.metric_before,
    cases.metric_after,
    cases.units_to_mean,
    cases.units_matched,
    cases.units_unmatched,
    cases.unmatched_reason,
    cases.move_id,
    cases.move_direction,
    cases.counterpart_store_id,
    counterparts.store_name as counterpart_store_name,
    cases.product_id,
    products.product_name,
    cases.move_units
from {{ ref('imbalanced_detailed_cases') }} as cases
left join {{ ref('dim_stores') }} as counterparts
    on cases.counterpart_store_id = counterparts.store_id
left join {{ ref('dim_products') }} as products on cases.product_id = products.product_id
