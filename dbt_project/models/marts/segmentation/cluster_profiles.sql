{#- Centroids in original units: the mean of each feature over the cluster's stores (not the
    standardised K-means centres), so a planner can read them. -#}

with

clusters as (

    select * from {{ ref('int_store_clusters_fitted') }}

),

features as (

    select * from {{ ref('int_store_features') }}

),

stores as (

    select * from {{ ref('stg_inputs__stores') }}

),

demand as (

    select
        store_id,
        sum(blended_daily_demand) as daily_demand
    from {{ ref('int_inventory_positions') }}
    group by store_id

),

top_subcategory as (

    select
        cluster_id,
        feature_name,
        mean_share
    from (
        select
            clusters.cluster_id,
            features.feature_name,
            avg(features.feature_value) as mean_share,
            row_number() over (
                partition by clusters.cluster_id
                order by avg(features.feature_value) desc, features.feature_name
            ) as share_rank
        from features
        inner join clusters on features.store_id = clusters.store_id
        where features.feature_name like 'mix\_\_%' escape '\'
        group by clusters.cluster_id, features.feature_name
    ) as ranked
    where share_rank = 1

),

summary as (

    select
        clusters.cluster_id,
        count(*) as store_count,
        avg(clusters.silhouette_sample) as cluster_silhouette,
        max(clusters.silhouette) as clustering_silhouette,
        max(clusters.chosen_k) as chosen_k,
        avg(demand.daily_demand) as mean_daily_demand_units,
        avg(stores.latitude) as centroid_latitude,
        avg(stores.longitude) as centroid_longitude,
        {{ dbt.listagg('distinct stores.store_format', "', '", 'order by stores.store_format') }}
            as store_formats,
        {{ dbt.listagg('distinct stores.region', "', '", 'order by stores.region') }} as regions
    from clusters
    inner join stores on clusters.store_id = stores.store_id
    left join demand on clusters.store_id = demand.store_id
    group by clusters.cluster_id

)

select
    summary.*,
    replace(top_subcategory.feature_name, 'mix__', '') as top_subcategory,
    top_subcategory.mean_share as top_subcategory_demand_share
from summary
left join top_subcategory on summary.cluster_id = top_subcategory.cluster_id
