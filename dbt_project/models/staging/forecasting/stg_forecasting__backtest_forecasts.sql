with

source as (

    select * from {{ source('forecasting', 'backtest_forecasts') }}

),

renamed as (

    select

        ---------- ids
        cast(store_id as varchar) as store_id,
        cast(product_id as varchar) as product_id,

        ---------- text
        cast(demand_class as varchar) as demand_class,
        cast(model as varchar) as model_name,

        ---------- numerics
        cast(horizon_days as integer) as horizon_days,
        cast(forecast_units as double) as forecast_units,
        cast(demand_std_horizon as double) as demand_std_horizon,

        ---------- dates
        cast(origin_date as date) as origin_date

    from source

)

select * from renamed
