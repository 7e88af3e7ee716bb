{#- What the LP knows of each store x product before any forecast: stock, lead time, storage
    capacity and unit costs (allocation_inputs_store_product adds the forecast's demand and the
    safety stock). Built with the sales models, so the policy replay, which brings its own
    forecasts of past origins, need not wait for today's forecast. Storage capacity: the store's
    capacity split by the product's share of the store's demand, or (no capacity in the input)
    storage_capacity_cover_days of demand (storage_capacity); max_capacity, the LP's C5 bound, is
    that but never below what the store already holds, which physically fits (macro
    max_capacity). -#}

with

horizon as (

    select {{ cost_parameter('planning_horizon_days') }} as horizon_days

),

positions as (

    select * from {{ ref('int_inventory_positions') }}

),

store_demand as (

    select
        store_id,
        sum(blended_daily_demand) as daily_demand,
        count(*) as product_count
    from positions
    group by store_id

),

combined as (

    select
        positions.store_id,
        positions.product_id,
        positions.on_hand_units + positions.in_transit_units as current_inv,
        positions.blended_daily_demand * horizon.horizon_days as blended_demand,
        positions.daily_demand_std * sqrt(horizon.horizon_days) as blended_demand_std,
        horizon.horizon_days,
        zones.zone_id,
        zones.lead_time_days,
        zones.remoteness,
        stores.storage_capacity_units * case
            when
                store_demand.daily_demand > 0
                then positions.blended_daily_demand / store_demand.daily_demand
            else 1.0 / store_demand.product_count
        end as capacity_from_store,
        {{ cost_parameter('storage_capacity_cover_days') }}
        * positions.blended_daily_demand as capacity_from_cover
    from positions
    cross join horizon
    inner join store_demand on positions.store_id = store_demand.store_id
    inner join {{ ref('stg_inputs__stores') }} as stores on positions.store_id = stores.store_id
    inner join {{ ref('int_shipping_zones') }} as zones on positions.store_id = zones.store_id

)

select
    store_id,
    product_id,
    current_inv,
    blended_demand,
    blended_demand_std,
    horizon_days,
    zone_id,
    lead_time_days,
    coalesce(capacity_from_store, capacity_from_cover) as storage_capacity,
    {{ max_capacity('coalesce(capacity_from_store, capacity_from_cover)', 'current_inv') }}
        as max_capacity,
    {{ cost_parameter('holding_cost_per_unit_day') }} * horizon_days as holding_cost,
    {{ cost_parameter('stockout_penalty_per_unit') }} as stockout_penalty,
    {{ cost_parameter('distribution_cost_per_unit') }} * (1 + remoteness) as distribution_cost
from combined
