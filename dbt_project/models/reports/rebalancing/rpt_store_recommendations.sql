select
    recommendations.store_id,
    stores.store_name,
    recommendations.region,
    recommendations.category,
    recommendations.recommendation,
    recommendations.units_change,
    recommendations.days_of_supply_before,
    recommendations.days_of_supply_after,
    recommendations.region_median_days_of_supply,
    recommendations.reason
from {{ ref('store_recommendations') }} as recommendations
left join {{ ref('dim_stores') }} as stores on recommendations.store_id = stores.store_id
