with

store_products as (

    select * from {{ ref('allocation_inputs_store_product') }}

),

products as (

    select * from {{ ref('stg_inputs__products') }}

),

final as (

    select
        store_products.product_id,
        {{ cost_parameter('manufacturing_cost_per_unit') }} as manufacturing_cost,
        {{ cost_parameter('production_capacity_share') }} * sum(store_products.demand)
            as max_production,
        coalesce(max(products.pack_size), 1) as pack_size
    from store_products
    left join products on store_products.product_id = products.product_id
    group by store_products.product_id

)

select * from final
