{#- Stock against demand per store x product: on hand, blended demand, safety stock and the
    floor a store never gives below (the larger of safety stock and the display minimum).
    safety stock: the safety_stock macro with the replenishment lead time.
    Stock is the latest snapshot date of the file: earlier dates are history, and a pair
    absent on that date has no stock now (it is not carried from an earlier date). -#}

with

snapshots as (

    select * from {{ ref('stg_inputs__inventory_snapshots') }}

),

latest_snapshot as (

    select max(snapshot_date) as snapshot_date from snapshots

),

inventory as (

    select snapshots.*
    from snapshots
    inner join latest_snapshot on snapshots.snapshot_date = latest_snapshot.snapshot_date

),

demand as (

    select * from {{ ref('int_sales_seasonally_blended') }}

),

products as (

    select * from {{ ref('stg_inputs__products') }}

),

combined as (

    select
        coalesce(inventory.store_id, demand.store_id) as store_id,
        coalesce(inventory.product_id, demand.product_id) as product_id,
        coalesce(inventory.on_hand_units, 0) as on_hand_units,
        coalesce(inventory.in_transit_units, 0) as in_transit_units,
        coalesce(inventory.is_on_hand_simulated, false) as is_on_hand_simulated,
        coalesce(demand.blended_daily_demand, 0) as blended_daily_demand,
        coalesce(demand.recent_daily_std, 0) as daily_demand_std,
        coalesce(demand.blend_method, 'no_sales_history') as blend_method
    from inventory
    full outer join demand
        on inventory.store_id = demand.store_id
        and inventory.product_id = demand.product_id

),

with_safety_stock as (

    select
        combined.*,
        {{ safety_stock(
            default_z_alpha(),
            'combined.daily_demand_std',
            cost_parameter('replenishment_lead_time_days')
        ) }} as safety_stock_units
    from combined

),

final as (

    select
        with_safety_stock.store_id,
        with_safety_stock.product_id,
        products.category,
        products.subcategory,
        products.style,
        with_safety_stock.on_hand_units,
        with_safety_stock.in_transit_units,
        with_safety_stock.is_on_hand_simulated,
        with_safety_stock.blended_daily_demand,
        with_safety_stock.daily_demand_std,
        with_safety_stock.blend_method,
        with_safety_stock.safety_stock_units,
        greatest(
            with_safety_stock.safety_stock_units, {{ rule_setting('min_display_units') }}
        ) as floor_units,
        with_safety_stock.on_hand_units
        / nullif(with_safety_stock.blended_daily_demand, 0) as days_of_cover
    from with_safety_stock
    inner join products on with_safety_stock.product_id = products.product_id

)

select * from final
