{#- Each replayed policy against doing nothing and against the perfect-foresight bound: the
    difference in cost (mean per origin) and in fill rate, with its block-bootstrap interval by
    store and a paired test's p-value. One row per policy per comparator per metric. -#}

select
    policy_name,
    comparator,
    metric,
    policy_value,
    comparator_value,
    difference,
    ci_low,
    ci_high,
    p_value,
    ci_low > 0 or ci_high < 0 as is_significant,
    n_stores,
    n_origins
from {{ ref('stg_optimization__policy_replay_comparisons') }}
