"""The policy replay: at each of the last backtest origins, plan with what was known then, play
every policy against the demand that followed, price it and compare (docs/methodology.md,
"Policy replay")."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pandas as pd

from python_assets.imbalance.zscores import RuleSettings, rule_moves_at
from python_assets.optimization.baselines import price_plan
from python_assets.optimization.parallel import map_in_processes, stops_workers
from python_assets.optimization.problem import SolverSettings
from python_assets.optimization.replay.compare import CompareSettings, compare_policies
from python_assets.optimization.replay.origins import daily_demand, origin_inputs
from python_assets.optimization.replay.policies import POLICIES, policy_decisions
from python_assets.optimization.replay.simulate import (
    COST_COLUMNS,
    OUTCOME_COLUMNS,
    price_outcomes,
    simulate_days,
)
from python_assets.optimization.service import expected_fill_rate
from python_assets.optimization.solve import Bases

Log = Callable[[str], None]


@dataclass(frozen=True)
class RuleInputs:
    """What the zscore_rule policy needs besides the stock and sales at the origin:
    subcategories (product_id, subcategory), clusters (store_id, subcategory, cluster_id: today's
    clustering, like today's costs and lanes), the rule's settings, and `price_plan`'s keywords
    that price its moves off the candidate lanes (stores, zones, handling_cost,
    speed_km_per_day)."""

    subcategories: pd.DataFrame
    clusters: pd.DataFrame
    settings: RuleSettings
    pricing: dict[str, object] = field(default_factory=dict)

    def moves_at(
        self, origin: pd.Timestamp, stock: pd.DataFrame, sales: pd.DataFrame, z_alpha: float
    ) -> pd.DataFrame:
        """The rule's moves at the end of the origin day, from the stock then (stock_at's
        start_units) and the sales up to it: from_store, to_store, product_id, units."""
        moves = rule_moves_at(
            origin,
            stock.rename(columns={"start_units": "on_hand_units"}),
            sales[sales["sales_date"] <= origin],
            self.subcategories,
            self.clusters,
            z_alpha,
            self.settings,
        )
        return moves.rename(
            columns={"donor_store_id": "from_store", "receiver_store_id": "to_store"}
        )[["from_store", "to_store", "product_id", "units"]]


@dataclass(frozen=True)
class ReplayInputs:
    """store_products, products: intermediate.int_store_product_allocation_terms and
    int_product_allocation_terms (today's costs, storage capacities, lead times, pack sizes and
    production capacity share; what the forecast decides is set per origin, origin_inputs);
    lanes: marts.allocation_inputs_lanes. forecasts: forecasting.backtest_forecasts. snapshots:
    every inventory snapshot (staging.stg_inputs__inventory_snapshots). sales: store_id,
    product_id, sales_date, units_sold, latent_demand_units, is_stockout_censored
    (marts.fct_sales_daily, from RECENT_DAYS before the first origin). z_alpha: the default
    service level's z."""

    store_products: pd.DataFrame
    products: pd.DataFrame
    lanes: pd.DataFrame
    forecasts: pd.DataFrame
    snapshots: pd.DataFrame
    sales: pd.DataFrame
    z_alpha: float
    rule: RuleInputs | None = None


@dataclass(frozen=True)
class ReplaySettings:
    """origins: the last N backtest origins replayed; policies: POLICIES compared;
    solver: how each origin's LP is solved (its service limit as the plan's); warm_chain:
    origins replayed one after another as one task, each origin's optimised LP starting from
    the optimal bases of the one before (the first of a task starts cold), so the results do
    not depend on how many processes share the tasks."""

    origins: int = 4
    policies: tuple[str, ...] = POLICIES
    solver: SolverSettings = field(default_factory=SolverSettings)
    compare: CompareSettings = field(default_factory=CompareSettings)
    warm_chain: int = 2

    def __post_init__(self) -> None:
        if self.warm_chain < 1:
            raise ValueError(f"warm_chain must be at least 1, got {self.warm_chain}")


@dataclass
class ReplayResult:
    """detail: origin x policy x store x product outcomes and costs (simulate.OUTCOME_COLUMNS,
    simulate.COST_COLUMNS, demand_class, stock_source). origins: origin x policy: plan_status,
    stock_source, lp_model_cost (the decisions priced by the LP's cost model on the realised
    horizon totals), expected_fill_rate (under the forecast made at the origin), solve_seconds.
    summary: compare.compare_policies."""

    detail: pd.DataFrame
    origins: pd.DataFrame
    summary: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "policy_replay_detail": self.detail,
            "policy_replay_origins": self.origins,
            "policy_replay_summary": self.summary,
        }


@stops_workers
def replay_policies(
    inputs: ReplayInputs, settings: ReplaySettings = ReplaySettings(), log: Log | None = None
) -> ReplayResult:
    """Replay every policy at the last `settings.origins` origins of the backtest forecasts.

    Origins are replayed in tasks of `settings.warm_chain` consecutive origins, each optimised
    LP starting from the previous origin's optimal bases (docs/methodology.md, "Warm starts").
    Tasks are independent: with `settings.solver.processes > 1` on a network of at least
    `parallel_min_store_products` pairs, each task is replayed whole in a worker process (its
    LPs solved there on one process), so the pricing and simulation run in parallel too, not
    only the solves (docs/methodology.md, "Parallel solves")."""
    say = log if log is not None else (lambda _line: None)
    sales = inputs.sales.assign(
        sales_date=pd.to_datetime(inputs.sales["sales_date"]),
        demand_units=daily_demand(inputs.sales),
    )
    forecasts = inputs.forecasts.assign(origin_date=pd.to_datetime(inputs.forecasts["origin_date"]))
    origins = sorted(forecasts["origin_date"].unique())[-settings.origins :]
    policies = settings.policies
    if inputs.rule is None and "zscore_rule" in policies:
        policies = tuple(p for p in policies if p != "zscore_rule")
        say("replay: no Z-score rule inputs given, the zscore_rule policy is not played")
    if not origins:  # no backtest origin (history too short): empty tables, same columns
        say("replay: no backtest origin to replay")
        return ReplayResult(
            _typed(pd.DataFrame(columns=DETAIL_COLUMNS)),
            _typed(pd.DataFrame(columns=ORIGIN_COLUMNS)),
            compare_policies(_typed(pd.DataFrame(columns=DETAIL_COLUMNS))),
        )
    solver = settings.solver
    in_workers = (
        solver.processes > 1 and len(inputs.store_products) >= solver.parallel_min_store_products
    )
    chains = [
        origins[i : i + settings.warm_chain] for i in range(0, len(origins), settings.warm_chain)
    ]
    tasks = [
        (
            [pd.Timestamp(origin) for origin in chain],
            replace(inputs, forecasts=forecasts[forecasts["origin_date"].isin(chain)]),
            sales,
            policies,
            replace(solver, processes=1) if in_workers else solver,
        )
        for chain in chains
    ]
    if in_workers:
        played = [
            o for chain in map_in_processes(_replay_chain, tasks, solver.processes) for o in chain
        ]
    else:
        played = [o for task in tasks for o in _replay_chain(*task)]
    played.sort(key=lambda origin: origin.origin_date)
    for origin in played:
        say(
            f"replay origin {origin.origin_date.date()}: {len(origin.summaries)} policies, "
            f"{origin.seconds:.1f} s"
        )
    detail = pd.concat([d for origin in played for d in origin.details], ignore_index=True)[
        DETAIL_COLUMNS
    ]
    summaries = pd.DataFrame([row for origin in played for row in origin.summaries])
    summary = compare_policies(detail, settings=settings.compare)
    return ReplayResult(_typed(detail), _typed(summaries[ORIGIN_COLUMNS]), summary)


@dataclass
class _PlayedOrigin:
    origin_date: pd.Timestamp
    details: list[pd.DataFrame]
    summaries: list[dict]
    seconds: float


def _replay_chain(
    origins: list[pd.Timestamp],
    inputs: ReplayInputs,
    sales: pd.DataFrame,
    policies: tuple[str, ...],
    solver: SolverSettings,
) -> list[_PlayedOrigin]:
    """_replay_origin at each origin in turn (inputs.forecasts: theirs), each optimised LP
    starting from the optimal bases of the one before."""
    played: list[_PlayedOrigin] = []
    bases: Bases | None = None
    for origin in origins:
        at_origin = replace(
            inputs, forecasts=inputs.forecasts[inputs.forecasts["origin_date"] == origin]
        )
        one, bases = _replay_origin(origin, at_origin, sales, policies, solver, bases)
        played.append(one)
    return played


def _replay_origin(
    origin: pd.Timestamp,
    inputs: ReplayInputs,
    sales: pd.DataFrame,
    policies: tuple[str, ...],
    solver: SolverSettings,
    warm_start: Bases | None = None,
) -> tuple[_PlayedOrigin, Bases | None]:
    """Every policy played and priced at one origin (inputs.forecasts: that origin's; sales with
    datetime sales_date and demand_units), and the optimised LP's optimal bases; that LP starts
    from warm_start."""
    started = time.perf_counter()
    pricing = inputs.rule.pricing if inputs.rule is not None else {}
    at = origin_inputs(
        origin,
        inputs.store_products,
        inputs.products,
        inputs.forecasts,
        inputs.snapshots,
        sales,
        inputs.z_alpha,
    )
    rule_moves = (
        inputs.rule.moves_at(at.origin_date, at.stock, sales, inputs.z_alpha)
        if inputs.rule is not None and "zscore_rule" in policies
        else None
    )
    decisions = policy_decisions(
        at.planned,
        at.realised,
        at.products,
        inputs.lanes,
        solver,
        policies,
        rule_moves,
        pricing,
        warm_start,
    )
    details, summaries = [], []
    for policy, chosen in decisions.items():
        outcome = simulate_days(
            at.stock, at.demand, chosen.transfers, chosen.allocations, at.horizon
        )
        priced = price_outcomes(outcome, at.planned, at.products, chosen.transfers)
        priced = priced.merge(at.classes, on=["store_id", "product_id"], how="left")
        details.append(
            priced.assign(
                origin_date=at.origin_date,
                policy_name=policy,
                stock_source=at.stock["stock_source"].to_numpy(),
            )
        )
        lp_cost = price_plan(
            at.realised,
            at.products,
            inputs.lanes,
            chosen.transfers,
            chosen.allocations,
            **pricing,
            verify=False,
        ).objective
        available = (
            at.planned["current_inv"].to_numpy()
            + (
                outcome["transfer_in_units"]
                - outcome["transfer_out_units"]
                + outcome["allocated_units"]
            ).to_numpy()
        )
        summaries.append(
            {
                "origin_date": at.origin_date,
                "policy_name": policy,
                "plan_status": chosen.status,
                "stock_source": str(at.stock["stock_source"].iloc[0]),
                "lp_model_cost": lp_cost,
                "expected_fill_rate": expected_fill_rate(
                    available, at.planned["demand"], at.planned["demand_std"]
                ),
            }
        )
    seconds = time.perf_counter() - started
    for row in summaries:
        row["solve_seconds"] = seconds
    optimised = decisions.get("optimised")
    bases = optimised.plan.bases if optimised is not None and optimised.plan is not None else None
    return _PlayedOrigin(at.origin_date, details, summaries, seconds), bases


TEXT_COLUMNS = ("policy_name", "store_id", "product_id", "demand_class", "stock_source")
DETAIL_COLUMNS = [
    "origin_date",
    *TEXT_COLUMNS,
    *OUTCOME_COLUMNS,
    *COST_COLUMNS,
]
ORIGIN_COLUMNS = [
    "origin_date",
    "policy_name",
    "plan_status",
    "stock_source",
    "lp_model_cost",
    "expected_fill_rate",
    "solve_seconds",
]


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as datetimes, ids and labels as text, counts as integers, the rest as floats, so an
    empty table has the same column types as a full one."""
    types = {
        c: "datetime64[us]"
        if c == "origin_date"
        else "string"
        if c in (*TEXT_COLUMNS, "plan_status")
        else "int64"
        if c == "censored_days"
        else "float64"
        for c in frame.columns
    }
    return frame.astype(types)
