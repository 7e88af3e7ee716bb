select
    transfers.from_store_id,
    transfers.to_store_id,
    transfers.product_id,
    transfers.units,
    transfers.distance_km,
    transfers.cost_per_unit,
    transfers.transfer_cost,
    transfers.lead_time_days,
    from_store.region as from_region,
    to_store.region as to_region
from {{ ref('stg_optimization__transfer_plans') }} as transfers
inner join
    {{ ref('stg_inputs__stores') }} as from_store
    on transfers.from_store_id = from_store.store_id
inner join {{ ref('stg_inputs__stores') }} as to_store on transfers.to_store_id = to_store.store_id
