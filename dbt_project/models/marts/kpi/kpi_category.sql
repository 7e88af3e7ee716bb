select
    category,
    count(distinct store_id) as store_count,
    sum(revenue_28d) as revenue_28d,
    sum(units_sold_28d) as units_sold_28d,
    sum(blended_daily_demand) as blended_daily_demand_units,
    sum(on_hand_before) / nullif(sum(blended_daily_demand), 0) as days_of_supply_before,
    sum(on_hand_after) / nullif(sum(blended_daily_demand), 0) as days_of_supply_after,
    365 * sum(blended_daily_demand) / nullif(sum(on_hand_before), 0) as inventory_turnover_before,
    365 * sum(blended_daily_demand) / nullif(sum(on_hand_after), 0) as inventory_turnover_after,
    sum(stockout_days_28d) * 1.0 / nullif(sum(days_28d), 0) as stockout_frequency_28d,
    sum(horizon_served_units_doing_nothing)
    / nullif(sum(horizon_demand_units), 0) as fill_rate_before,
    sum(horizon_served_units) / nullif(sum(horizon_demand_units), 0) as fill_rate_after,
    sum(transfer_in_units) as transfer_in_units,
    sum(transfer_out_units) as transfer_out_units,
    sum(allocated_units) as central_allocation_units
from {{ ref('int_store_product_kpi_inputs') }}
group by category
