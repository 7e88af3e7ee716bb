{#- Store features for K-means, long form (one row per store x feature) so a feature is added
    here without touching the Python fit: demand mix by subcategory (share of the store's blended
    demand), volume (log of total daily demand), format (one-hot), location, and, when customer
    orders exist and the setting allows, the store's customer segment mix. -#}

with

positions as (

    select * from {{ ref('int_inventory_positions') }}

),

stores as (

    select * from {{ ref('stg_inputs__stores') }}

),

store_demand as (

    select
        store_id,
        sum(blended_daily_demand) as total_daily_demand
    from positions
    group by store_id

),

demand_mix as (

    select
        positions.store_id,
        'mix__' || positions.subcategory as feature_name,
        sum(positions.blended_daily_demand)
        / nullif(max(store_demand.total_daily_demand), 0) as feature_value
    from positions
    inner join store_demand on positions.store_id = store_demand.store_id
    group by positions.store_id, positions.subcategory

),

volume as (

    select
        store_id,
        'volume_log' as feature_name,
        ln(1 + total_daily_demand) as feature_value
    from store_demand

),

store_format as (

    select
        store_id,
        'format__' || store_format as feature_name,
        1.0 as feature_value
    from stores

),

location as (

    select
        store_id,
        'latitude' as feature_name,
        latitude as feature_value
    from stores
    union all
    select
        store_id,
        'longitude' as feature_name,
        longitude as feature_value
    from stores

),

segment_mix as (

    select
        store_id,
        'segment__' || segment_id as feature_name,
        count(*) * 1.0 / sum(count(*)) over (partition by store_id) as feature_value
    from {{ ref('int_customer_segments_fitted') }}
    where {{ rule_setting('cluster_use_customer_segments', 'boolean') }}
    group by store_id, segment_id

),

unioned as (

    select * from demand_mix
    union all
    select * from volume
    union all
    select * from store_format
    union all
    select * from location
    union all
    select * from segment_mix

)

select
    unioned.store_id,
    unioned.feature_name,
    coalesce(unioned.feature_value, 0) as feature_value
from unioned
where unioned.store_id in (select store_demand.store_id from store_demand)
