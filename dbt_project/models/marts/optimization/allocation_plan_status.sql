select
    product_id,
    solver_status,
    objective_cost,
    explanation,
    store_count,
    lane_count
from {{ ref('stg_optimization__product_statuses') }}
