select
    -- casts: the Python model writes untyped (NULL) columns when there are no customers
    cast(segments.customer_id as varchar) as customer_id,
    cast(segments.segment_id as varchar) as segment_id,
    cast(segments.store_id as varchar) as home_store_id,
    rfm.recency_days,
    rfm.frequency_orders,
    rfm.monetary_amount,
    rfm.average_order_value,
    segments.silhouette_sample,
    segments.silhouette as segmentation_silhouette,
    segments.chosen_k
from {{ ref('int_customer_segments_fitted') }} as segments
inner join {{ ref('int_customer_rfm') }} as rfm on segments.customer_id = rfm.customer_id
