with

source as (

    select * from {{ source('optimization', 'policy_replay_detail') }}

),

renamed as (

    select

        ---------- ids
        cast(policy_name as varchar) as policy_name,
        cast(store_id as varchar) as store_id,
        cast(product_id as varchar) as product_id,

        ---------- text
        cast(demand_class as varchar) as demand_class,
        cast(stock_source as varchar) as stock_source,

        ---------- numerics
        cast(demand_units as double) as demand_units,
        cast(served_units as double) as served_units,
        cast(lost_units as double) as lost_units,
        cast(ending_units as double) as ending_units,
        cast(transfer_in_units as double) as transfer_in_units,
        cast(transfer_out_units as double) as transfer_out_units,
        cast(allocated_units as double) as allocated_units,
        cast(censored_days as integer) as censored_days,
        cast(holding_cost as double) as holding_cost,
        cast(stockout_cost as double) as stockout_cost,
        cast(transport_cost as double) as transport_cost,
        cast(manufacturing_cost as double) as manufacturing_cost,
        cast(distribution_cost as double) as distribution_cost,
        cast(total_cost as double) as total_cost,

        ---------- dates
        cast(origin_date as date) as origin_date

    from source

)

select * from renamed
