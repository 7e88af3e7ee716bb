with

source as (

    select * from {{ source('optimization', 'product_status') }}

),

renamed as (

    select

        ---------- ids
        cast(product_id as varchar) as product_id,

        ---------- text
        cast(status as varchar) as solver_status,
        cast(explanation as varchar) as explanation,
        cast(plan_units as varchar) as plan_units,

        ---------- numerics
        cast(objective as double) as objective_cost,
        cast(relaxation_objective as double) as relaxation_cost,
        cast(n_stores as bigint) as store_count,
        cast(n_lanes as bigint) as lane_count

    from source

)

select * from renamed
