select
    cast(model as varchar) as model_name,
    cast("window" as integer) as backtest_window,
    cast(origin_date as date) as origin_date,
    cast(segment_type as varchar) as segment_type,
    cast(segment_value as varchar) as segment_value,
    cast(wape as double) as wape,
    cast(wpe as double) as wpe,
    cast(mape as double) as mape,
    cast(mase as double) as mase,
    cast(coverage_80 as double) as coverage_80,
    cast(coverage_95 as double) as coverage_95,
    cast(n_rows as bigint) as scored_rows
from {{ source('forecasting', 'forecast_backtest') }}
