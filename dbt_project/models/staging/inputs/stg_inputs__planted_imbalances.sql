with

source as (

    select * from {{ source('inputs', 'planted_imbalances') }}

),

renamed as (

    select

        ----------  ids
        store_id,
        subcategory,

        ---------- text
        direction as planted_direction,

        ---------- numerics
        cover_multiplier

    from source

)

select * from renamed
