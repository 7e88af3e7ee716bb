{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'fct_demand_forecast'}}}) }}
-- A warning, not an error: stores none of whose products sold on the last days of the history
-- (closed_store_days, default 7), having sold before. The forecast takes them as closed and
-- forecasts every series of theirs zero (model_name 'store_closed'), so the plan sends them
-- nothing and may move their stock out; if such a store is open again, it is missing from the
-- sales export (docs/methodology.md 6.9).
select
    store_id,
    count(distinct product_id) as series_forecast_zero
from {{ ref('fct_demand_forecast') }}
where model_name = 'store_closed'
group by store_id
