{#- The policy replay per demand class (the forecast's class of each store x product at the
    origin; no_forecast where the backtest had none). One row per origin per policy per class. -#}

select
    origin_date,
    policy_name,
    demand_class,
    {{ policy_replay_measures() }}
from {{ ref('stg_optimization__policy_replay_details') }}
group by origin_date, policy_name, demand_class
