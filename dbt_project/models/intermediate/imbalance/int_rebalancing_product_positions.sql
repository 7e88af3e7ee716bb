{#- The products of every cluster x subcategory that holds a flagged case: what each store has,
    its floor, and the units that would put the product at the group's mean (the subcategory's
    units at the mean split by the product's share of the store's subcategory demand). -#}

with

zscores as (

    select * from {{ ref('int_store_subcategory_zscores') }}

),

flagged_groups as (

    select distinct
        cluster_id,
        subcategory
    from zscores
    where imbalance_flag in ('over', 'under')

),

final as (

    select
        positions.store_id,
        positions.product_id,
        positions.subcategory,
        zscores.cluster_id,
        positions.on_hand_units,
        positions.floor_units,
        case
            when zscores.blended_daily_demand > 0
                then zscores.units_at_mean
                * positions.blended_daily_demand
                / zscores.blended_daily_demand
            else 0
        end as target_units
    from {{ ref('int_inventory_positions') }} as positions
    inner join zscores
        on positions.store_id = zscores.store_id
        and positions.subcategory = zscores.subcategory
    inner join flagged_groups
        on zscores.cluster_id = flagged_groups.cluster_id
        and zscores.subcategory = flagged_groups.subcategory

)

select * from final
