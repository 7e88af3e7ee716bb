select
    zscores.store_id,
    stores.store_name,
    zscores.subcategory,
    zscores.cluster_id,
    zscores.imbalance_flag,
    zscores.metric_name,
    zscores.metric_value,
    zscores.cluster_mean,
    zscores.z_score,
    zscores.zscore_threshold,
    zscores.on_hand_units,
    zscores.units_at_mean
from {{ ref('imbalanced_zscore_analysis') }} as zscores
left join {{ ref('dim_stores') }} as stores on zscores.store_id = stores.store_id
where zscores.imbalance_flag in ('over', 'under')
