{#- What the LP knows of each product before any forecast: its unit cost, pack size and the
    share of network demand central production can make (allocation_inputs_product turns that
    share into a capacity with the forecast). One row per product with store x product pairs. -#}

with

pairs as (

    select distinct product_id from {{ ref('int_store_product_allocation_terms') }}

),

products as (

    select * from {{ ref('stg_inputs__products') }}

)

select
    pairs.product_id,
    {{ cost_parameter('manufacturing_cost_per_unit') }} as manufacturing_cost,
    {{ cost_parameter('production_capacity_share') }} as production_capacity_share,
    coalesce(products.pack_size, 1) as pack_size
from pairs
left join products on pairs.product_id = products.product_id
