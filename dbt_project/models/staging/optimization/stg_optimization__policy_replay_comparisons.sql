with

source as (

    select * from {{ source('optimization', 'policy_replay_summary') }}

),

renamed as (

    select

        ---------- ids
        cast(policy_name as varchar) as policy_name,
        cast(comparator as varchar) as comparator,
        cast(metric as varchar) as metric,

        ---------- numerics
        cast(policy_value as double) as policy_value,
        cast(comparator_value as double) as comparator_value,
        cast(difference as double) as difference,
        cast(ci_low as double) as ci_low,
        cast(ci_high as double) as ci_high,
        cast(p_value as double) as p_value,
        cast(n_stores as integer) as n_stores,
        cast(n_origins as integer) as n_origins

    from source

)

select * from renamed
