select
    model_name,
    count(*) as forecast_rows,
    min(forecast_date) as first_date,
    max(forecast_date) as last_date
from {{ ref('fct_demand_forecast') }}
group by model_name
