with

source as (

    select * from {{ source('optimization', 'cost_breakdown') }}

),

renamed as (

    select

        ---------- ids
        cast(plan_name as varchar) as plan_name,
        cast(level as varchar) as cost_level,
        cast(product_id as varchar) as product_id,
        cast(product_partition as varchar) as product_partition,

        ---------- text
        cast(plan_status as varchar) as plan_status,
        cast(constraint_violations as varchar) as constraint_violations,

        ---------- numerics
        cast(holding as double) as holding_cost,
        cast(stockout as double) as stockout_cost,
        cast(transport as double) as transport_cost,
        cast(manufacturing as double) as manufacturing_cost,
        cast(distribution as double) as distribution_cost,
        cast(total as double) as total_cost

    from source

)

select * from renamed
