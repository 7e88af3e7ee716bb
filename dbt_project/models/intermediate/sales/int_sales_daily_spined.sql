{#- Complete daily calendar for every active store x product, from the pair's first sales
    record to the last day of the data. A day with no record sold nothing. A day with stockout
    hours is censored: its sales understate demand, so latent demand is estimated beside it. A
    day the whole store sold nothing although it sells on that weekday and sold again later (a
    holiday or a closure, not a lack of demand) is flagged is_store_closed and gets the same
    estimate. -#}

with

sales as (

    select * from {{ ref('stg_inputs__sales_daily') }}

),

pairs as (

    select
        store_id,
        product_id,
        min(sales_date) as first_sales_date
    from sales
    group by store_id, product_id

),

data_range as (

    select
        min(sales_date) as first_day,
        max(sales_date) as last_day
    from sales

),

calendar as (

    select cast({{ calendar_days('first_day', 'last_day') }} as date) as sales_date
    from data_range

),

spine as (

    select
        pairs.store_id,
        pairs.product_id,
        calendar.sales_date
    from pairs
    inner join calendar
        on pairs.first_sales_date <= calendar.sales_date

),

joined as (

    select
        spine.store_id,
        spine.product_id,
        spine.sales_date,
        sales.store_id is not null as has_sales_record,
        coalesce(sales.units_sold, 0) as units_sold,
        coalesce(sales.revenue, 0) as revenue,
        coalesce(sales.stockout_hours, 0) as stockout_hours,
        sales.stockout_hours_6_22,
        coalesce(sales.price_ratio, 1) as price_ratio,
        coalesce(sales.is_promo, false) as is_promo,
        coalesce(sales.is_holiday, false) as is_holiday,
        sales.precipitation,
        sales.avg_temperature,
        sales.avg_humidity,
        sales.avg_wind_level,
        coalesce(sales.stockout_hours, 0) > 0 as is_stockout_censored,
        extract(dow from spine.sales_date) as day_of_week
    from spine
    left join sales
        on spine.store_id = sales.store_id
        and spine.product_id = sales.product_id
        and spine.sales_date = sales.sales_date

),

store_days as (

    select
        store_id,
        sales_date,
        count(*) filter (where units_sold > 0) as products_sold
    from joined
    group by store_id, sales_date

),

store_days_referenced as (

    select
        *,
        count(*) over same_weekdays as reference_days,
        avg(products_sold) over same_weekdays as reference_products_sold,
        max(products_sold) over (
            partition by store_id
            order by sales_date
            rows between 1 following and unbounded following
        ) as later_products_sold
    from store_days
    window same_weekdays as (
        partition by store_id, extract(dow from sales_date)
        order by sales_date
        rows between {{ var('store_closed_reference_weeks') }} preceding and 1 preceding
    )

),

closed_store_days as (

    -- nothing sold in the whole store on a weekday it sells on (on average at least
    -- store_closed_min_products products over its last store_closed_reference_weeks same
    -- weekdays), and it sold again later: closed, so the zeros are not demand. The same zeros at
    -- the end of the data stay demand: the store may have closed for good.
    select
        store_id,
        sales_date
    from store_days_referenced
    where
        products_sold = 0
        and reference_days = {{ var('store_closed_reference_weeks') }}
        and reference_products_sold >= {{ var('store_closed_min_products') }}
        and later_products_sold > 0

),

flagged as (

    select
        joined.*,
        closed_store_days.store_id is not null as is_store_closed,
        joined.is_stockout_censored or closed_store_days.store_id is not null as is_censored
    from joined
    left join closed_store_days
        on joined.store_id = closed_store_days.store_id
        and joined.sales_date = closed_store_days.sales_date

),

with_reference_rate as (

    select
        *,
        -- demand reference for a censored day: the mean of the last 4 uncensored same weekdays
        avg(case when not is_censored then units_sold end) over (
            partition by store_id, product_id, day_of_week
            order by sales_date
            rows between 4 preceding and 1 preceding
        ) as same_weekday_uncensored_mean
    from flagged

),

final as (

    select
        store_id,
        product_id,
        sales_date,
        day_of_week,
        has_sales_record,
        units_sold,
        revenue,
        stockout_hours,
        stockout_hours_6_22,
        price_ratio,
        is_promo,
        is_holiday,
        precipitation,
        avg_temperature,
        avg_humidity,
        avg_wind_level,
        is_stockout_censored,
        is_store_closed,
        case
            when not is_censored then units_sold
            -- sales are a lower bound of demand; with no reference, scale by the in-stock share
            -- of the day (capped at 4x so a near-total stockout does not explode)
            else greatest(
                units_sold,
                coalesce(
                    same_weekday_uncensored_mean,
                    units_sold * least(24.0 / greatest(24 - stockout_hours, 1), 4)
                )
            )
        end as latent_demand_units,
        case
            when not is_censored then 'observed'
            when same_weekday_uncensored_mean is not null then 'same_weekday_mean'
            when is_store_closed then 'store_closed_no_reference'
            else 'in_stock_hours_scaled'
        end as latent_demand_method
    from with_reference_rate

)

select * from final
