select
    cast(transfers.from_store as varchar) as from_store_id,
    cast(transfers.to_store as varchar) as to_store_id,
    cast(transfers.product_id as varchar) as product_id,
    cast(transfers.units as double) as units,
    cast(transfers.distance_km as double) as distance_km,
    cast(transfers.cost_per_unit as double) as cost_per_unit,
    cast(transfers.cost as double) as transfer_cost,
    cast(transfers.lead_time_days as double) as lead_time_days,
    from_store.region as from_region,
    to_store.region as to_region
from {{ source('optimization', 'transfer_plan') }} as transfers
inner join {{ ref('stg_inputs__stores') }} as from_store on transfers.from_store = from_store.store_id
inner join {{ ref('stg_inputs__stores') }} as to_store on transfers.to_store = to_store.store_id
