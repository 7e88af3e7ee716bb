{#- The Z-score imbalance rule (docs/methodology.md). Per store x subcategory: the allocation
    metric (setting allocation_metric: days_of_cover = units on hand / blended daily demand, the default; or
    unit_share = the subcategory's share of the store's units on hand), its mean and population
    std over the stores of the same cluster and subcategory, and z = (metric - mean) / std.
    |z| > zscore_threshold flags over- or under-allocation. Groups with fewer than
    min_group_stores stores, or std 0, are not scored and say why. units_at_mean is the stock
    that would put the store exactly at the group mean: the rebalancing moves toward it. -#}

with

positions as (

    select * from {{ ref('int_inventory_positions') }}

),

clusters as (

    select
        store_id,
        subcategory,
        cluster_id
    from {{ ref('int_store_subcategory_clusters_fitted') }}
    where {{ rule_setting('cluster_mode', 'varchar') }} = 'subcategory'
    union all
    select
        store_subcategories.store_id,
        store_subcategories.subcategory,
        store_clusters.cluster_id
    from (select distinct
        store_id,
        subcategory
    from positions) as store_subcategories
    inner join {{ ref('int_store_clusters_fitted') }} as store_clusters
        on store_subcategories.store_id = store_clusters.store_id
    where {{ rule_setting('cluster_mode', 'varchar') }} = 'store'

),

store_subcategory as (

    select
        store_id,
        subcategory,
        sum(on_hand_units) as on_hand_units,
        sum(blended_daily_demand) as blended_daily_demand
    from positions
    group by store_id, subcategory

),

with_metric as (

    select
        store_subcategory.*,
        clusters.cluster_id,
        sum(store_subcategory.on_hand_units)
            over (partition by store_subcategory.store_id)
            as store_on_hand_units,
        {{ rule_setting('allocation_metric', 'varchar') }} as metric_name,
        case {{ rule_setting('allocation_metric', 'varchar') }}
            when 'unit_share'
                then store_subcategory.on_hand_units
                / nullif(
                    sum(store_subcategory.on_hand_units)
                        over (partition by store_subcategory.store_id),
                    0
                )
            else store_subcategory.on_hand_units / nullif(store_subcategory.blended_daily_demand, 0)
        end as metric_value
    from store_subcategory
    inner join clusters
        on store_subcategory.store_id = clusters.store_id
        and store_subcategory.subcategory = clusters.subcategory

),

with_group as (

    select
        *,
        count(metric_value) over (partition by cluster_id, subcategory) as group_store_count,
        avg(metric_value) over (partition by cluster_id, subcategory) as cluster_mean,
        stddev_pop(metric_value) over (partition by cluster_id, subcategory) as cluster_std
    from with_metric

),

scored as (

    select
        *,
        case
            when
                metric_value is null
                then 'not scored: no demand in this store x subcategory, the metric is undefined'
            when group_store_count < {{ rule_setting('min_group_stores') }}
                then 'not scored: fewer than '
                || cast({{ rule_setting('min_group_stores', 'integer') }} as varchar)
                || ' stores with this subcategory in the cluster'
            when
                cluster_std = 0
                then 'not scored: every store in the group has the same metric (std 0)'
            else 'scored'
        end as reason,
        {{ rule_setting('zscore_threshold') }} as zscore_threshold
    from with_group

),

final as (

    select
        store_id,
        subcategory,
        cluster_id,
        on_hand_units,
        blended_daily_demand,
        store_on_hand_units,
        metric_name,
        metric_value,
        group_store_count,
        cluster_mean,
        cluster_std,
        case when reason = 'scored' then (metric_value - cluster_mean) / cluster_std end as z_score,
        zscore_threshold,
        case
            when reason <> 'scored' then 'not_scored'
            when (metric_value - cluster_mean) / cluster_std > zscore_threshold then 'over'
            when (metric_value - cluster_mean) / cluster_std < -zscore_threshold then 'under'
            else 'balanced'
        end as imbalance_flag,
        reason,
        case
            when metric_name = 'unit_share' then cluster_mean * store_on_hand_units
            else cluster_mean * blended_daily_demand
        end as units_at_mean
    from scored

)

select * from final
