{#- Fill rate (share of demand served over the horizon) per store, product, region and overall:
    of the optimised plan against its own forecast (fill_rate), expected under the forecast
    distribution (expected_fill_rate), realised by the same policy in the policy replay
    (replay_fill_rate), and of doing nothing (each store serves from its own stock). One row per
    level per key. -#}

with

stores as (

    select * from {{ ref('stg_inputs__stores') }}

),

plan as (

    select
        plan.store_id,
        plan.product_id,
        stores.region,
        plan.forecast_demand_units as demand_units,
        plan.forecast_demand_units - plan.stockout_units as served_units,
        plan.forecast_demand_units - plan.expected_stockout_units as expected_served_units,
        least(plan.current_inventory_units, plan.forecast_demand_units)
            as served_units_doing_nothing
    from {{ ref('fct_replenishment_plan') }} as plan
    inner join stores on plan.store_id = stores.store_id

),

replay as (

    select
        replay.store_id,
        replay.product_id,
        stores.region,
        replay.demand_units,
        replay.served_units
    from {{ ref('stg_optimization__policy_replay_details') }} as replay
    inner join stores on replay.store_id = stores.store_id
    where replay.policy_name = 'optimised'

),

{%- set grains = [
    ('store', 'store_id'),
    ('product', 'product_id'),
    ('region', 'region'),
    ('overall', "'all'"),
] %}

plan_levels as (

    {%- for grain, key in grains %}
        select
            '{{ grain }}' as service_level_grain,
            {{ key }} as grain_key,
            demand_units,
            served_units,
            expected_served_units,
            served_units_doing_nothing
        from plan
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

replay_levels as (

    {%- for grain, key in grains %}
        select
            '{{ grain }}' as service_level_grain,
            {{ key }} as grain_key,
            demand_units,
            served_units
        from replay
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

plan_rates as (

    select
        service_level_grain,
        grain_key,
        sum(demand_units) as forecast_demand_units,
        sum(served_units) as served_units,
        sum(demand_units) - sum(served_units) as stockout_units,
        sum(served_units) / nullif(sum(demand_units), 0) as fill_rate,
        sum(served_units_doing_nothing) / nullif(sum(demand_units), 0) as fill_rate_doing_nothing,
        sum(expected_served_units) / nullif(sum(demand_units), 0) as expected_fill_rate
    from plan_levels
    group by service_level_grain, grain_key

),

replay_rates as (

    select
        service_level_grain,
        grain_key,
        sum(served_units) / nullif(sum(demand_units), 0) as replay_fill_rate
    from replay_levels
    group by service_level_grain, grain_key

)

select
    plan_rates.*,
    replay_rates.replay_fill_rate
from plan_rates
left join replay_rates
    on plan_rates.service_level_grain = replay_rates.service_level_grain
    and plan_rates.grain_key = replay_rates.grain_key
