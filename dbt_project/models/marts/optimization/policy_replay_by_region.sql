{#- The policy replay per region. One row per origin per policy per region. -#}

select
    details.origin_date,
    details.policy_name,
    stores.region,
    {{ policy_replay_measures() }}
from {{ ref('stg_optimization__policy_replay_details') }} as details
inner join {{ ref('stg_inputs__stores') }} as stores on details.store_id = stores.store_id
group by details.origin_date, details.policy_name, stores.region
