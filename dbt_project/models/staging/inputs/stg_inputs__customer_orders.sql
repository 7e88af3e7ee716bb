with

source as (

    select * from {{ source('inputs', 'customer_orders') }}

),

renamed as (

    select

        ----------  ids
        order_id,
        customer_id,
        store_id,
        product_id,

        ---------- numerics
        amount as order_line_amount,
        units as order_line_units,

        ---------- dates
        order_date

    from source

)

select * from renamed
