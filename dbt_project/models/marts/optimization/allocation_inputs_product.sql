with

demand as (

    select
        product_id,
        sum(demand) as network_demand
    from {{ ref('allocation_inputs_store_product') }}
    group by product_id

),

final as (

    select
        terms.product_id,
        terms.manufacturing_cost,
        terms.production_capacity_share * demand.network_demand as max_production,
        terms.pack_size
    from {{ ref('int_product_allocation_terms') }} as terms
    inner join demand on terms.product_id = demand.product_id

)

select * from final
