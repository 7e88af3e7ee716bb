"""The investment-neutral moves on groups small enough to check by hand."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from python_assets.imbalance.rebalancing import plan_rebalancing_moves


def group(
    on_hand: dict[str, float], flags: dict[str, str], demand: float = 1.0, cluster: str = "C0"
):
    """One subcategory 'dairy' with one product 'P1' per store; metric = days of cover."""
    mean = sum(on_hand.values()) / len(on_hand) / demand
    analysis = pd.DataFrame(
        {
            "store_id": list(on_hand),
            "cluster_id": cluster,
            "subcategory": "dairy",
            "imbalance_flag": [flags.get(s, "balanced") for s in on_hand],
            "z_score": [
                3.0 if flags.get(s) == "over" else -3.0 if flags.get(s) == "under" else 0.0
                for s in on_hand
            ],
            "on_hand_units": list(on_hand.values()),
            "units_at_mean": mean * demand,
        }
    )
    products = pd.DataFrame(
        {
            "store_id": list(on_hand),
            "product_id": "P1",
            "subcategory": "dairy",
            "on_hand_units": list(on_hand.values()),
            "floor_units": 2.0,
            "target_units": mean * demand,
        }
    )
    return analysis, products


def test_over_case_sends_its_excess_to_stores_below_the_mean() -> None:
    analysis, products = group({"S1": 10, "S2": 10, "S3": 10, "S4": 30}, {"S4": "over"})
    moves, cases = plan_rebalancing_moves(analysis, products)
    assert moves.groupby("receiver_store_id").units.sum().to_dict() == {"S1": 5, "S2": 5, "S3": 5}
    assert set(moves.donor_store_id) == {"S4"} and set(moves.initiated_by_store_id) == {"S4"}
    case = cases.set_index("store_id").loc["S4"]
    assert (case.units_to_mean, case.units_matched, case.units_unmatched) == (15, 15, 0)


def test_donor_never_goes_below_its_floor() -> None:
    analysis, products = group({"S1": 10, "S2": 10, "S3": 10, "S4": 30}, {"S4": "over"})
    products.loc[products.store_id == "S4", "floor_units"] = 25
    moves, cases = plan_rebalancing_moves(analysis, products)
    assert moves.units.sum() == 5
    case = cases.set_index("store_id").loc["S4"]
    assert case.units_unmatched == 10 and case.unmatched_reason.startswith("donor floor")


def test_under_case_is_filled_by_stores_above_the_mean_without_overshoot() -> None:
    analysis, products = group({"S1": 0, "S2": 10, "S3": 10, "S4": 10}, {"S1": "under"})
    moves, cases = plan_rebalancing_moves(analysis, products)
    # mean 7.5: each donor gives floor(2.5) = 2; the receiver needs floor(7.5) = 7
    assert moves.groupby("donor_store_id").units.sum().to_dict() == {"S2": 2, "S3": 2, "S4": 2}
    case = cases.set_index("store_id").loc["S1"]
    assert (case.units_matched, case.units_unmatched) == (6, 1)
    assert "no counterpart" in case.unmatched_reason


def test_flagged_counterparts_are_matched_first_and_units_balance() -> None:
    analysis, products = group(
        {"S1": 2, "S2": 12, "S3": 12, "S4": 22, "S5": 12}, {"S4": "over", "S1": "under"}
    )
    moves, _ = plan_rebalancing_moves(analysis, products)
    first = moves.iloc[0]
    assert (first.donor_store_id, first.receiver_store_id, first.units) == ("S4", "S1", 10)
    sent = moves.groupby("donor_store_id").units.sum()
    received = moves.groupby("receiver_store_id").units.sum()
    assert sent.sum() == received.sum() == 10


def test_products_chosen_by_donor_excess_and_receiver_need() -> None:
    analysis = pd.DataFrame(
        {
            "store_id": ["D", "R", "X"],
            "cluster_id": "C0",
            "subcategory": "dairy",
            "imbalance_flag": ["over", "balanced", "balanced"],
            "z_score": [3.0, 0.0, 0.0],
            "on_hand_units": [40.0, 10.0, 25.0],
            "units_at_mean": [25.0, 25.0, 25.0],
        }
    )
    products = pd.DataFrame(
        {
            "store_id": ["D", "D", "R", "R", "X"],
            "product_id": ["A", "B", "A", "B", "A"],
            "subcategory": "dairy",
            "on_hand_units": [30.0, 10.0, 10.0, 0.0, 25.0],
            "floor_units": [2.0, 2.0, 2.0, 2.0, 2.0],
            # the receiver is short of B only
            "target_units": [15.0, 10.0, 10.0, 15.0, 25.0],
        }
    )
    moves, _ = plan_rebalancing_moves(analysis, products)
    # all 8 of B the donor has above its floor go first (the receiver needs 15 of B, none of A);
    # the remaining 7 of the 15 units to the mean come from A, the donor's largest excess
    assert moves.set_index("product_id").units.to_dict() == {"A": 7, "B": 8}


def test_groups_are_independent_and_unflagged_groups_untouched() -> None:
    flagged, flagged_products = group({"S1": 10, "S2": 10, "S3": 10, "S4": 30}, {"S4": "over"})
    calm, calm_products = group({"T1": 1, "T2": 50, "T3": 10}, {}, cluster="C1")
    moves, cases = plan_rebalancing_moves(
        pd.concat([flagged, calm]), pd.concat([flagged_products, calm_products])
    )
    assert set(moves.cluster_id) == {"C0"}
    assert not set(moves.receiver_store_id) & {"T1", "T2", "T3"}
    assert cases.store_id.tolist() == ["S4"]


# ------------------------------------------------- typed frames when the rule flags nothing

MARTS_YML = (
    Path(__file__).resolve().parents[2]
    / "dbt_project/models/marts/imbalance/_imbalance__models.yml"
)
# the columns of int_rebalancing_moves that reach imbalanced_detailed_cases under another name
MOVE_COLUMN_IN_MART = {
    "units": "move_units",
    "donor_store_id": "counterpart_store_id",
    "receiver_store_id": "counterpart_store_id",
    "initiated_by_store_id": "store_id",
}


def detailed_cases_contract() -> dict[str, str]:
    models = yaml.safe_load(MARTS_YML.read_text())["models"]
    mart = next(m for m in models if m["name"] == "imbalanced_detailed_cases")
    return {c["name"]: c["data_type"] for c in mart["columns"]}


def duckdb_types(frame: pd.DataFrame) -> dict[str, str]:
    """The column types DuckDB gives the frame, as a dbt Python model's table would have them."""
    rows = duckdb.sql("describe select * from frame").fetchall()
    return {name: data_type.lower() for name, data_type, *_ in rows}


def assert_typed_as_the_contract(plan) -> None:
    contract = detailed_cases_contract()
    assert duckdb_types(plan.cases) == {c: contract[c] for c in plan.cases.columns}
    assert duckdb_types(plan.moves) == {
        c: contract[MOVE_COLUMN_IN_MART.get(c, c)] for c in plan.moves.columns
    }


def test_nothing_flagged_gives_empty_frames_typed_as_the_contract() -> None:
    """A high threshold on a small network flags nothing: the empty moves and cases still carry
    the mart's types (an untyped empty column reached DuckDB as NULL and broke its contract)."""
    analysis, products = group({"S1": 10, "S2": 12, "S3": 11, "S4": 9}, {})
    plan = plan_rebalancing_moves(analysis, products)
    assert plan.moves.empty and plan.cases.empty
    assert_typed_as_the_contract(plan)


@pytest.mark.parametrize("rows", [1, 0], ids=["single store", "no rows"])
def test_a_single_store_or_no_rows_gives_typed_empty_frames(rows: int) -> None:
    analysis, products = group({"S1": 10}, {})
    plan = plan_rebalancing_moves(analysis.iloc[:rows], products.iloc[:rows])
    assert plan.moves.empty and plan.cases.empty
    assert_typed_as_the_contract(plan)


def test_every_case_matched_keeps_the_reason_column_typed() -> None:
    """All cases fully matched: unmatched_reason is all null, and still varchar."""
    analysis, products = group({"S1": 10, "S2": 10, "S3": 10, "S4": 30}, {"S4": "over"})
    plan = plan_rebalancing_moves(analysis, products)
    assert plan.cases.unmatched_reason.isna().all() and not plan.moves.empty
    assert_typed_as_the_contract(plan)
