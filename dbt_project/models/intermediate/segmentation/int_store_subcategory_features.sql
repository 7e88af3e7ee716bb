{#- Features of each store inside one subcategory, for clustering stores per subcategory
    (cluster_mode = subcategory, mart clustering_results_subcategory): style mix within the subcategory, the
    subcategory's volume in the store, and location. Long form: one row per store x
    subcategory x feature. -#}

with

positions as (

    select * from {{ ref('int_inventory_positions') }}

),

stores as (

    select * from {{ ref('stg_inputs__stores') }}

),

subcategory_demand as (

    select
        store_id,
        subcategory,
        sum(blended_daily_demand) as daily_demand
    from positions
    group by store_id, subcategory
    having sum(blended_daily_demand) > 0

),

style_mix as (

    select
        positions.store_id,
        positions.subcategory,
        'style__' || positions.style as feature_name,
        sum(positions.blended_daily_demand) / max(subcategory_demand.daily_demand) as feature_value
    from positions
    inner join subcategory_demand
        on positions.store_id = subcategory_demand.store_id
        and positions.subcategory = subcategory_demand.subcategory
    group by positions.store_id, positions.subcategory, positions.style

),

volume as (

    select
        store_id,
        subcategory,
        'volume_log' as feature_name,
        ln(1 + daily_demand) as feature_value
    from subcategory_demand

),

location as (

    select
        subcategory_demand.store_id,
        subcategory_demand.subcategory,
        'latitude' as feature_name,
        stores.latitude as feature_value
    from subcategory_demand
    inner join stores on subcategory_demand.store_id = stores.store_id
    union all
    select
        subcategory_demand.store_id,
        subcategory_demand.subcategory,
        'longitude' as feature_name,
        stores.longitude as feature_value
    from subcategory_demand
    inner join stores on subcategory_demand.store_id = stores.store_id

)

select * from style_mix
union all
select * from volume
union all
select * from location
