-- Investment-neutral: per cluster x subcategory, units leaving stores = units arriving.
{{ config(tags=['imbalance_invariants']) }}
select
    cluster_id,
    subcategory,
    sum(units_out) as units_out,
    sum(units_in) as units_in
from {{ ref('int_store_subcategory_after_moves') }}
group by cluster_id, subcategory
having sum(units_out) <> sum(units_in)
