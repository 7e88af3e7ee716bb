with

source as (

    select * from {{ source('inputs', 'planned_covariates') }}

),

renamed as (

    select

        ----------  ids
        store_id,
        product_id,

        ---------- numerics
        -- null where the input plans nothing for the column: the forecast decides what to assume
        discount as price_ratio,
        precipitation,
        avg_temperature,
        avg_humidity,
        avg_wind_level,

        ---------- booleans
        promo_flag as is_promo,
        holiday_flag as is_holiday,

        ---------- dates
        date as forecast_date

    from source

)

select * from renamed
