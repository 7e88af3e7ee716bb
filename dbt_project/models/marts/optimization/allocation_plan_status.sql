select
    cast(product_id as varchar) as product_id,
    cast(status as varchar) as solver_status,
    cast(objective as double) as objective_cost,
    cast(explanation as varchar) as explanation,
    cast(n_stores as bigint) as store_count,
    cast(n_lanes as bigint) as lane_count
from {{ source('optimization', 'product_status') }}
