{#- Every store x subcategory before and after the rule's moves: units out, in, and the metric
    recomputed on the new stock. -#}

with

zscores as (

    select * from {{ ref('int_store_subcategory_zscores') }}

),

moves as (

    select * from {{ ref('int_rebalancing_moves') }}

),

flows as (

    select
        donor_store_id as store_id,
        subcategory,
        units as units_out,
        0 as units_in
    from moves
    union all
    select
        receiver_store_id as store_id,
        subcategory,
        0 as units_out,
        units as units_in
    from moves

),

net as (

    select
        store_id,
        subcategory,
        sum(units_out) as units_out,
        sum(units_in) as units_in
    from flows
    group by store_id, subcategory

),

with_store_net as (

    select
        zscores.*,
        coalesce(net.units_out, 0) as units_out,
        coalesce(net.units_in, 0) as units_in,
        zscores.on_hand_units
        + coalesce(net.units_in, 0)
        - coalesce(net.units_out, 0) as on_hand_units_after,
        zscores.store_on_hand_units
        + sum(coalesce(net.units_in, 0) - coalesce(net.units_out, 0))
            over (partition by zscores.store_id)
            as store_on_hand_units_after
    from zscores
    left join net
        on zscores.store_id = net.store_id
        and zscores.subcategory = net.subcategory

)

select
    store_id,
    subcategory,
    cluster_id,
    imbalance_flag,
    metric_name,
    metric_value as metric_before,
    case
        when
            metric_name = 'unit_share'
            then on_hand_units_after / nullif(store_on_hand_units_after, 0)
        else on_hand_units_after / nullif(blended_daily_demand, 0)
    end as metric_after,
    on_hand_units as on_hand_units_before,
    on_hand_units_after,
    units_out,
    units_in
from with_store_net
