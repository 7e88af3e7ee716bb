select
    transfers.from_store_id,
    from_stores.store_name as from_store_name,
    transfers.to_store_id,
    to_stores.store_name as to_store_name,
    transfers.product_id,
    products.product_name,
    transfers.units,
    transfers.distance_km,
    transfers.transfer_cost,
    transfers.lead_time_days,
    transfers.from_region,
    transfers.to_region
from {{ ref('fct_transfer_plan') }} as transfers
left join {{ ref('dim_stores') }} as from_stores on transfers.from_store_id = from_stores.store_id
left join {{ ref('dim_stores') }} as to_stores on transfers.to_store_id = to_stores.store_id
left join {{ ref('dim_products') }} as products on transfers.product_id = products.product_id
