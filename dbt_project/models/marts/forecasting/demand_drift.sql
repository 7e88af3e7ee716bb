select
    demand_class,
    test_name,
    reference_series_days,
    recent_series_days,
    mean_reference_units,
    mean_recent_units,
    test_statistic,
    p_value,
    alpha,
    min_statistic,
    is_drifted,
    reference_start_date,
    recent_start_date,
    recent_end_date
from {{ ref('stg_forecasting__demand_drift_tests') }}
