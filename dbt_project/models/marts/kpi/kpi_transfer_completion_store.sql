with

transfers as (

    select * from {{ ref('stg_inputs__transfers_executed') }}

),

legs as (

    -- each transfer line counts once for the store that sends it and once for the one receiving it
    select
        from_store_id as store_id,
        planned_units as planned_out_units,
        shipped_units as shipped_out_units,
        0.0 as planned_in_units,
        0.0 as received_in_units,
        1 as lines_out,
        0 as lines_in
    from transfers

    union all

    select
        to_store_id as store_id,
        0.0 as planned_out_units,
        0.0 as shipped_out_units,
        planned_units as planned_in_units,
        received_units as received_in_units,
        0 as lines_out,
        1 as lines_in
    from transfers

),

per_store as (

    select
        store_id,
        sum(lines_out) as transfer_lines_out,
        sum(lines_in) as transfer_lines_in,
        sum(planned_out_units) as planned_out_units,
        sum(shipped_out_units) as shipped_out_units,
        sum(planned_in_units) as planned_in_units,
        sum(received_in_units) as received_in_units
    from legs
    group by store_id

)

select
    per_store.store_id,
    stores.region,
    cast(per_store.transfer_lines_out as bigint) as transfer_lines_out,
    cast(per_store.transfer_lines_in as bigint) as transfer_lines_in,
    per_store.planned_out_units,
    per_store.shipped_out_units,
    per_store.planned_in_units,
    per_store.received_in_units,
    per_store.shipped_out_units
    / nullif(per_store.planned_out_units, 0) as shipping_completion_rate,
    per_store.received_in_units
    / nullif(per_store.planned_in_units, 0) as receipt_completion_rate
from per_store
inner join {{ ref('dim_stores') }} as stores on per_store.store_id = stores.store_id
