select
    date_trunc('month', sales.sales_date) as month,
    products.category,
    sum(sales.units_sold) as units_sold,
    sum(sales.revenue) as revenue,
    count(distinct sales.sales_date) as days
from {{ ref('fct_sales_daily') }} as sales
inner join {{ ref('dim_products') }} as products on sales.product_id = products.product_id
group by 1, 2
