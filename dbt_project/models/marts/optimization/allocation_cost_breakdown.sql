{#- Product rows as planned; one total row per plan, the totals of the plan's product
    partitions added up (the partitions share no constraint). -#}

with

costs as (

    select * from {{ ref('stg_optimization__cost_breakdowns') }}

),

totals as (

    select
        plan_name,
        {{ combined_plan_status('plan_status') }} as plan_status,
        'total' as cost_level,
        cast(null as varchar) as product_id,
        sum(holding_cost) as holding_cost,
        sum(stockout_cost) as stockout_cost,
        sum(transport_cost) as transport_cost,
        sum(manufacturing_cost) as manufacturing_cost,
        sum(distribution_cost) as distribution_cost,
        sum(total_cost) as total_cost,
        coalesce(
            string_agg(nullif(constraint_violations, ''), '; ' order by product_partition), ''
        ) as constraint_violations
    from costs
    where cost_level = 'total'
    group by plan_name

)

select * exclude (product_partition) from costs
where cost_level = 'product'
union all by name
select * from totals
