with

source as (

    select * from {{ source('inputs', 'products') }}

),

renamed as (

    select

        ----------  ids
        product_id,

        ---------- text
        coalesce(product_name, product_id) as product_name,
        category,
        subcategory,
        coalesce(style, subcategory) as style,

        ---------- numerics
        unit_cost,
        unit_price,
        coalesce(pack_size, 1) as pack_size

    from source

)

select * from renamed
