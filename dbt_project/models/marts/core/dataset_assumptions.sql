select
    dataset_name,
    topic,
    assumption,
    setting
from {{ ref('stg_inputs__dataset_assumptions') }}
