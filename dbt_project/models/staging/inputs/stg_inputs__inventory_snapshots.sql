with

source as (

    select * from {{ source('inputs', 'inventory_snapshot') }}

),

renamed as (

    select

        ----------  ids
        store_id,
        product_id,

        ---------- numerics
        on_hand_units,
        coalesce(in_transit_units, 0) as in_transit_units,

        ---------- booleans
        coalesce(on_hand_simulated, false) as is_on_hand_simulated,

        ---------- dates
        snapshot_date

    from source

)

select * from renamed
