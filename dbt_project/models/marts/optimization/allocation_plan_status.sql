select
    product_id,
    solver_status,
    objective_cost,
    plan_units,
    relaxation_cost,
    objective_cost - relaxation_cost as whole_unit_cost,
    explanation,
    store_count,
    lane_count
from {{ ref('stg_optimization__product_statuses') }}
