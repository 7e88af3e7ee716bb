{#- Store-specific strategies, derived from the data: per store x category, what the
    recommended plan does (units in from other stores and central supply, units out) and where
    the store's days of supply stand against the median of its region's stores. increase / decrease
    = the plan's net change is at least one unit up / down; hold otherwise. -#}

with

store_category as (

    select
        store_id,
        region,
        category,
        sum(blended_daily_demand) as daily_demand_units,
        sum(on_hand_before) as on_hand_before,
        sum(on_hand_after) as on_hand_after,
        sum(transfer_in_units) as transfer_in_units,
        sum(transfer_out_units) as transfer_out_units,
        sum(allocated_units) as central_allocation_units
    from {{ ref('int_store_product_kpi_inputs') }}
    group by store_id, region, category

),

with_supply as (

    select
        *,
        on_hand_before / nullif(daily_demand_units, 0) as days_of_supply_before,
        on_hand_after / nullif(daily_demand_units, 0) as days_of_supply_after,
        on_hand_after - on_hand_before as net_change_units
    from store_category

),

region_median as (

    select
        region,
        category,
        percentile_cont(0.5) within group (order by days_of_supply_before)
            as region_median_days_of_supply
    from with_supply
    group by region, category

)

select
    with_supply.store_id,
    with_supply.category,
    with_supply.region,
    case
        when with_supply.net_change_units >= 1 then 'increase'
        when with_supply.net_change_units <= -1 then 'decrease'
        else 'hold'
    end as recommendation,
    round(with_supply.net_change_units, 1) as units_change,
    with_supply.days_of_supply_before,
    with_supply.days_of_supply_after,
    region_median.region_median_days_of_supply,
    with_supply.transfer_in_units,
    with_supply.transfer_out_units,
    with_supply.central_allocation_units,
    'days of supply '
    || coalesce(cast(round(with_supply.days_of_supply_before, 1) as varchar), 'n/a')
    || ' vs region median '
    || coalesce(cast(round(region_median.region_median_days_of_supply, 1) as varchar), 'n/a')
    -- units without signs (a '-' before 0.0 read as a negative); + 0.0 prints a rounded -0.0
    -- (a sum of solver values a hair below 0) as 0.0
    || '; plan: '
    || cast(round(with_supply.transfer_in_units, 1) + 0.0 as varchar)
    || ' in from stores, '
    || cast(round(with_supply.central_allocation_units, 1) + 0.0 as varchar)
    || ' from central supply, '
    || cast(round(with_supply.transfer_out_units, 1) + 0.0 as varchar) || ' out'
    || ' -> '
    || coalesce(cast(round(with_supply.days_of_supply_after, 1) as varchar), 'n/a')
    || ' days'
        as reason
from with_supply
inner join region_median
    on with_supply.region = region_median.region
    and with_supply.category = region_median.category
