with

source as (

    select * from {{ source('optimization', 'scenario_results') }}

),

renamed as (

    select

        ---------- ids
        cast(scenario_id as varchar) as scenario_id,
        cast(product_partition as varchar) as product_partition,

        ---------- text
        cast(description as varchar) as scenario_description,
        cast(status as varchar) as plan_status,

        ---------- numerics
        cast(demand_multiplier as double) as demand_multiplier,
        cast(stockout_penalty_multiplier as double) as stockout_penalty_multiplier,
        cast(holding_cost_multiplier as double) as holding_cost_multiplier,
        cast(holding as double) as holding_cost,
        cast(stockout as double) as stockout_cost,
        cast(transport as double) as transport_cost,
        cast(manufacturing as double) as manufacturing_cost,
        cast(distribution as double) as distribution_cost,
        cast(total_cost as double) as total_cost,
        cast(demand_units as double) as demand_units,
        cast(stockout_units as double) as stockout_units,
        cast(fill_rate as double) as fill_rate,
        cast(units_transferred as double) as units_transferred,
        cast(units_produced as double) as units_produced,

        ---------- booleans
        cast(allow_transfers as boolean) as allow_transfers,
        cast(allow_production as boolean) as allow_production

    from source

)

select * from renamed
