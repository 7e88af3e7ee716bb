with

source as (

    select * from {{ source('forecasting_monitoring', 'demand_drift') }}

),

renamed as (

    select

        ---------- ids
        cast(demand_class as varchar) as demand_class,

        ---------- text
        cast(test as varchar) as test_name,

        ---------- numerics
        cast(n_reference as bigint) as reference_series_days,
        cast(n_recent as bigint) as recent_series_days,
        cast(mean_reference as double) as mean_reference_units,
        cast(mean_recent as double) as mean_recent_units,
        cast(statistic as double) as test_statistic,
        cast(p_value as double) as p_value,
        cast(alpha as double) as alpha,
        cast(min_statistic as double) as min_statistic,

        ---------- flags
        cast(drifted as boolean) as is_drifted,

        ---------- dates
        cast(reference_start_date as date) as reference_start_date,
        cast(recent_start_date as date) as recent_start_date,
        cast(recent_end_date as date) as recent_end_date

    from source

)

select * from renamed
