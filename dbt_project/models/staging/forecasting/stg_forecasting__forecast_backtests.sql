with

source as (

    select * from {{ source('forecasting', 'forecast_backtest') }}

),

renamed as (

    select

        ---------- ids
        cast(model as varchar) as model_name,
        cast("window" as integer) as backtest_window,
        cast(segment_type as varchar) as segment_type,
        cast(segment_value as varchar) as segment_value,

        ---------- numerics
        cast(wape as double) as wape,
        cast(wpe as double) as wpe,
        cast(mape as double) as mape,
        cast(mase as double) as mase,
        cast(coverage_80 as double) as coverage_80,
        cast(coverage_95 as double) as coverage_95,
        cast(n_rows as bigint) as scored_rows,

        ---------- dates
        cast(origin_date as date) as origin_date

    from source

)

select * from renamed
