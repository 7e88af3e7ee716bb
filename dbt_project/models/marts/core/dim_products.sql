with

products as (

    select * from {{ ref('stg_inputs__products') }}

),

sales_activity as (

    select
        product_id,
        count(distinct store_id) as active_stores
    from {{ ref('int_sales_daily_spined') }}
    group by product_id

),

final as (

    select
        products.product_id,
        products.product_name,
        products.category,
        products.subcategory,
        products.style,
        products.unit_cost,
        products.unit_price,
        products.pack_size,
        coalesce(sales_activity.active_stores, 0) as active_stores
    from products
    left join sales_activity on products.product_id = sales_activity.product_id

)

select * from final
