select
    model_name,
    backtest_window,
    origin_date,
    segment_type,
    segment_value,
    wape,
    wpe,
    mape,
    mase,
    coverage_80,
    coverage_95,
    scored_rows
from {{ ref('stg_forecasting__forecast_backtests') }}
