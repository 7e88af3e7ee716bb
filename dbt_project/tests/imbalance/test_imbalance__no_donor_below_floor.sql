-- No store gives a product below its floor (safety stock or display minimum).
{#- attached in Dagster to the moves it checks (it reads more than one model) -#}
{{ config(
    tags=['imbalance_invariants'],
    meta={'dagster': {'ref': {'name': 'int_rebalancing_moves'}}},
) }}
with sent as (
    select
        donor_store_id as store_id,
        product_id,
        sum(units) as units_out
    from {{ ref('int_rebalancing_moves') }}
    group by donor_store_id, product_id
)

select
    sent.store_id,
    sent.product_id,
    positions.on_hand_units,
    sent.units_out,
    positions.floor_units
from sent
inner join {{ ref('int_inventory_positions') }} as positions
    on sent.store_id = positions.store_id
    and sent.product_id = positions.product_id
where positions.on_hand_units - sent.units_out < positions.floor_units - 1e-9
