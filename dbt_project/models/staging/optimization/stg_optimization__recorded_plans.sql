with

source as (

    select * from {{ source('optimization_monitoring', 'plan_history') }}

),

renamed as (

    select

        ---------- ids
        cast(run_id as varchar) as run_id,
        cast(store_id as varchar) as store_id,
        cast(product_id as varchar) as product_id,

        ---------- numerics
        cast(current_inv as double) as current_inventory_units,
        cast(demand as double) as demand_units,
        cast(allocate_units as double) as allocated_units,
        cast(transfer_in as double) as transfer_in_units,
        cast(transfer_out as double) as transfer_out_units,
        cast(ending_inv as double) as ending_inventory_units,
        cast(stockout_units as double) as stockout_units,
        cast(fill_rate as double) as fill_rate,

        ---------- dates
        cast(origin_date as date) as origin_date,
        cast(recorded_at as timestamp) as recorded_at

    from source

)

select * from renamed
