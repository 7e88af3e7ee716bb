{#- One row per scenario: the scenario's rows of the plan's product partitions added up (the
    partitions share no constraint, so the sums are the scenario's network). -#}

with

partitions as (

    select * from {{ ref('stg_optimization__scenario_results') }}

)

select
    scenario_id,
    scenario_description,
    demand_multiplier,
    stockout_penalty_multiplier,
    holding_cost_multiplier,
    allow_transfers,
    allow_production,
    {{ combined_plan_status('plan_status') }} as plan_status,
    sum(holding_cost) as holding_cost,
    sum(stockout_cost) as stockout_cost,
    sum(transport_cost) as transport_cost,
    sum(manufacturing_cost) as manufacturing_cost,
    sum(distribution_cost) as distribution_cost,
    sum(total_cost) as total_cost,
    sum(demand_units) as forecast_demand_units,
    sum(stockout_units) as stockout_units,
    case
        when sum(demand_units) > 0 then 1 - sum(stockout_units) / sum(demand_units)
        else 1.0
    end as fill_rate,
    sum(units_transferred) as units_transferred,
    sum(units_produced) as units_produced
from partitions
group by all
