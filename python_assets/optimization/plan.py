"""One call from the persisted LP inputs to every optimisation table: the optimised plan, its
baselines priced under the same cost model, and the scenario grid.

The Dagster asset (dagster_defs/assets/optimization.py) only reads `PlanInputs` from the
warehouse, calls `plan_with_baselines` and writes `PlanResults.tables()`. See
docs/methodology.md, section Allocation LP.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import pandas as pd

from python_assets.optimization.baselines import (
    baseline_decentralised,
    baseline_do_nothing,
    baseline_rule_moves,
)
from python_assets.optimization.inputs import lane_settings_from_seed
from python_assets.optimization.parallel import in_partition, stops_workers
from python_assets.optimization.pricing import over_products
from python_assets.optimization.problem import (
    COST_COLUMNS,
    SOLVED,
    AllocationPlan,
    SolverSettings,
)
from python_assets.optimization.scenarios import run_scenarios
from python_assets.optimization.service import with_expected_stockout
from python_assets.optimization.solve import solve_allocation

Log = Callable[[str], None]


@dataclass(frozen=True)
class PlanInputs:
    """What the plan and its baselines read, as the warehouse holds it.

    store_products, products, lanes: marts.allocation_inputs_{store_product,product,lanes}.
    rule_moves: the Z-score rule's moves (from_store, to_store, product_id, units).
    stores: store_id, latitude, longitude, zone_id; zones: zone_id, rate_per_km,
        lead_time_days (to price rule moves off the candidate lanes).
    network_settings: the network_settings seed (setting, value).
    scenario_grid: the scenario_grid seed.
    """

    store_products: pd.DataFrame
    products: pd.DataFrame
    lanes: pd.DataFrame
    rule_moves: pd.DataFrame
    stores: pd.DataFrame
    zones: pd.DataFrame
    network_settings: pd.DataFrame
    scenario_grid: pd.DataFrame

    def for_partition(self, key: str) -> PlanInputs:
        """The inputs of one product partition (`parallel.partition_keys`): its products'
        rows; the lanes, stores, zones and settings whole. Products share no constraint, so
        the partitions' plans together are the plan of every product."""

        def kept(frame: pd.DataFrame) -> pd.DataFrame:
            return frame[in_partition(frame["product_id"], key)].reset_index(drop=True)

        return replace(
            self,
            store_products=kept(self.store_products),
            products=kept(self.products),
            rule_moves=kept(self.rule_moves),
        )


@dataclass(frozen=True)
class PlanSettings:
    """solver: how the LP is solved; its max_lead_time_days is replaced by the network
    settings' service limit, which also cut the lanes upstream.
    run_scenarios: solve the scenario grid; scenario_ids: only these (empty = all)."""

    solver: SolverSettings = field(default_factory=SolverSettings)
    run_scenarios: bool = True
    scenario_ids: tuple[str, ...] = ()


@dataclass
class PlanResults:
    """The optimised plan, the cost breakdown of it and of every baseline (plan_name,
    plan_status), and one row per scenario solved."""

    plan: AllocationPlan
    cost_breakdown: pd.DataFrame
    scenarios: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The optimization.* tables, by name."""
        scenarios = self.scenarios
        if "violations" in scenarios:
            scenarios = scenarios.astype({"violations": "string"})
        return {
            "transfer_plan": self.plan.transfers,
            "production_plan": self.plan.production,
            "store_product_plan": self.plan.store_products,
            "product_status": self.plan.product_status,
            "cost_breakdown": self.cost_breakdown,
            "scenario_results": scenarios,
        }

    def total_cost_by_plan(self) -> pd.Series:
        """Total cost of the optimised plan and of each baseline, by plan_name."""
        return plan_totals(self.cost_breakdown).set_index("plan_name")["total"]


def plan_totals(cost_breakdown: pd.DataFrame) -> pd.DataFrame:
    """The 'total' rows of cost breakdowns, one per plan_name (plan_status and every cost
    component), summed over the product partitions whose breakdowns are stacked in it."""
    totals = cost_breakdown[cost_breakdown["level"] == "total"]
    return totals.groupby("plan_name", sort=False, as_index=False).agg(
        {"plan_status": combined_status, **dict.fromkeys(COST_COLUMNS, "sum")}
    )


def combined_status(statuses: Iterable[str]) -> str:
    """One status for the plans of disjoint sets of products (the partitions of one plan): the
    status they share, else 'failed' if one failed, else 'partial'. dbt combines the
    partitions' rows by the same rule (marts.scenario_comparison, allocation_cost_breakdown)."""
    distinct = set(statuses)
    if len(distinct) == 1:
        return distinct.pop()
    return "failed" if "failed" in distinct else "partial"


def _breakdown(plan: AllocationPlan, name: str, status: str, solved: pd.Series) -> pd.DataFrame:
    """A plan's cost breakdown over the optimised plan's solved products, labelled, with the LP
    rules it breaks on its total row (empty when none)."""
    rows = over_products(plan.cost_breakdown, solved)
    violated = "; ".join(plan.violations)
    return rows.assign(
        plan_name=name,
        plan_status=status,
        constraint_violations=pd.Series(
            [violated if level == "total" else None for level in rows["level"]], dtype="string"
        ),
    )


def with_relaxation(
    plan: AllocationPlan,
    store_products: pd.DataFrame,
    products: pd.DataFrame,
    lanes: pd.DataFrame,
    solver: SolverSettings,
    log: Log,
) -> pd.DataFrame:
    """The plan's product_status with plan_units ('whole_packs' for the MILP, 'fractional' for
    the LP) and relaxation_objective: each product's cost in the LP relaxation (no whole packs,
    no minimum transfer), which the MILP's cost exceeds by the price of whole units."""
    status = plan.product_status.assign(
        plan_units="whole_packs" if solver.integer else "fractional"
    )
    if not (solver.integer or solver.min_transfer_units > 0):
        return status.assign(relaxation_objective=status["objective"])
    started = time.perf_counter()
    relaxed = solve_allocation(
        store_products, products, lanes, replace(solver, integer=False, min_transfer_units=0.0)
    )
    costs = relaxed.product_status.set_index("product_id")["objective"]
    status["relaxation_objective"] = costs.reindex(status["product_id"]).to_numpy()
    both = status[["objective", "relaxation_objective"]].dropna()
    gap = both["objective"].sum() - both["relaxation_objective"].sum()
    base = max(abs(both["relaxation_objective"].sum()), 1e-9)
    log(
        f"LP relaxation solved in {time.perf_counter() - started:.1f} s: whole units cost "
        f"{gap:,.2f} more than fractional ones ({gap / base:.3%})"
    )
    return status


@stops_workers
def plan_with_baselines(
    inputs: PlanInputs, settings: PlanSettings = PlanSettings(), log: Log | None = None
) -> PlanResults:
    """Solve the LP, price the baselines under the same cost model and run the scenarios.

    Baselines: do_nothing (no transfers, no production), decentralised (the LP without
    transfers), zscore_rule_moves (the rule's moves with the same central top-up, moves off the
    candidate lanes priced by the same haversine rule). Every plan's breakdown says which LP
    rules it breaks (constraint_violations on its total row); a partial plan is compared with
    its baselines over its optimal products only. Scenarios with every multiplier 1 reuse the
    plan or the decentralised baseline instead of solving again. `log` receives progress lines.
    """
    say = log if log is not None else (lambda _line: None)
    network = lane_settings_from_seed(inputs.network_settings)
    solver = replace(settings.solver, max_lead_time_days=network.max_lead_time_days)
    sp, products, lanes = inputs.store_products, inputs.products, inputs.lanes

    started = time.perf_counter()
    say(f"solving {len(sp)} store x product pairs, {len(products)} products, {len(lanes)} lanes")
    # the plan and the decentralised baseline are the scenarios' warm starts
    starts = replace(solver, keep_bases=settings.run_scenarios)
    plan = solve_allocation(
        sp,
        products,
        lanes,
        starts,
        progress=lambda done, total, seconds: say(
            f"LP: {done} / {total} products solved, {seconds:.1f} s"
        ),
    )
    say(f"plan {plan.status} in {time.perf_counter() - started:.1f} s")
    plan.product_status = with_relaxation(plan, sp, products, lanes, solver, say)
    plan.store_products = with_expected_stockout(plan.store_products, sp)

    decentralised = baseline_decentralised(sp, products, lanes, starts)
    baselines = {
        "do_nothing": baseline_do_nothing(sp, products, lanes),
        "decentralised": decentralised,
        "zscore_rule_moves": baseline_rule_moves(
            sp,
            products,
            lanes,
            inputs.rule_moves,
            solver,
            stores=inputs.stores,
            zones=inputs.zones,
            handling_cost=network.handling_cost,
            speed_km_per_day=network.speed_km_per_day,
        ),
    }
    solved = plan.product_status.loc[plan.product_status["status"].isin(SOLVED), "product_id"]
    costs = pd.concat(
        [
            _breakdown(plan, "optimised", plan.status, solved),
            *(_breakdown(b, name, "baseline", solved) for name, b in baselines.items()),
        ],
        ignore_index=True,
    )

    if settings.run_scenarios:
        grid = inputs.scenario_grid
        if settings.scenario_ids:
            grid = grid[grid["scenario_id"].isin(settings.scenario_ids)]
        solved = {
            (solver.allow_transfers, solver.allow_production): plan,
            (False, solver.allow_production): decentralised,
        }
        scenarios = run_scenarios(sp, products, lanes, grid, solver, solved=solved, progress=say)
    else:
        scenarios = pd.DataFrame({"scenario_id": pd.Series(dtype="string")})
    return PlanResults(plan=plan, cost_breakdown=costs, scenarios=scenarios)


@stops_workers
def plan_by_partition(
    inputs: PlanInputs,
    keys: list[str],
    settings: PlanSettings = PlanSettings(),
    log: Log | None = None,
) -> dict[str, PlanResults]:
    """plan_with_baselines for each product partition named in `keys` (`PlanInputs.for_partition`),
    one after another, with the worker processes kept up from one partition to the next."""
    say = log if log is not None else (lambda _line: None)
    results = {}
    for key in keys:
        say(f"product partition {key}")
        results[key] = plan_with_baselines.__wrapped__(inputs.for_partition(key), settings, log)
    return results
