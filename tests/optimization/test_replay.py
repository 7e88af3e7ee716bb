"""The policy replay: the day-by-day play against hand-computed numbers, the perfect-foresight
bound, no look-ahead, the bootstrap interval and a deliberately bad plan."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd
import pytest

from dagster_defs.assets.optimization import REPLAY_SALES_SQL
from python_assets.imbalance.zscores import RuleSettings
from python_assets.optimization.baselines import price_plan
from python_assets.optimization.replay import (
    CompareSettings,
    ReplayInputs,
    ReplaySettings,
    RuleInputs,
    compare_policies,
    price_outcomes,
    replay_policies,
    simulate_days,
)
from python_assets.optimization.replay.compare import replay_check
from python_assets.optimization.replay.origins import daily_demand, origin_inputs
from python_assets.optimization.replay.policies import policy_decisions
from tests.optimization.instances import HIGHS, products_frame, small_random, sp_frame

ORIGIN = pd.Timestamp("2024-03-31")
H = 7


def _two_stores():
    stock = pd.DataFrame({"store_id": ["A", "B"], "product_id": "P1", "start_units": [20.0, 2.0]})
    # B sells 3 a day; day 4 is a stockout day whose demand is the latent estimate (3)
    demand = pd.DataFrame(
        {
            "store_id": ["B"] * 5 + ["A"],
            "product_id": "P1",
            "day": [1, 2, 3, 4, 5, 1],
            "demand_units": [3.0, 3.0, 3.0, 3.0, 3.0, 1.0],
            "is_censored": [False, False, False, True, False, False],
        }
    )
    transfers = pd.DataFrame(
        {
            "from_store": ["A"],
            "to_store": ["B"],
            "product_id": ["P1"],
            "units": [10.0],
            "lead_time_days": [2.4],  # arrives at the start of day 3
            "cost_per_unit": [0.5],
        }
    )
    allocations = pd.DataFrame(
        {"store_id": ["A"], "product_id": ["P1"], "allocate_units": [4.0], "lead_time_days": [9.0]}
    )
    return stock, demand, transfers, allocations


def test_day_by_day_against_hand_computed_numbers():
    stock, demand, transfers, allocations = _two_stores()
    out = simulate_days(stock, demand, transfers, allocations, H).set_index("store_id")
    # B: day 1 sells 2 of 3 (lost 1), day 2 nothing (lost 3), day 3 receives 10 and sells 3,
    # days 4 and 5 sell 3 each: served 11, lost 4, ending 10 - 9 = 1
    assert out.loc["B", "served_units"] == 11.0
    assert out.loc["B", "lost_units"] == 4.0
    assert out.loc["B", "ending_units"] == 1.0
    assert out.loc["B", "censored_days"] == 1
    assert out.loc["B", "transfer_in_units"] == 10.0
    # A: ships 10 of 20 at once, sells 1; the allocation arrives after the horizon and is stock
    assert out.loc["A", "served_units"] == 1.0
    assert out.loc["A", "ending_units"] == 20.0 - 10.0 - 1.0 + 4.0
    priced = price_outcomes(
        out.reset_index(),
        sp_frame([{"store_id": "A"}, {"store_id": "B"}]),
        products_frame(),
        transfers,
    ).set_index("store_id")
    assert priced.loc["B", "transport_cost"] == pytest.approx(10 * 0.5)
    assert priced.loc["B", "stockout_cost"] == pytest.approx(4 * 2.5)
    assert priced.loc["A", "manufacturing_cost"] == pytest.approx(4 * 1.0)
    assert priced.loc["A", "distribution_cost"] == pytest.approx(4 * 0.2)
    assert priced.loc["A", "holding_cost"] == pytest.approx(13 * 0.7)
    assert priced["total_cost"].sum() == pytest.approx(
        priced[
            [
                "holding_cost",
                "stockout_cost",
                "transport_cost",
                "manufacturing_cost",
                "distribution_cost",
            ]
        ]
        .sum()
        .sum()
    )


def test_shipping_more_than_the_stock_is_refused():
    stock, demand, transfers, allocations = _two_stores()
    with pytest.raises(ValueError, match="ship more than their stock"):
        simulate_days(stock, demand, transfers.assign(units=25.0), allocations, H)


def test_censored_days_use_the_latent_demand():
    sales = pd.DataFrame(
        {
            "units_sold": [2.0, 1.0],
            "latent_demand_units": [2.0, 4.5],
            "is_stockout_censored": [False, True],
        }
    )
    assert daily_demand(sales).tolist() == [2.0, 4.5]


def _network(seed: int = 5):
    """A small synthetic network with 60 days of sales, two backtest origins and snapshots."""
    inst, lanes = small_random(seed=seed)
    sp = inst.store_products.astype({"store_id": str, "product_id": str})
    lanes = lanes.astype({"from_store": str, "to_store": str})
    # the replay's product terms: max_production is set per origin from this share
    products = inst.products.astype({"product_id": str}).assign(production_capacity_share=1.5)
    rng = np.random.default_rng(seed)
    dates = pd.date_range(ORIGIN - pd.Timedelta(days=45), ORIGIN + pd.Timedelta(days=2 * H))
    rate = (sp["demand"] / H).to_numpy()
    sales = pd.DataFrame(
        {
            "store_id": np.repeat(sp["store_id"].to_numpy(), len(dates)),
            "product_id": np.repeat(sp["product_id"].to_numpy(), len(dates)),
            "sales_date": np.tile(dates, len(sp)),
            "units_sold": rng.poisson(np.repeat(rate, len(dates))).astype(float),
        }
    )
    sales["latent_demand_units"] = sales["units_sold"]
    sales["is_stockout_censored"] = False
    origins = [ORIGIN, ORIGIN + pd.Timedelta(days=H)]
    forecasts = pd.concat(
        [
            sp[["store_id", "product_id"]].assign(
                origin_date=o,
                demand_class="smooth",
                model="test",
                horizon_days=H,
                forecast_units=sp["demand"].to_numpy() * rng.uniform(0.7, 1.3, len(sp)),
                demand_std_horizon=sp["demand_std"].to_numpy(),
            )
            for o in origins
        ],
        ignore_index=True,
    )
    snapshots = pd.concat(
        [
            sp[["store_id", "product_id"]].assign(
                snapshot_date=o,
                on_hand_units=np.round(
                    sp["current_inv"].to_numpy() * rng.uniform(0.5, 1.5, len(sp))
                ),
                in_transit_units=0.0,
                is_on_hand_simulated=False,
            )
            for o in origins
        ],
        ignore_index=True,
    )
    # one cluster, two subcategories; a low threshold so that the rule moves units
    rule = RuleInputs(
        subcategories=products[["product_id"]].assign(
            subcategory=["a" if i % 2 else "b" for i in range(len(products))]
        ),
        clusters=pd.DataFrame(
            [(s, c, "1") for s in sp["store_id"].unique() for c in ("a", "b")],
            columns=["store_id", "subcategory", "cluster_id"],
        ),
        settings=RuleSettings(zscore_threshold=1.0, min_group_stores=2),
    )
    return ReplayInputs(sp, products, lanes, forecasts, snapshots, sales, 1.6449, rule)


def _at_origin(inputs: ReplayInputs, origin: pd.Timestamp):
    """origin_inputs at `origin`, from the network's own forecasts, snapshots and sales."""
    sales = inputs.sales.assign(demand_units=daily_demand(inputs.sales))
    forecasts = inputs.forecasts[inputs.forecasts["origin_date"] == origin]
    return origin_inputs(
        origin,
        inputs.store_products,
        inputs.products,
        forecasts,
        inputs.snapshots,
        sales,
        inputs.z_alpha,
    )


def test_perfect_foresight_is_never_costlier_under_the_lp_cost_model():
    inputs = _network()
    result = replay_policies(inputs, ReplaySettings(solver=HIGHS))
    origins = result.origins.pivot(
        index="origin_date", columns="policy_name", values="lp_model_cost"
    )
    assert len(origins) == 2
    # zscore_rule is left out: its moves may break the LP's rules (safety stock, capacity)
    for policy in ("optimised", "do_nothing", "decentralised"):
        assert (origins["perfect_foresight"] <= origins[policy] * (1 + 1e-7) + 1e-6).all()
    # the rule's moves are investment-neutral between stores: units in = units out (central
    # supply, the top-up, comes on top)
    rule = result.detail[result.detail["policy_name"] == "zscore_rule"]
    assert rule["transfer_in_units"].sum() > 0
    assert rule["transfer_in_units"].sum() == pytest.approx(rule["transfer_out_units"].sum())
    # the replay's own accounting holds: served + lost = demand, everything non-negative
    detail = result.detail
    assert np.allclose(detail["served_units"] + detail["lost_units"], detail["demand_units"])
    assert (detail[["served_units", "lost_units", "ending_units"]] >= -1e-9).all().all()
    assert set(detail["stock_source"]) == {"snapshot"}
    assert set(result.summary["comparator"]) == {"do_nothing", "perfect_foresight"}


@pytest.mark.parametrize("warm_chain", [1, 2])
def test_origins_replayed_in_worker_processes_give_the_tables_of_one_process(warm_chain: int):
    inputs = _network()
    here = replay_policies(inputs, ReplaySettings(solver=HIGHS, warm_chain=warm_chain))
    in_workers = replay_policies(
        inputs,
        ReplaySettings(
            solver=replace(HIGHS, processes=2, parallel_min_store_products=0),
            warm_chain=warm_chain,
        ),
    )
    # each task (origins in a warm chain) is played whole in a worker on one process: the very
    # same decisions
    pd.testing.assert_frame_equal(in_workers.detail, here.detail)
    pd.testing.assert_frame_equal(
        in_workers.origins.drop(columns="solve_seconds"),
        here.origins.drop(columns="solve_seconds"),
    )
    pd.testing.assert_frame_equal(in_workers.summary, here.summary)
    assert in_workers.origins["origin_date"].nunique() == 2


def test_an_origin_started_from_the_previous_origins_bases_finds_the_same_optimum_sooner():
    """The replay's warm chain: the optimised LP at the second origin, started from the optimal
    bases of the first origin's, has the optimum a cold start finds, product by product, in fewer
    simplex iterations."""
    inputs = _network()
    first, second = sorted(inputs.forecasts["origin_date"].unique())

    def optimised(origin, warm_start=None):
        at = _at_origin(inputs, origin)
        decisions = policy_decisions(
            at.planned,
            at.realised,
            at.products,
            inputs.lanes,
            HIGHS,
            policies=("optimised",),
            warm_start=warm_start,
        )
        return decisions["optimised"].plan

    start = optimised(first)
    assert start.bases
    cold, warm = optimised(second), optimised(second, start.bases)
    assert cold.status == warm.status == "optimal"
    objectives = [p.product_status.set_index("product_id")["objective"] for p in (cold, warm)]
    np.testing.assert_allclose(objectives[1], objectives[0], rtol=1e-9, atol=1e-6)
    assert warm.timings["simplex_iterations"] < cold.timings["simplex_iterations"]


def test_a_warm_chain_shorter_than_one_origin_is_refused():
    with pytest.raises(ValueError, match="warm_chain"):
        ReplaySettings(warm_chain=0)


def test_the_replay_uses_nothing_after_its_origin():
    inputs = _network()
    later = inputs.sales["sales_date"] > ORIGIN
    changed = inputs.sales.copy()
    changed.loc[later, "units_sold"] = changed.loc[later, "units_sold"] * 3 + 5
    changed["latent_demand_units"] = changed["units_sold"]

    def known(sales: pd.DataFrame):
        at = _at_origin(replace(inputs, sales=sales), ORIGIN)
        sales = sales.assign(demand_units=daily_demand(sales))
        rule_moves = inputs.rule.moves_at(ORIGIN, at.stock, sales, inputs.z_alpha)
        decisions = policy_decisions(
            at.planned, at.realised, at.products, inputs.lanes, HIGHS, rule_moves=rule_moves
        )
        return at, decisions

    before, plan_before = known(inputs.sales)
    after, plan_after = known(changed)
    pd.testing.assert_frame_equal(before.planned, after.planned)
    pd.testing.assert_frame_equal(before.products, after.products)
    pd.testing.assert_frame_equal(before.stock, after.stock)
    for policy in ("optimised", "zscore_rule"):
        pd.testing.assert_frame_equal(plan_before[policy].transfers, plan_after[policy].transfers)
    assert len(plan_before["zscore_rule"].transfers) > 0
    # only the outcome (and the perfect-foresight bound, which is given it) sees the future
    assert not before.realised["demand"].equals(after.realised["demand"])


def test_storage_capacity_is_floored_at_the_stock_of_the_origin_not_todays():
    inputs = _network()
    sp = inputs.store_products.copy()
    sp["current_inv"] = sp["storage_capacity"] * 10  # today's stock: far above capacity
    sp["max_capacity"] = sp["current_inv"]
    at = _at_origin(replace(inputs, store_products=sp), ORIGIN)
    start = at.stock["start_units"].to_numpy()
    np.testing.assert_array_equal(
        at.planned["max_capacity"], np.maximum(sp["storage_capacity"].to_numpy(), start)
    )
    assert (at.planned["max_capacity"] < sp["max_capacity"]).any()


def test_production_capacity_is_a_share_of_the_forecast_made_at_the_origin_not_todays():
    inputs = _network()
    # today's capacity (from today's forecast) far above anything the forecasts at the origins
    # ask for: the replay must not see it
    at = _at_origin(replace(inputs, products=inputs.products.assign(max_production=1e9)), ORIGIN)
    forecasts = inputs.forecasts[inputs.forecasts["origin_date"] == ORIGIN]
    expected = 1.5 * forecasts.groupby("product_id")["forecast_units"].sum()
    got = at.products.set_index("product_id")["max_production"]
    pd.testing.assert_series_equal(got, expected.reindex(got.index), check_names=False)
    assert (got < 1e9).all() and (got > 0).all()


@pytest.mark.parametrize("fractional", [False, True])
def test_missing_snapshot_is_the_latest_stock_scaled_by_demand_then_over_now(fractional: bool):
    inputs = _network()
    latest = ORIGIN + pd.Timedelta(days=H)
    only_latest = inputs.snapshots[inputs.snapshots["snapshot_date"] == latest]
    if fractional:
        only_latest = only_latest.assign(on_hand_units=only_latest["on_hand_units"] + 0.25)
    # 2 units a day up to the origin, 4 in the H days after it: the 28 days before the latest
    # snapshot average (21 x 2 + 7 x 4) / 28 = 2.5 a day, those before the origin 2
    sales = inputs.sales[inputs.sales["sales_date"] <= latest]
    sales = sales.assign(units_sold=np.where(sales["sales_date"] <= ORIGIN, 2.0, 4.0))
    sales = sales.assign(latent_demand_units=sales["units_sold"])
    at = _at_origin(replace(inputs, snapshots=only_latest, sales=sales), ORIGIN)
    assert set(at.stock["stock_source"]) == {"reconstructed_cover"}
    latest_units = only_latest.set_index(["store_id", "product_id"])["on_hand_units"]
    start = at.stock.set_index(["store_id", "product_id"])["start_units"]
    expected = latest_units.reindex(start.index).to_numpy() * 2.0 / 2.5
    if not fractional:  # whole-unit stock stays whole
        expected = np.round(expected)
    np.testing.assert_allclose(start.to_numpy(), expected)


def test_bootstrap_interval_covers_a_known_difference():
    rng = np.random.default_rng(3)
    n_stores, true_gap = 60, 2.0
    rows = []
    for origin in range(4):
        base = rng.gamma(5.0, 4.0, n_stores)
        for policy, cost in (("do_nothing", base), ("optimised", base - true_gap)):
            rows.append(
                pd.DataFrame(
                    {
                        "origin_date": origin,
                        "policy_name": policy,
                        "store_id": np.arange(n_stores),
                        "total_cost": cost + rng.normal(0, 0.5, n_stores),
                        "served_units": 10.0,
                        "demand_units": 10.0,
                    }
                )
            )
    summary = compare_policies(pd.concat(rows), ("do_nothing",), CompareSettings(n_resamples=999))
    cost = summary[summary["metric"] == "total_cost"].iloc[0]
    expected = -true_gap * n_stores
    assert cost["ci_low"] <= expected <= cost["ci_high"]
    assert cost["ci_high"] < 0 and cost["p_value"] < 0.001
    fill = summary[summary["metric"] == "fill_rate"].iloc[0]
    assert fill["difference"] == 0 and fill["p_value"] == 1.0


def test_one_store_gives_no_interval_and_no_test():
    detail = pd.DataFrame(
        {
            "origin_date": [0, 0, 1, 1],
            "policy_name": ["do_nothing", "optimised"] * 2,
            "store_id": "S1",
            "total_cost": [10.0, 8.0, 12.0, 9.0],
            "served_units": [5.0, 6.0, 5.0, 6.0],
            "demand_units": 7.0,
        }
    )
    summary = compare_policies(detail, ("do_nothing",))
    assert len(summary) == 2 and (summary["n_stores"] == 1).all()
    assert summary[["ci_low", "ci_high", "p_value"]].isna().all().all()
    cost = summary[summary["metric"] == "total_cost"].iloc[0]
    assert cost["difference"] == -2.5  # the figures themselves are still there
    assert replay_check(summary).description.endswith("(one store: no interval, no test)")


def test_a_reversed_plan_does_worse_than_doing_nothing():
    inputs = _network()
    at = _at_origin(inputs, ORIGIN)
    decisions = policy_decisions(
        at.planned, at.realised, at.products, inputs.lanes, HIGHS, ("optimised", "do_nothing")
    )
    moves = decisions["optimised"].transfers
    assert len(moves) > 0
    # send the same units the other way, scaled to what each new donor holds
    stock = at.stock.set_index(["store_id", "product_id"])["start_units"]
    reversed_moves = moves.rename(columns={"from_store": "to_store", "to_store": "from_store"})
    donor = pd.MultiIndex.from_frame(reversed_moves[["from_store", "product_id"]])
    sent = reversed_moves.groupby(["from_store", "product_id"])["units"].transform("sum")
    scale = np.minimum(1.0, stock.reindex(donor).to_numpy() / sent.to_numpy())
    reversed_moves["units"] = np.floor(reversed_moves["units"].to_numpy() * scale)
    reversed_moves = reversed_moves[reversed_moves["units"] > 0]
    empty = decisions["do_nothing"].allocations

    def cost(transfers: pd.DataFrame) -> float:
        out = simulate_days(at.stock, at.demand, transfers, empty, at.horizon)
        return float(price_outcomes(out, at.planned, at.products, transfers)["total_cost"].sum())

    assert cost(reversed_moves) > cost(decisions["do_nothing"].transfers)
    # and the LP cost model agrees with the simulation on which is worse
    lp = price_plan(at.realised, at.products, inputs.lanes, reversed_moves).objective
    assert lp > price_plan(at.realised, at.products, inputs.lanes).objective


def test_no_backtest_origin_gives_empty_tables_with_their_columns():
    inputs = _network()
    empty = replace(inputs, forecasts=inputs.forecasts.iloc[:0])
    result = replay_policies(empty, ReplaySettings(solver=HIGHS))
    full = replay_policies(inputs, ReplaySettings(solver=HIGHS, origins=1))
    for name, table in result.tables().items():
        assert len(table) == 0
        assert list(table.columns) == list(full.tables()[name].columns), name
        assert list(table.dtypes) == list(full.tables()[name].dtypes), name


def test_the_replay_reads_no_sales_when_the_history_had_no_backtest_origin():
    # a history too short for a backtest has no origin to replay: the asset passes None
    con = duckdb.connect()
    con.execute(
        "create schema marts; create table marts.fct_sales_daily as select 'S1' as store_id, "
        "'P1' as product_id, date '2025-01-01' as sales_date, 1.0 as units_sold, "
        "1.0 as latent_demand_units, false as is_stockout_censored"
    )
    assert con.execute(REPLAY_SALES_SQL, [None, 4]).fetchall() == []
    assert len(con.execute(REPLAY_SALES_SQL, [pd.Timestamp("2025-06-01"), 4]).fetchall()) == 1
