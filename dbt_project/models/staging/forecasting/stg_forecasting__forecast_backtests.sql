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
        cast(n_series as bigint) as scored_series,
        cast(actual_units as double) as actual_units,
        cast(score_total_wape as double) as score_total_wape,
        cast(wpe_total as double) as wpe_total,
        cast(wpe_total_se as double) as wpe_total_se,
        cast(mae_total as double) as mae_total,
        cast(zero_total_share as double) as zero_total_share,
        cast(missed_total_share as double) as missed_total_share,
        cast(coverage_sale_80 as double) as coverage_sale_80,
        cast(coverage_sale_95 as double) as coverage_sale_95,
        cast(coverage_total_80 as double) as coverage_total_80,
        cast(coverage_total_95 as double) as coverage_total_95,

        ---------- flags
        cast(is_chosen as boolean) as is_chosen,

        ---------- dates
        cast(origin_date as date) as origin_date

    from source

)

select * from renamed
