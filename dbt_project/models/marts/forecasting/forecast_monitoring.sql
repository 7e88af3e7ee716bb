select
    run_id,
    segment_type,
    segment_value,
    scored_rows,
    censored_rows_excluded,
    actual_units,
    forecast_units,
    wape,
    wpe,
    coverage_80,
    coverage_95,
    origin_date,
    first_scored_date,
    last_scored_date,
    recorded_at
from {{ ref('stg_forecasting__forecast_monitoring_scores') }}
