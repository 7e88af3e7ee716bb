{{ config(severity='warn') }}
-- A warning, not an error: the last sales day sold less than half of what the same weekday sold
-- on average over the 4 weeks before it. A sales export taken during the day (a partial last
-- day) reads as a fall in demand to the forecast; drop the day from the input, or ignore the
-- warning if the day was a holiday.
with

daily as (

    select
        sales_date,
        sum(units_sold) as units
    from {{ ref('fct_sales_daily') }}
    group by sales_date

),

last_day as (

    select max(sales_date) as sales_date from daily

),

same_weekdays as (

    select avg(daily.units) as units
    from daily
    cross join last_day
    where
        daily.sales_date in (
            last_day.sales_date - 7,
            last_day.sales_date - 14,
            last_day.sales_date - 21,
            last_day.sales_date - 28
        )

)

select
    daily.sales_date,
    daily.units,
    same_weekdays.units as same_weekday_mean_units
from daily
inner join last_day on daily.sales_date = last_day.sales_date
cross join same_weekdays
where daily.units < 0.5 * same_weekdays.units
