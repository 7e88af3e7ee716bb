select
    cast(segment_id as varchar) as segment_id,
    count(*) as customer_count,
    avg(recency_days) as mean_recency_days,
    avg(frequency_orders) as mean_frequency_orders,
    avg(monetary_amount) as mean_monetary_amount,
    avg(average_order_value) as mean_average_order_value,
    avg(silhouette_sample) as segment_silhouette,
    max(segmentation_silhouette) as segmentation_silhouette
from {{ ref('customer_segments') }}
group by segment_id
