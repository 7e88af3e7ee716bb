-- The published z equals (metric - mean) / std recomputed from the rows of the analysis itself.
{{ config(tags=['imbalance_invariants']) }}
with groups as (
    select
        cluster_id,
        subcategory,
        avg(metric_value) as mean_metric,
        stddev_pop(metric_value) as std_metric
    from {{ ref('imbalanced_zscore_analysis') }}
    group by cluster_id, subcategory
)

select
    analysis.store_id,
    analysis.subcategory,
    analysis.z_score,
    (analysis.metric_value - groups.mean_metric) / groups.std_metric as z_recomputed
from {{ ref('imbalanced_zscore_analysis') }} as analysis
inner join
    groups
    on analysis.cluster_id = groups.cluster_id and analysis.subcategory = groups.subcategory
where
    analysis.z_score is not null
    and abs(analysis.z_score - (analysis.metric_value - groups.mean_metric) / groups.std_metric)
    > 1e-9
