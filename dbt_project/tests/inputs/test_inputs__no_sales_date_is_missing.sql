{{ config(severity='warn') }}
-- A warning, not an error: days between the first and the last sales day on which no store has
-- a sales row at all. An export that lost those days reads as days without demand (zero sales)
-- to the forecast, the KPIs and the imbalance rule; deliver the days again, or ignore the
-- warning if every store was closed on them.
with

sales_dates as (

    select distinct sales_date from {{ ref('stg_inputs__sales_daily') }}

),

every_date as (

    select
        cast(unnest(generate_series(min(sales_date), max(sales_date), interval 1 day)) as date)
            as sales_date
    from sales_dates

)

select every_date.sales_date as missing_date
from every_date
anti join sales_dates on every_date.sales_date = sales_dates.sales_date
