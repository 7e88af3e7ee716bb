select
    imbalance_flag,
    count(*) as cases
from {{ ref('imbalanced_zscore_analysis') }}
group by imbalance_flag
