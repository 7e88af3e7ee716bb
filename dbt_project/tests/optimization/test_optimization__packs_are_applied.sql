{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'allocation_plan_status'}}}) }}
-- A warning, not an error: products with a pack size whose plan is in fractional units. The
-- input's units are fractional (sold by weight, normalised), so whole_units = auto kept the LP
-- and their transfers and allocations are not whole packs; the run config whole_units = yes
-- plans every product in whole packs (README, "Whole units and packs").
select
    status.product_id,
    products.pack_size,
    status.plan_units
from {{ ref('allocation_plan_status') }} as status
inner join {{ ref('dim_products') }} as products on status.product_id = products.product_id
where products.pack_size > 1 and status.plan_units = 'fractional'
