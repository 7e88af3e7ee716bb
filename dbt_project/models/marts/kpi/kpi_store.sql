with

inputs as (

    select * from {{ ref('int_store_product_kpi_inputs') }}

),

orders as (

    select
        store_id,
        count(distinct order_id) as orders_28d,
        sum(order_line_amount) as order_amount_28d
    from {{ ref('stg_inputs__customer_orders') }}
    where
        order_date
        > (
            select {{ dbt.dateadd('day', -28, 'max(order_date)') }}
            from {{ ref('stg_inputs__customer_orders') }}
        )
    group by store_id

),

per_store as (

    select
        store_id,
        max(region) as region,
        sum(revenue_28d) as revenue_28d,
        sum(units_sold_28d) as units_sold_28d,
        sum(blended_daily_demand) as blended_daily_demand_units,
        sum(on_hand_before) as on_hand_units_before,
        sum(on_hand_after) as on_hand_units_after,
        sum(stockout_days_28d) * 1.0 / nullif(sum(days_28d), 0) as stockout_frequency_28d,
        sum(horizon_served_units_doing_nothing)
        / nullif(sum(horizon_demand_units), 0) as fill_rate_before,
        sum(horizon_served_units) / nullif(sum(horizon_demand_units), 0) as fill_rate_after,
        sum(transfer_in_units) as transfer_in_units,
        sum(transfer_out_units) as transfer_out_units,
        sum(allocated_units) as central_allocation_units
    from inputs
    group by store_id

)

select
    per_store.store_id,
    stores.store_name,
    per_store.region,
    stores.city,
    stores.store_format,
    per_store.revenue_28d,
    per_store.units_sold_28d,
    orders.order_amount_28d / nullif(orders.orders_28d, 0) as average_order_value_28d,
    per_store.blended_daily_demand_units,
    per_store.on_hand_units_before,
    per_store.on_hand_units_after,
    per_store.on_hand_units_before
    / nullif(per_store.blended_daily_demand_units, 0) as days_of_supply_before,
    per_store.on_hand_units_after
    / nullif(per_store.blended_daily_demand_units, 0) as days_of_supply_after,
    365
    * per_store.blended_daily_demand_units
    / nullif(per_store.on_hand_units_before, 0) as inventory_turnover_before,
    365
    * per_store.blended_daily_demand_units
    / nullif(per_store.on_hand_units_after, 0) as inventory_turnover_after,
    per_store.stockout_frequency_28d,
    per_store.fill_rate_before,
    per_store.fill_rate_after,
    per_store.transfer_in_units,
    per_store.transfer_out_units,
    per_store.central_allocation_units
from per_store
inner join {{ ref('dim_stores') }} as stores on per_store.store_id = stores.store_id
left join orders on per_store.store_id = orders.store_id
