with

source as (

    select * from {{ source('inputs', 'transfers_executed') }}

),

renamed as (

    select

        ----------  ids
        transfer_id,
        from_store_id,
        to_store_id,
        product_id,

        ---------- numerics
        planned_units,
        shipped_units,
        received_units,

        ---------- dates
        ship_date

    from source

)

select * from renamed
