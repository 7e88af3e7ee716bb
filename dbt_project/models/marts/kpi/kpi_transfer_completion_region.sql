with

stores as (

    select * from {{ ref('kpi_transfer_completion_store') }}

),

per_region as (

    select
        region,
        sum(transfer_lines_out) as transfer_lines_out,
        sum(transfer_lines_in) as transfer_lines_in,
        sum(planned_out_units) as planned_out_units,
        sum(shipped_out_units) as shipped_out_units,
        sum(planned_in_units) as planned_in_units,
        sum(received_in_units) as received_in_units
    from stores
    group by region

)

select
    region,
    cast(transfer_lines_out as bigint) as transfer_lines_out,
    cast(transfer_lines_in as bigint) as transfer_lines_in,
    planned_out_units,
    shipped_out_units,
    planned_in_units,
    received_in_units,
    shipped_out_units / nullif(planned_out_units, 0) as shipping_completion_rate,
    received_in_units / nullif(planned_in_units, 0) as receipt_completion_rate
from per_region
