select
    from_store,
    to_store,
    distance_km,
    cost_per_unit,
    lead_time_days,
    capacity_units,
    from_zone,
    to_zone
from {{ ref('int_candidate_lanes') }}
