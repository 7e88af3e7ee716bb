select
    store_id,
    subcategory,
    cluster_id,
    metric_name,
    metric_value,
    cluster_mean,
    cluster_std,
    group_store_count,
    z_score,
    zscore_threshold,
    imbalance_flag,
    reason,
    on_hand_units,
    blended_daily_demand,
    units_at_mean
from {{ ref('int_store_subcategory_zscores') }}
