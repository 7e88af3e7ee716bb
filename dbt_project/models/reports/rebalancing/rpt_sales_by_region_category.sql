select
    stores.region,
    products.category,
    sum(sales.units_sold) as units_sold,
    sum(sales.revenue) as revenue,
    count(distinct sales.store_id) as store_count
from {{ ref('fct_sales_daily') }} as sales
inner join {{ ref('dim_stores') }} as stores on sales.store_id = stores.store_id
inner join {{ ref('dim_products') }} as products on sales.product_id = products.product_id
group by stores.region, products.category
