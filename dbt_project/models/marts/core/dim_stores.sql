with

stores as (

    select * from {{ ref('stg_inputs__stores') }}

),

sales_activity as (

    select
        store_id,
        count(distinct product_id) as active_products,
        min(sales_date) as first_sales_date,
        max(sales_date) as last_sales_date
    from {{ ref('int_sales_daily_spined') }}
    group by store_id

),

final as (

    select
        stores.store_id,
        stores.store_name,
        stores.city,
        stores.region,
        stores.store_format,
        stores.latitude,
        stores.longitude,
        stores.is_location_assumed,
        stores.storage_capacity_units,
        stores.opened_on,
        coalesce(sales_activity.active_products, 0) as active_products,
        sales_activity.first_sales_date,
        sales_activity.last_sales_date
    from stores
    left join sales_activity on stores.store_id = sales_activity.store_id

)

select * from final
