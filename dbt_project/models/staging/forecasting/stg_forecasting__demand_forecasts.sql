with

source as (

    select * from {{ source('forecasting', 'demand_forecast') }}

),

renamed as (

    select

        ---------- ids
        cast(store_id as varchar) as store_id,
        cast(product_id as varchar) as product_id,

        ---------- text
        cast(model as varchar) as model_name,

        ---------- numerics
        cast(forecast_units as double) as forecast_units,
        cast(lower_80 as double) as lower_80,
        cast(upper_80 as double) as upper_80,
        cast(lower_95 as double) as lower_95,
        cast(upper_95 as double) as upper_95,
        cast(lower_total_80 as double) as lower_total_80,
        cast(upper_total_80 as double) as upper_total_80,
        cast(lower_total_95 as double) as lower_total_95,
        cast(upper_total_95 as double) as upper_total_95,
        cast(demand_std_horizon as double) as demand_std_horizon,

        ---------- dates
        cast(forecast_date as date) as forecast_date,
        cast(origin_date as date) as origin_date

    from source

)

select * from renamed
