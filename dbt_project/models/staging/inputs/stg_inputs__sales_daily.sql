with

source as (

    select * from {{ source('inputs', 'sales_daily') }}

),

renamed as (

    select

        ----------  ids
        store_id,
        product_id,

        ---------- numerics
        units_sold,
        revenue,
        coalesce(stockout_hours, 0) as stockout_hours,
        stockout_hours is not null as has_stockout_data,
        stockout_hours_6_22,
        coalesce(discount, 1) as price_ratio,
        precipitation,
        avg_temperature,
        avg_humidity,
        avg_wind_level,

        ---------- booleans
        coalesce(promo_flag, false) as is_promo,
        coalesce(holiday_flag, false) as is_holiday,

        ---------- dates
        date as sales_date

    from source

)

select * from renamed
