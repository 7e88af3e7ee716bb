{#- What the LP sees per store x product, persisted so a plan can be re-solved and audited: the
    forecast-free terms of int_store_product_allocation_terms, with demand = the forecast over
    the horizon (chosen model); pairs without a forecast use the blended daily demand x horizon.
    safety stock: the safety_stock macro with the daily sigma (the horizon's std / sqrt(horizon
    days)) and the lead time of the store's shipping zone. -#}

with

forecast as (

    select
        store_id,
        product_id,
        sum(forecast_units) as demand,
        max(demand_std_horizon) as demand_std
    from {{ ref('fct_demand_forecast') }}
    group by store_id, product_id

),

combined as (

    select
        terms.*,
        coalesce(forecast.demand, terms.blended_demand) as demand,
        coalesce(forecast.demand_std, terms.blended_demand_std) as demand_std,
        case when forecast.store_id is null then 'blended_demand' else 'forecast' end
            as demand_source
    from {{ ref('int_store_product_allocation_terms') }} as terms
    left join forecast
        on
        terms.store_id = forecast.store_id
        and terms.product_id = forecast.product_id

)

select
    store_id,
    product_id,
    current_inv,
    demand,
    demand_std,
    demand_source,
    horizon_days,
    zone_id,
    lead_time_days,
    {{ safety_stock(
        default_z_alpha(), 'demand_std / sqrt(horizon_days)', 'lead_time_days'
    ) }} as safety_stock,
    storage_capacity,
    max_capacity,
    holding_cost,
    stockout_penalty,
    distribution_cost
from combined
