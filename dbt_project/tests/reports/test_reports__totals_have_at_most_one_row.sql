-- rpt_sales_period and rpt_plan_totals summarise a whole run: one row, or none before the step ran
{#- attached in Dagster to rpt_plan_totals (it reads two models) -#}
{{ config(meta={'dagster': {'ref': {'name': 'rpt_plan_totals'}}}) }}
select
    'rpt_sales_period' as model_name,
    count(*) as row_count
from {{ ref('rpt_sales_period') }}
having count(*) > 1
union all
select
    'rpt_plan_totals' as model_name,
    count(*) as row_count
from {{ ref('rpt_plan_totals') }}
having count(*) > 1
