with

source as (

    select * from {{ source('optimization', 'production_plan') }}

),

renamed as (

    select

        ---------- ids
        cast(product_id as varchar) as product_id,

        ---------- numerics
        cast(manufacture_units as double) as manufacture_units

    from source

)

select * from renamed
