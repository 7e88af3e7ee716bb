{#- Cast to the contract's types: with a single store there are no lanes, and the Python
    model's empty id columns would otherwise reach DuckDB untyped. -#}
select
    cast(from_store as varchar) as from_store,
    cast(to_store as varchar) as to_store,
    cast(distance_km as double) as distance_km,
    cast(cost_per_unit as double) as cost_per_unit,
    cast(lead_time_days as double) as lead_time_days,
    cast(capacity_units as double) as capacity_units,
    cast(from_zone as bigint) as from_zone,
    cast(to_zone as bigint) as to_zone
from {{ ref('int_candidate_lanes') }}
