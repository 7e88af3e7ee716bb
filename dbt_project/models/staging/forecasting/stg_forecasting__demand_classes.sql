with

source as (

    select * from {{ source('forecasting', 'demand_classes') }}

),

renamed as (

    select

        ----------  ids
        cast(store_id as varchar) as store_id,
        cast(product_id as varchar) as product_id,

        ---------- dates
        cast(origin_date as date) as origin_date,

        ---------- text
        cast(demand_class as varchar) as demand_class,
        cast(volume_band as varchar) as volume_band,

        ---------- numerics
        cast(adi as double) as adi,
        cast(cv2 as double) as cv2,
        cast(demand_days as integer) as demand_days,
        cast(nonzero_days as integer) as nonzero_days,
        cast(days_since_first_sale as integer) as days_since_first_sale,
        cast(days_since_last_sale as integer) as days_since_last_sale,
        cast(recent_daily_demand as double) as recent_daily_demand,
        cast(window_days as integer) as window_days

    from source

)

select * from renamed
