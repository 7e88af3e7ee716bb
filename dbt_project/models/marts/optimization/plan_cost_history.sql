select
    run_id,
    plan_name,
    plan_status,
    holding_cost,
    stockout_cost,
    transport_cost,
    manufacturing_cost,
    distribution_cost,
    total_cost,
    origin_date,
    recorded_at
from {{ ref('stg_optimization__recorded_plan_costs') }}
