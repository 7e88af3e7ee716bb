-- Every flagged case has |z| above the threshold, with the sign of its direction.
{{ config(tags=['imbalance_invariants']) }}
select
    store_id,
    subcategory,
    imbalance_flag,
    z_score,
    zscore_threshold
from {{ ref('imbalanced_zscore_analysis') }}
where
    (imbalance_flag = 'over' and not z_score > zscore_threshold)
    or (imbalance_flag = 'under' and not z_score < -zscore_threshold)
    or (imbalance_flag = 'balanced' and abs(z_score) > zscore_threshold)
