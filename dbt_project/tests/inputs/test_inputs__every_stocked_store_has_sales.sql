{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'int_inventory_positions'}}}) }}
-- A warning, not an error: stores that hold stock at the latest snapshot but have no sales row
-- at all (a store opened after the sales export, or one the export left out). The forecast has
-- nothing to go on for them, so the plan gives them no demand and may move their stock out; add
-- their sales, or leave them out of the stock file until they have some.
with

sales_stores as (

    select distinct store_id from {{ ref('stg_inputs__sales_daily') }}

),

stocked as (

    select
        store_id,
        count(*) as products_in_stock,
        sum(on_hand_units) as on_hand_units
    from {{ ref('int_inventory_positions') }}
    where on_hand_units > 0
    group by store_id

)

select stocked.*
from stocked
anti join sales_stores on stocked.store_id = sales_stores.store_id
