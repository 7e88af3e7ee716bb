{#- Regional balance index = coefficient of variation (population std / mean) of the stores'
    days of supply in the region: 0 when every store holds the same days of supply, larger
    when stock sits unevenly. Reported before and after the recommended plan. -#}

with

stores as (

    select * from {{ ref('kpi_store') }}

),

inputs as (

    select
        region,
        sum(stockout_days_28d) * 1.0 / nullif(sum(days_28d), 0) as stockout_frequency_28d,
        sum(horizon_served_units_doing_nothing)
        / nullif(sum(horizon_demand_units), 0) as fill_rate_before,
        sum(horizon_served_units) / nullif(sum(horizon_demand_units), 0) as fill_rate_after
    from {{ ref('int_store_product_kpi_inputs') }}
    group by region

)

select
    stores.region,
    count(*) as store_count,
    sum(stores.revenue_28d) as revenue_28d,
    sum(stores.units_sold_28d) as units_sold_28d,
    sum(stores.blended_daily_demand_units) as blended_daily_demand_units,
    sum(stores.on_hand_units_before)
    / nullif(sum(stores.blended_daily_demand_units), 0) as days_of_supply_before,
    sum(stores.on_hand_units_after)
    / nullif(sum(stores.blended_daily_demand_units), 0) as days_of_supply_after,
    365
    * sum(stores.blended_daily_demand_units)
    / nullif(sum(stores.on_hand_units_before), 0) as inventory_turnover_before,
    365
    * sum(stores.blended_daily_demand_units)
    / nullif(sum(stores.on_hand_units_after), 0) as inventory_turnover_after,
    max(inputs.stockout_frequency_28d) as stockout_frequency_28d,
    max(inputs.fill_rate_before) as fill_rate_before,
    max(inputs.fill_rate_after) as fill_rate_after,
    stddev_pop(stores.days_of_supply_before)
    / nullif(avg(stores.days_of_supply_before), 0) as regional_balance_index_before,
    stddev_pop(stores.days_of_supply_after)
    / nullif(avg(stores.days_of_supply_after), 0) as regional_balance_index_after,
    sum(stores.transfer_in_units) as transfer_in_units,
    sum(stores.transfer_out_units) as transfer_out_units,
    sum(stores.central_allocation_units) as central_allocation_units
from stores
inner join inputs on stores.region = inputs.region
group by stores.region
