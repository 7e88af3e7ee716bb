-- the sales history the report covers, aggregated here because fct_sales_daily has millions of
-- rows on the larger datasets; no row at all when there are no sales
select
    min(sales_date) as first_date,
    max(sales_date) as last_date,
    count(distinct sales_date) as days,
    sum(units_sold) as units_sold,
    sum(revenue) as revenue
from {{ ref('fct_sales_daily') }}
having count(*) > 0
