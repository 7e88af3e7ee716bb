{#- Everything the KPIs need per store x product, before and after the recommended plan.
    Recent window = the last 28 days of sales. Days of supply = units / blended daily demand;
    after the plan: on hand + transfers in - transfers out + allocation from central supply.
    Stock-out days and revenue are null, not 0, when the input reports no stock-out hours or no
    revenue at all.
    One row per store per product in the plan. -#}

with

as_of as (

    select max(sales_date) as last_day from {{ ref('fct_sales_daily') }}

),

recent_sales as (

    select
        sales.store_id,
        sales.product_id,
        sum(sales.units_sold) as units_sold_28d,
        sum(sales.revenue) as revenue_28d,
        count(*) as days_28d,
        sum(case when sales.is_stockout_censored then 1 else 0 end) as stockout_days_28d
    from {{ ref('fct_sales_daily') }} as sales
    cross join as_of
    where sales.sales_date > {{ dbt.dateadd('day', -28, 'as_of.last_day') }}
    group by sales.store_id, sales.product_id

),

optional_data as (

    select
        coalesce(bool_or(has_stockout_data), false) as has_stockout_hours,
        count(revenue) > 0 as has_revenue
    from {{ ref('stg_inputs__sales_daily') }}

)

select
    plan.store_id,
    plan.product_id,
    products.category,
    stores.region,
    positions.blended_daily_demand,
    plan.current_inventory_units as on_hand_before,
    plan.current_inventory_units
    + plan.transfer_in_units
    - plan.transfer_out_units
    + plan.allocated_units
        as on_hand_after,
    plan.transfer_in_units,
    plan.transfer_out_units,
    plan.allocated_units,
    plan.forecast_demand_units as horizon_demand_units,
    plan.forecast_demand_units - plan.stockout_units as horizon_served_units,
    least(plan.current_inventory_units, plan.forecast_demand_units)
        as horizon_served_units_doing_nothing,
    coalesce(recent_sales.units_sold_28d, 0) as units_sold_28d,
    case
        when optional_data.has_revenue then coalesce(recent_sales.revenue_28d, 0)
    end as revenue_28d,
    coalesce(recent_sales.days_28d, 0) as days_28d,
    case
        when optional_data.has_stockout_hours then coalesce(recent_sales.stockout_days_28d, 0)
    end as stockout_days_28d
from {{ ref('fct_replenishment_plan') }} as plan
cross join optional_data
inner join {{ ref('int_inventory_positions') }} as positions
    on plan.store_id = positions.store_id
    and plan.product_id = positions.product_id
inner join {{ ref('dim_products') }} as products on plan.product_id = products.product_id
inner join {{ ref('dim_stores') }} as stores on plan.store_id = stores.store_id
left join recent_sales
    on plan.store_id = recent_sales.store_id
    and plan.product_id = recent_sales.product_id
