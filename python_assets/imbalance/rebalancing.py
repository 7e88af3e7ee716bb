"""Investment-neutral rebalancing for the Z-score rule: whole units move from stores above their
cluster's mean to stores below it, inside one cluster x subcategory, so units out = units in.

Every flagged case is brought toward the mean and never past it; its counterparts are too, so
the spread of the metric inside a group can only shrink. No donor gives below its floor.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

# Explicit dtypes, so that a rule that flags nothing (or a case column that is all null) still
# gives typed columns: an empty object column reaches DuckDB as type NULL, and the marts built on
# these frames have enforced contracts (varchar ids and texts, bigint units and ids).
MOVE_DTYPES = {
    "move_id": "int64", "cluster_id": "string", "subcategory": "string",
    "donor_store_id": "string", "receiver_store_id": "string", "product_id": "string",
    "units": "int64", "initiated_by_store_id": "string",
}  # fmt: skip
CASE_DTYPES = {
    "store_id": "string", "subcategory": "string", "cluster_id": "string",
    "imbalance_flag": "string", "units_to_mean": "int64", "units_matched": "int64",
    "units_unmatched": "int64", "unmatched_reason": "string",
}  # fmt: skip
MOVE_COLUMNS = list(MOVE_DTYPES)
CASE_COLUMNS = list(CASE_DTYPES)


class RebalancingPlan(NamedTuple):
    """The rule's moves (MOVE_DTYPES) and its account of every flagged case (CASE_DTYPES), typed
    even when empty."""

    moves: pd.DataFrame
    cases: pd.DataFrame


@dataclass
class _Store:
    store_id: str
    flag: str
    z: float
    give: int  # whole units it may still send (above the mean and above its floors)
    take: int  # whole units it may still receive (up to the mean)
    to_mean: int
    matched: int = 0
    available: dict[str, int] = field(default_factory=dict)  # product -> units above floor
    needs: dict[str, float] = field(default_factory=dict)  # product -> units short of mean cover


def _store_states(cases: pd.DataFrame, products: pd.DataFrame) -> dict[str, _Store]:
    available: dict[str, dict[str, int]] = defaultdict(dict)
    needs: dict[str, dict[str, float]] = defaultdict(dict)
    for row in products.itertuples(index=False):
        available[row.store_id][row.product_id] = max(
            0, math.floor(row.on_hand_units - row.floor_units + 1e-9)
        )
        needs[row.store_id][row.product_id] = max(0.0, row.target_units - row.on_hand_units)
    states = {}
    for row in cases.itertuples(index=False):
        gap = row.on_hand_units - row.units_at_mean
        above_floor = sum(available[row.store_id].values())
        states[row.store_id] = _Store(
            store_id=row.store_id,
            flag=row.imbalance_flag,
            z=row.z_score if pd.notna(row.z_score) else 0.0,
            give=min(math.floor(gap + 1e-9), above_floor) if gap > 0 else 0,
            take=math.floor(-gap + 1e-9) if gap < 0 else 0,
            to_mean=math.floor(abs(gap) + 1e-9),
            available=available[row.store_id],
            needs=needs[row.store_id],
        )
    return states


def _split_by_product(donor: _Store, receiver: _Store, units: int) -> list[tuple[str, int]]:
    """Choose products: first those the donor has in excess AND the receiver needs (largest
    overlap first), then other products the receiver stocks, by the donor's excess."""
    lines: dict[str, int] = {}
    shared = [p for p in donor.available if p in receiver.needs and donor.available[p] > 0]
    by_overlap = sorted(shared, key=lambda p: (-min(donor.available[p], receiver.needs[p]), p))
    for pass_uses_need in (True, False):
        for product in (
            by_overlap if pass_uses_need else sorted(shared, key=lambda p: (-donor.available[p], p))
        ):
            if units == 0:
                break
            cap = donor.available[product]
            if pass_uses_need:
                cap = min(cap, math.floor(receiver.needs[product] + 1e-9))
            q = min(cap, units)
            if q > 0:
                donor.available[product] -= q
                receiver.needs[product] = max(0.0, receiver.needs[product] - q)
                lines[product] = lines.get(product, 0) + q
                units -= q
    return sorted(lines.items())


def _transfer(donor: _Store, receiver: _Store, wanted: int) -> list[tuple[str, int]]:
    units = min(wanted, donor.give, receiver.take)
    lines = _split_by_product(donor, receiver, units) if units > 0 else []
    moved = sum(q for _, q in lines)
    donor.give -= moved
    receiver.take -= moved
    return lines


def _rebalance_group(
    cluster_id: str, subcategory: str, group: pd.DataFrame, group_products: pd.DataFrame
) -> tuple[list[tuple], list[tuple]]:
    states = _store_states(group, group_products)
    over = sorted(
        (s for s in states.values() if s.flag == "over"), key=lambda s: (-s.z, s.store_id)
    )
    under = sorted(
        (s for s in states.values() if s.flag == "under"), key=lambda s: (s.z, s.store_id)
    )
    other_receivers = sorted(
        (s for s in states.values() if s.flag != "under" and s.take > 0),
        key=lambda s: (-s.take, s.store_id),
    )
    other_donors = sorted(
        (s for s in states.values() if s.flag != "over" and s.give > 0),
        key=lambda s: (-s.give, s.store_id),
    )
    moves: list[tuple] = []

    def settle(donor: _Store, receiver: _Store, initiator: _Store) -> None:
        wanted = initiator.to_mean - initiator.matched
        lines = _transfer(donor, receiver, wanted) if wanted > 0 and donor is not receiver else []
        moved = sum(q for _, q in lines)
        moves.extend(
            (
                cluster_id,
                subcategory,
                donor.store_id,
                receiver.store_id,
                product,
                q,
                initiator.store_id,
            )
            for product, q in lines
        )
        for side in {donor.store_id: donor, receiver.store_id: receiver}.values():
            if side.flag in ("over", "under"):
                side.matched += moved

    for donor in over:  # each over-allocated case sends down to the mean: flagged receivers first
        for receiver in under + other_receivers:
            settle(donor, receiver, donor)
    for (
        receiver
    ) in under:  # each under-allocated case receives up to the mean: flagged donors first
        for donor in over + other_donors:
            settle(donor, receiver, receiver)

    cases = []
    for state in over + under:
        unmatched = max(0, state.to_mean - state.matched)
        if unmatched == 0:
            reason = None
        elif state.flag == "over" and not any(state.available.values()):
            reason = "donor floor: no more units above safety stock / display minimum"
        else:
            reason = "no counterpart in the cluster with room (the others are at or beyond the mean); left in place"
        cases.append(
            (
                state.store_id,
                subcategory,
                cluster_id,
                state.flag,
                state.to_mean,
                state.matched,
                unmatched,
                reason,
            )
        )
    return moves, cases


def plan_rebalancing_moves(analysis: pd.DataFrame, products: pd.DataFrame) -> RebalancingPlan:
    """Moves and a per-case account for every cluster x subcategory holding a flagged case.

    analysis: one row per store x subcategory with cluster_id, imbalance_flag ('over', 'under',
    other), z_score, on_hand_units and units_at_mean (the units that would put the store at the
    cluster mean of the metric). products: one row per store x product with subcategory,
    on_hand_units, floor_units (never give below) and target_units (the product's units at the
    cluster mean).
    """
    flagged = analysis.imbalance_flag.isin(["over", "under"])
    flagged_groups = set(
        zip(analysis.cluster_id[flagged], analysis.subcategory[flagged], strict=True)
    )
    products_by_subcategory = dict(tuple(products.groupby("subcategory", sort=False)))
    moves: list[tuple] = []
    cases: list[tuple] = []
    for (cluster_id, subcategory), group in analysis.groupby(
        ["cluster_id", "subcategory"], sort=True
    ):
        if (cluster_id, subcategory) not in flagged_groups:
            continue
        group_products = products_by_subcategory.get(subcategory, products.iloc[:0])
        group_moves, group_cases = _rebalance_group(
            cluster_id,
            subcategory,
            group,
            group_products[group_products.store_id.isin(group.store_id)],
        )
        moves += group_moves
        cases += group_cases
    move_frame = pd.DataFrame(moves, columns=MOVE_COLUMNS[1:])
    move_frame.insert(0, "move_id", range(1, len(move_frame) + 1))
    return RebalancingPlan(
        move_frame.astype(MOVE_DTYPES),
        pd.DataFrame(cases, columns=CASE_COLUMNS).astype(CASE_DTYPES),
    )
