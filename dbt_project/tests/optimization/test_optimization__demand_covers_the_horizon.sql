-- The plan's demand is the forecast's sum over planning_horizon_days days (horizon_days), the
-- days its holding cost and safety stock are priced for: a forecast made for another horizon
-- (e.g. before a run changed the setting) fails here, series by series.
{#- attached in Dagster to the plan's inputs it checks (it reads more than one model) -#}
{{ config(meta={'dagster': {'ref': {'name': 'allocation_inputs_store_product'}}}) }}
select
    inputs.store_id,
    inputs.product_id,
    inputs.horizon_days,
    count(forecast.forecast_date) as forecast_days
from {{ ref('allocation_inputs_store_product') }} as inputs
inner join {{ ref('fct_demand_forecast') }} as forecast
    on
    inputs.store_id = forecast.store_id
    and inputs.product_id = forecast.product_id
where inputs.demand_source = 'forecast'
group by inputs.store_id, inputs.product_id, inputs.horizon_days
having count(forecast.forecast_date) != inputs.horizon_days
