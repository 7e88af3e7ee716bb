with

source as (

    select * from {{ source('optimization_monitoring', 'plan_cost_history') }}

),

renamed as (

    select

        ---------- ids
        cast(run_id as varchar) as run_id,
        cast(plan_name as varchar) as plan_name,

        ---------- text
        cast(plan_status as varchar) as plan_status,

        ---------- numerics
        cast(holding as double) as holding_cost,
        cast(stockout as double) as stockout_cost,
        cast(transport as double) as transport_cost,
        cast(manufacturing as double) as manufacturing_cost,
        cast(distribution as double) as distribution_cost,
        cast(total as double) as total_cost,

        ---------- dates
        cast(origin_date as date) as origin_date,
        cast(recorded_at as timestamp) as recorded_at

    from source

)

select * from renamed
