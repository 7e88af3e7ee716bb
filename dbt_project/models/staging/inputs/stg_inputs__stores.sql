with

source as (

    select * from {{ source('inputs', 'stores') }}

),

renamed as (

    select

        ----------  ids
        store_id,

        ---------- text
        coalesce(store_name, store_id) as store_name,
        city,
        region,
        coalesce(format, 'unknown') as store_format,

        ---------- numerics
        latitude,
        longitude,
        storage_capacity_units,

        ---------- booleans
        coalesce(coordinates_assumed, false) as is_location_assumed,

        ---------- dates
        opened_on

    from source

)

select * from renamed
