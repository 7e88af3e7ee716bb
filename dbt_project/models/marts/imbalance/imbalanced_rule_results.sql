with

after_moves as (

    select * from {{ ref('int_store_subcategory_after_moves') }}

),

per_store as (

    select
        store_id,
        max(cluster_id) as cluster_id,
        count(*) as subcategory_count,
        sum(case when imbalance_flag in ('over', 'under') then 1 else 0 end)
            as imbalanced_subcategory_count,
        sum(case when imbalance_flag = 'over' then 1 else 0 end)
            as over_allocated_subcategory_count,
        sum(case when imbalance_flag = 'under' then 1 else 0 end)
            as under_allocated_subcategory_count,
        sum(units_out) as units_out,
        sum(units_in) as units_in
    from after_moves
    group by store_id

)

select
    stores.store_id,
    per_store.cluster_id,
    coalesce(per_store.imbalanced_subcategory_count, 0) > 0 as is_imbalanced,
    coalesce(per_store.subcategory_count, 0) as subcategory_count,
    cast(coalesce(per_store.imbalanced_subcategory_count, 0) as bigint)
        as imbalanced_subcategory_count,
    cast(coalesce(per_store.over_allocated_subcategory_count, 0) as bigint)
        as over_allocated_subcategory_count,
    cast(coalesce(per_store.under_allocated_subcategory_count, 0) as bigint)
        as under_allocated_subcategory_count,
    cast(coalesce(per_store.units_out, 0) as bigint) as units_out,
    cast(coalesce(per_store.units_in, 0) as bigint) as units_in,
    cast(coalesce(per_store.units_in, 0) - coalesce(per_store.units_out, 0) as bigint) as net_units
from {{ ref('stg_inputs__stores') }} as stores
left join per_store on stores.store_id = per_store.store_id
