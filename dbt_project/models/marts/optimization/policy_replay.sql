{#- How each policy did at each replayed origin against the demand that followed. One row per
    origin per policy. -#}

with

details as (

    select * from {{ ref('stg_optimization__policy_replay_details') }}

),

origins as (

    select * from {{ ref('stg_optimization__policy_replay_origins') }}

),

totals as (

    select
        origin_date,
        policy_name,
        {{ policy_replay_measures() }},
        cast(sum(censored_days) as bigint) as censored_store_product_days
    from details
    group by origin_date, policy_name

)

select
    totals.*,
    origins.plan_status,
    origins.stock_source,
    origins.lp_model_cost,
    origins.expected_fill_rate
from totals
inner join origins
    on totals.origin_date = origins.origin_date
    and totals.policy_name = origins.policy_name
