-- one row when the plan ran (zero transfers is then a result), none when it has not
select
    count(*) as store_product_rows,
    sum(forecast_demand_units) as forecast_demand_units,
    sum(allocated_units) as allocated_units,
    sum(stockout_units) as stockout_units
from {{ ref('fct_replenishment_plan') }}
having count(*) > 0
