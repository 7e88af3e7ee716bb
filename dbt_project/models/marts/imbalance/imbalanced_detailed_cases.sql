{#- One row per flagged case and per move it takes part in (a case with no move keeps one row
    with the move columns empty, and says why in unmatched_reason). -#}

with

cases as (

    select * from {{ ref('int_rebalancing_cases') }}

),

moves as (

    select * from {{ ref('int_rebalancing_moves') }}

),

after_moves as (

    select * from {{ ref('int_store_subcategory_after_moves') }}

),

zscores as (

    select * from {{ ref('int_store_subcategory_zscores') }}

),

case_moves as (

    select
        cases.store_id,
        cases.subcategory,
        moves.move_id,
        case when moves.donor_store_id = cases.store_id then 'send' else 'receive' end
            as move_direction,
        case
            when moves.donor_store_id = cases.store_id then moves.receiver_store_id else
                moves.donor_store_id
        end as counterpart_store_id,
        moves.product_id,
        moves.units as move_units
    from cases
    inner join moves
        on cases.subcategory = moves.subcategory
        and cases.cluster_id = moves.cluster_id
        and cases.store_id in (moves.donor_store_id, moves.receiver_store_id)

)

select
    cases.store_id,
    cases.subcategory,
    cases.cluster_id,
    cases.imbalance_flag,
    zscores.z_score,
    zscores.metric_name,
    after_moves.metric_before,
    after_moves.metric_after,
    zscores.cluster_mean,
    cases.units_to_mean,
    cases.units_matched,
    cases.units_unmatched,
    cases.unmatched_reason,
    case_moves.move_id,
    case_moves.move_direction,
    case_moves.counterpart_store_id,
    case_moves.product_id,
    case_moves.move_units
from cases
inner join zscores
    on cases.store_id = zscores.store_id
    and cases.subcategory = zscores.subcategory
inner join after_moves
    on cases.store_id = after_moves.store_id
    and cases.subcategory = after_moves.subcategory
left join case_moves
    on cases.store_id = case_moves.store_id
    and cases.subcategory = case_moves.subcategory
