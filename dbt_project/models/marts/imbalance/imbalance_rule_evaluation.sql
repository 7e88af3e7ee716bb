{#- How well the rule finds the imbalances the demo generator planted (empty planted table on
    other datasets: the counts are then 0 and recall is null). One row. -#}

with

flags as (

    select
        store_id,
        subcategory,
        imbalance_flag
    from {{ ref('int_store_subcategory_zscores') }}
    where imbalance_flag in ('over', 'under')

),

planted as (

    select * from {{ ref('stg_inputs__planted_imbalances') }}

),

matched as (

    select
        planted.store_id,
        planted.subcategory,
        planted.planted_direction,
        flags.imbalance_flag
    from planted
    left join flags
        on planted.store_id = flags.store_id
        and planted.subcategory = flags.subcategory

)

select
    (select count(*) from planted) as planted_cases,
    (select count(*) from flags) as flagged_cases,
    (
        select count(*) from matched
        where imbalance_flag is not null
    ) as planted_cases_flagged,
    (
        select count(*) from matched
        where imbalance_flag = planted_direction)
        as planted_cases_flagged_same_direction,
    (
        select count(*) from matched
        where imbalance_flag is not null
    ) * 1.0
    / nullif((select count(*) from planted), 0) as recall,
    (
        select count(*) from matched
        where imbalance_flag is not null
    ) * 1.0
    / nullif((select count(*) from flags), 0) as precision_vs_planted
