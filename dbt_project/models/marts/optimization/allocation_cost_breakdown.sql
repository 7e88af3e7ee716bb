select
    plan_name,
    plan_status,
    cost_level,
    product_id,
    holding_cost,
    stockout_cost,
    transport_cost,
    manufacturing_cost,
    distribution_cost,
    total_cost,
    constraint_violations
from {{ ref('stg_optimization__cost_breakdowns') }}
