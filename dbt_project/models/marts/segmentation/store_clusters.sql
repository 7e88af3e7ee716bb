select
    fitted.store_id,
    fitted.cluster_id,
    fitted.silhouette_sample,
    fitted.chosen_k,
    fitted.silhouette as clustering_silhouette,
    fitted.silhouette_by_k,
    stores.region,
    stores.city,
    stores.store_format
from {{ ref('int_store_clusters_fitted') }} as fitted
inner join {{ ref('stg_inputs__stores') }} as stores on fitted.store_id = stores.store_id
