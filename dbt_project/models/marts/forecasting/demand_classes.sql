select
    store_id,
    product_id,
    origin_date,
    demand_class,
    volume_band,
    adi,
    cv2,
    demand_days,
    nonzero_days,
    days_since_first_sale,
    days_since_last_sale,
    recent_daily_demand,
    window_days
from {{ ref('stg_forecasting__demand_classes') }}
