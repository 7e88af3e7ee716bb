select
    store_id,
    product_id,
    sales_date,
    units_sold,
    revenue,
    latent_demand_units,
    latent_demand_method,
    is_stockout_censored,
    stockout_hours,
    stockout_hours_6_22,
    price_ratio,
    is_promo,
    is_holiday,
    has_sales_record
from {{ ref('int_sales_daily_spined') }}
