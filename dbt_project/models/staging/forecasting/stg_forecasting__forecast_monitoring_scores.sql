with

source as (

    select * from {{ source('forecasting_monitoring', 'forecast_monitoring') }}

),

renamed as (

    select

        ---------- ids
        cast(run_id as varchar) as run_id,
        cast(segment_type as varchar) as segment_type,
        cast(segment_value as varchar) as segment_value,

        ---------- numerics
        cast(scored_rows as bigint) as scored_rows,
        cast(censored_rows_excluded as bigint) as censored_rows_excluded,
        cast(actual_units as double) as actual_units,
        cast(forecast_units as double) as forecast_units,
        cast(wape as double) as wape,
        cast(wpe as double) as wpe,
        cast(coverage_80 as double) as coverage_80,
        cast(coverage_95 as double) as coverage_95,

        ---------- dates
        cast(origin_date as date) as origin_date,
        cast(first_scored_date as date) as first_scored_date,
        cast(last_scored_date as date) as last_scored_date,
        cast(recorded_at as timestamp) as recorded_at

    from source

)

select * from renamed
