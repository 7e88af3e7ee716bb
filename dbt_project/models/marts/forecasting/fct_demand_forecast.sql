select
    store_id,
    product_id,
    forecast_date,
    origin_date,
    model_name,
    forecast_units,
    lower_80,
    upper_80,
    lower_95,
    upper_95,
    lower_total_80,
    upper_total_80,
    lower_total_95,
    upper_total_95,
    demand_std_horizon
from {{ ref('stg_forecasting__demand_forecasts') }}
