with

source as (

    select * from {{ source('optimization', 'policy_replay_origins') }}

),

renamed as (

    select

        ---------- ids
        cast(policy_name as varchar) as policy_name,

        ---------- text
        cast(plan_status as varchar) as plan_status,
        cast(stock_source as varchar) as stock_source,

        ---------- numerics
        cast(lp_model_cost as double) as lp_model_cost,
        cast(expected_fill_rate as double) as expected_fill_rate,
        cast(solve_seconds as double) as solve_seconds,

        ---------- dates
        cast(origin_date as date) as origin_date

    from source

)

select * from renamed
