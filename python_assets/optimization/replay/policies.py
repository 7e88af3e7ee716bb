"""The policies the replay compares, each as the decisions it takes at an origin: transfers
(from_store, to_store, product_id, units, lead_time_days, cost_per_unit) and allocations from
central supply (store_id, product_id, allocate_units, lead_time_days).

optimised          the LP on the forecast made at the origin (what the pipeline would have done)
do_nothing         no transfers, no production
decentralised      the LP without store-to-store transfers
zscore_rule        the Z-score rule's moves, computed at the origin from the stock and sales
                   known then (python_assets/imbalance/zscores.py), with the same central
                   top-up as the LP's plans (`baseline_rule_moves`)
perfect_foresight  the LP given the demand that actually followed (its horizon totals): a bound
                   on what any forecast could have achieved under the same rules
See docs/methodology.md, "Policy replay".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from python_assets.optimization.baselines import baseline_decentralised, baseline_rule_moves
from python_assets.optimization.problem import AllocationPlan, SolverSettings
from python_assets.optimization.solve import Bases, solve_allocation

POLICIES = ("optimised", "do_nothing", "decentralised", "zscore_rule", "perfect_foresight")
TRANSFER_COLUMNS = ["from_store", "to_store", "product_id", "units", "lead_time_days"]


@dataclass(frozen=True)
class Decisions:
    """What one policy does at one origin, and how its plan was obtained."""

    transfers: pd.DataFrame
    allocations: pd.DataFrame
    status: str
    plan: AllocationPlan | None = None


def _no_decisions() -> Decisions:
    transfers = pd.DataFrame(
        {c: pd.Series(dtype="object" if c != "units" else "float64") for c in TRANSFER_COLUMNS}
    ).assign(cost_per_unit=pd.Series(dtype="float64"))
    allocations = pd.DataFrame(
        {
            "store_id": pd.Series(dtype="object"),
            "product_id": pd.Series(dtype="object"),
            "allocate_units": pd.Series(dtype="float64"),
            "lead_time_days": pd.Series(dtype="float64"),
        }
    )
    return Decisions(transfers, allocations, "baseline")


def decisions_of(plan: AllocationPlan, store_products: pd.DataFrame) -> Decisions:
    """A solved plan's transfers and allocations; allocations arrive after the store's lead
    time (store_products.lead_time_days, the lead time of its shipping zone)."""
    transfers = plan.transfers.loc[
        plan.transfers["units"] > 0, [*TRANSFER_COLUMNS, "cost_per_unit"]
    ]
    allocated = plan.store_products.loc[
        plan.store_products["allocate_units"] > 0, ["store_id", "product_id", "allocate_units"]
    ]
    allocations = allocated.merge(
        store_products[["store_id", "product_id", "lead_time_days"]],
        on=["store_id", "product_id"],
        how="left",
    )
    return Decisions(
        transfers.reset_index(drop=True), allocations.reset_index(drop=True), plan.status, plan
    )


def policy_decisions(
    planned: pd.DataFrame,
    realised: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame,
    solver: SolverSettings,
    policies: tuple[str, ...] = POLICIES,
    rule_moves: pd.DataFrame | None = None,
    pricing: Mapping[str, object] | None = None,
    warm_start: Bases | None = None,
) -> dict[str, Decisions]:
    """Every policy's decisions at one origin.

    planned: the LP's store x product inputs at the origin (demand = the forecast made then);
    realised: the same rows with demand = the demand that followed (perfect foresight only);
    rule_moves: the Z-score rule's moves at the origin (from_store, to_store, product_id, units),
    needed for zscore_rule; pricing: `price_plan`'s keywords that price moves off the candidate
    lanes (stores, zones, handling_cost, speed_km_per_day); warm_start: optimal bases of the
    optimised LP at an earlier origin (the same LP with other numbers), where its simplex starts.
    """
    unknown = sorted(set(policies) - set(POLICIES))
    if unknown:
        raise ValueError(f"unknown replay policies {unknown}; known: {list(POLICIES)}")
    decisions: dict[str, Decisions] = {}
    # the optimised and perfect-foresight LPs differ only in demand: the second solved starts
    # from the first's optimal bases (docs/methodology.md, "Warm starts")
    bases = warm_start or {}
    for policy in policies:
        if policy == "do_nothing":
            decisions[policy] = _no_decisions()
            continue
        if policy == "zscore_rule":
            if rule_moves is None:
                raise ValueError("the zscore_rule policy needs the rule's moves at the origin")
            plan = baseline_rule_moves(
                planned, products, lanes, rule_moves, solver, **(pricing or {})
            )
        elif policy == "decentralised":
            plan = baseline_decentralised(planned, products, lanes, solver)
        else:
            optimised = policy == "optimised"
            demand_known = planned if optimised else realised
            keep = replace(solver, keep_bases=optimised)
            plan = solve_allocation(demand_known, products, lanes, keep, warm_start=bases)
            bases = plan.bases
        decisions[policy] = decisions_of(plan, planned)
    return decisions
