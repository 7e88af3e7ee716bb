-- Every move's donor and receiver sit in the move's cluster for that subcategory.
{#- attached in Dagster to the moves it checks (it reads more than one model) -#}
{{ config(
    tags=['imbalance_invariants'],
    meta={'dagster': {'ref': {'name': 'int_rebalancing_moves'}}},
) }}
select
    moves.move_id,
    moves.cluster_id,
    donor.cluster_id as donor_cluster,
    receiver.cluster_id as receiver_cluster
from {{ ref('int_rebalancing_moves') }} as moves
left join {{ ref('imbalanced_zscore_analysis') }} as donor
    on moves.donor_store_id = donor.store_id and moves.subcategory = donor.subcategory
left join {{ ref('imbalanced_zscore_analysis') }} as receiver
    on moves.receiver_store_id = receiver.store_id and moves.subcategory = receiver.subcategory
where
    donor.cluster_id is distinct from moves.cluster_id
    or receiver.cluster_id is distinct from moves.cluster_id
