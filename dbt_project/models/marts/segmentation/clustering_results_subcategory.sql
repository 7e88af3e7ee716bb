select
    store_id,
    subcategory,
    cluster_id,
    silhouette_sample,
    chosen_k,
    silhouette as clustering_silhouette
from {{ ref('int_store_subcategory_clusters_fitted') }}
