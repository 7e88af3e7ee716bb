-- An optimal plan costs no more than doing nothing or the decentralised plan, which are
-- feasible points of (a restriction of) the same model under the same costs.
with totals as (
    select
        plan_name,
        plan_status,
        total_cost
    from {{ ref('allocation_cost_breakdown') }}
    where cost_level = 'total'
)

select
    baseline.plan_name,
    baseline.total_cost as baseline_cost,
    optimised.total_cost as optimised_cost
from totals as optimised
inner join totals as baseline on baseline.plan_name in ('do_nothing', 'decentralised')
where
    optimised.plan_name = 'optimised'
    and optimised.plan_status = 'optimal'
    and optimised.total_cost > baseline.total_cost * (1 + 1e-9) + 1e-6
