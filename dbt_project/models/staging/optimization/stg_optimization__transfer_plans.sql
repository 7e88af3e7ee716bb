with

source as (

    select * from {{ source('optimization', 'transfer_plan') }}

),

renamed as (

    select

        ---------- ids
        cast(from_store as varchar) as from_store_id,
        cast(to_store as varchar) as to_store_id,
        cast(product_id as varchar) as product_id,

        ---------- numerics
        cast(units as double) as units,
        cast(distance_km as double) as distance_km,
        cast(cost_per_unit as double) as cost_per_unit,
        cast(cost as double) as transfer_cost,
        cast(lead_time_days as double) as lead_time_days

    from source

)

select * from renamed
