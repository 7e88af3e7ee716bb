-- After the moves, the spread of the metric inside each affected group is no larger than before.
{{ config(tags=['imbalance_invariants']) }}
select
    cluster_id,
    subcategory,
    stddev_pop(metric_before) as std_before,
    stddev_pop(metric_after) as std_after
from {{ ref('int_store_subcategory_after_moves') }}
group by cluster_id, subcategory
having
    sum(units_out + units_in) > 0
    and stddev_pop(metric_after) > stddev_pop(metric_before) + 1e-9
