{#- Fill rate (share of forecast demand served over the horizon) of the optimised plan and of
    doing nothing (each store serves from its own stock), per store, product, region and
    overall. One row per level per key. -#}

with

plan as (

    select
        plan.store_id,
        plan.product_id,
        stores.region,
        plan.demand_units,
        plan.demand_units - plan.stockout_units as served_units,
        least(plan.current_inventory_units, plan.demand_units) as served_units_doing_nothing
    from {{ ref('fct_replenishment_plan') }} as plan
    inner join {{ ref('stg_inputs__stores') }} as stores on plan.store_id = stores.store_id

),

levels as (

    select
        'store' as service_level_grain,
        store_id as grain_key,
        demand_units,
        served_units,
        served_units_doing_nothing
    from plan
    union all
    select
        'product' as service_level_grain,
        product_id as grain_key,
        demand_units,
        served_units,
        served_units_doing_nothing
    from plan
    union all
    select
        'region' as service_level_grain,
        region as grain_key,
        demand_units,
        served_units,
        served_units_doing_nothing
    from plan
    union all
    select
        'overall' as service_level_grain,
        'all' as grain_key,
        demand_units,
        served_units,
        served_units_doing_nothing
    from plan

)

select
    service_level_grain,
    grain_key,
    sum(demand_units) as demand_units,
    sum(served_units) as served_units,
    sum(demand_units) - sum(served_units) as stockout_units,
    sum(served_units) / nullif(sum(demand_units), 0) as fill_rate,
    sum(served_units_doing_nothing) / nullif(sum(demand_units), 0) as fill_rate_doing_nothing
from levels
group by service_level_grain, grain_key
